import { describe, expect, test } from 'vitest'
import type { FlowInputIssue, FlowRecord } from './flow-record.js'
import { hubbleReader } from './read-hubble.js'

/** A flow as `hubble observe -o jsonpb` prints it (Cilium 1.15): web-7d9 → api-5c4:8080, the SYN. */
const web = {
  ID: 1739,
  identity: 21394,
  namespace: 'frontend',
  labels: ['k8s:app=web', 'k8s:io.cilium.k8s.namespace.labels.team=web', 'k8s:io.cilium.k8s.policy.cluster=default', 'k8s:io.cilium.k8s.policy.serviceaccount=default', 'k8s:io.kubernetes.pod.namespace=frontend', 'k8s:tier=frontend'],
  pod_name: 'web-7d9',
  workloads: [{ name: 'web', kind: 'Deployment' }],
}
const api = {
  ID: 2201,
  identity: 40112,
  namespace: 'backend',
  labels: ['k8s:app=api', 'k8s:io.kubernetes.pod.namespace=backend', 'k8s:tier=backend'],
  pod_name: 'api-5c4',
  workloads: [{ name: 'api', kind: 'Deployment' }],
}
const flow = {
  time: '2026-12-07T10:00:00.123456789Z',
  uuid: '5a0d9c1e-2f8e-4d3b-9b7a-0c1d2e3f4a5b',
  verdict: 'FORWARDED',
  ethernet: { source: '2a:1b:3c:4d:5e:6f', destination: '7a:8b:9c:ad:be:cf' },
  IP: { source: '10.244.1.10', destination: '10.244.2.10', ipVersion: 'IPv4' },
  l4: { TCP: { source_port: 43712, destination_port: 8080, flags: { SYN: true } } },
  source: web,
  destination: api,
  Type: 'L3_L4',
  node_name: 'node-11',
  event_type: { type: 5 },
  traffic_direction: 'EGRESS',
  policy_match_type: 3,
  is_reply: false,
  Summary: 'TCP Flags: SYN',
}
const wrap = (f: object, extra: object = {}) => JSON.stringify({ flow: f, node_name: 'node-11', time: '2026-12-07T10:00:00.123456789Z', ...extra })
const tweak = (o: object) => wrap({ ...flow, ...o })

const read = (...lines: string[]) => {
  const r = hubbleReader('flows.json')
  return lines.map((l, i) => r.line(l, i + 1))
}
const rec = (x: FlowRecord[] | FlowInputIssue): FlowRecord => {
  if (!Array.isArray(x) || x.length !== 1) throw new Error(`expected one record, got ${JSON.stringify(x)}`)
  return x[0]!
}

describe('hubbleReader', () => {
  test('a wrapped flow: ends, labels without the k8s: prefix and Cilium keys, workload, time, observer', () => {
    const r = rec(read(wrap(flow))[0]!)
    expect(r).toMatchObject({
      format: 'hubble',
      file: 'flows.json',
      line: 1,
      time: Date.UTC(2026, 11, 7, 10, 0, 0, 123),
      protocol: 'TCP',
      port: 8080,
      sourcePort: 43712,
      verdict: 'allowed',
      count: 1,
      observer: 'node-11',
      observedAt: 'source',
    })
    expect(r.notAStart).toBeUndefined()
    expect(r.source).toEqual({
      ip: expect.objectContaining({ text: '10.244.1.10', family: 4 }),
      namespace: 'frontend',
      pod: 'web-7d9',
      workload: { name: 'web', kind: 'Deployment' },
      labels: { app: 'web', tier: 'frontend' },
      kind: 'pod',
    })
    expect(r.destination).toMatchObject({ namespace: 'backend', pod: 'api-5c4', kind: 'pod', labels: { app: 'api', tier: 'backend' } })
  })

  test.each([
    { name: 'bare flow (older hubble -o json)', line: JSON.stringify(flow), want: { verdict: 'allowed', port: 8080 } },
    { name: 'unknown fields ignored', line: wrap({ ...flow, future_field: { x: 1 }, egress_allowed_by: [{ name: 'p' }] }, { whatever: 1 }), want: { verdict: 'allowed' } },
    { name: 'camelCase names (protojson without UseProtoNames)', line: wrap({ ...flow, l4: { TCP: { destinationPort: 8080, flags: { SYN: true } } }, traffic_direction: undefined, trafficDirection: 'INGRESS' }), want: { port: 8080, observedAt: 'destination' } },
    { name: 'reply → not a start', line: tweak({ is_reply: true, l4: { TCP: { destination_port: 43712, flags: { ACK: true } } } }), want: { notAStart: true, reply: true } },
    { name: 'old `reply` field', line: tweak({ is_reply: undefined, reply: true }), want: { notAStart: true, reply: true } },
    { name: 'SYN-ACK → not a start', line: tweak({ l4: { TCP: { destination_port: 8080, flags: { SYN: true, ACK: true } } } }), want: { notAStart: true, reply: undefined } },
    { name: 'SYN-ACK without is_reply → a reply', line: tweak({ is_reply: undefined, l4: { TCP: { source_port: 8080, destination_port: 43712, flags: { SYN: true, ACK: true } } } }), want: { notAStart: true, reply: true, sourcePort: 8080 } },
    { name: 'established ACK/PSH → not a start', line: tweak({ l4: { TCP: { destination_port: 8080, flags: { ACK: true, PSH: true } } } }), want: { notAStart: true, reply: undefined } },
    { name: 'TCP without flags is taken as a start', line: tweak({ l4: { TCP: { destination_port: 8080 } } }), want: { notAStart: undefined } },
    { name: 'UDP DNS', line: tweak({ l4: { UDP: { source_port: 51234, destination_port: 53 } } }), want: { protocol: 'UDP', port: 53, notAStart: undefined } },
    { name: 'SCTP', line: tweak({ l4: { SCTP: { source_port: 3868, destination_port: 3868 } } }), want: { protocol: 'SCTP', port: 3868 } },
    { name: 'SCTP INIT_ACK → not a start', line: tweak({ l4: { SCTP: { destination_port: 3868, chunk_type: 'INIT_ACK' } } }), want: { notAStart: true } },
    { name: 'ICMPv4 → other, no port', line: tweak({ l4: { ICMPv4: { type: 8 } } }), want: { protocol: 'other', port: undefined } },
    { name: 'ICMPv6 → other', line: tweak({ IP: { source: 'fd00:10:244::a', destination: 'fd00:10:244::14', ipVersion: 'IPv6' }, l4: { ICMPv6: { type: 128 } } }), want: { protocol: 'other' } },
    { name: 'policy drop → denied, with who denied', line: tweak({ verdict: 'DROPPED', drop_reason: 133, drop_reason_desc: 'POLICY_DENIED', event_type: { type: 1, sub_type: 133 }, ingress_denied_by: [{ name: 'default-deny', namespace: 'backend' }] }), want: { verdict: 'denied', reason: 'POLICY_DENIED by backend/default-deny' } },
    { name: 'deny rule drop → denied', line: tweak({ verdict: 'DROPPED', drop_reason_desc: 'POLICY_DENY' }), want: { verdict: 'denied', reason: 'POLICY_DENY' } },
    { name: 'old numeric drop_reason 133 → denied', line: tweak({ verdict: 'DROPPED', drop_reason: 133 }), want: { verdict: 'denied', reason: 'POLICY_DENIED' } },
    { name: 'non-policy drop → unknown, reason kept', line: tweak({ verdict: 'DROPPED', drop_reason_desc: 'CT_MAP_INSERTION_FAILED' }), want: { verdict: 'unknown', reason: 'dropped: CT_MAP_INSERTION_FAILED (not by policy)' } },
    { name: 'AUDIT → audited', line: tweak({ verdict: 'AUDIT', drop_reason_desc: 'POLICY_DENIED' }), want: { verdict: 'audited' } },
    { name: 'REDIRECTED → allowed', line: tweak({ verdict: 'REDIRECTED' }), want: { verdict: 'allowed' } },
    { name: 'ERROR → unknown', line: tweak({ verdict: 'ERROR' }), want: { verdict: 'unknown', reason: 'error' } },
    { name: 'TRACED → unknown, not a start', line: tweak({ verdict: 'TRACED', Type: 'SOCK' }), want: { verdict: 'unknown', notAStart: true } },
    { name: 'numeric verdict', line: tweak({ verdict: 2, drop_reason_desc: 'POLICY_DENIED' }), want: { verdict: 'denied' } },
    { name: 'L7 → not a start', line: tweak({ Type: 'L7', l7: { type: 'REQUEST', http: { method: 'GET', url: 'http://api/' } } }), want: { notAStart: true, verdict: 'allowed' } },
    { name: 'L7 drop is not a NetworkPolicy denial', line: tweak({ Type: 'L7', verdict: 'DROPPED', l7: { type: 'REQUEST' } }), want: { verdict: 'unknown', notAStart: true } },
    { name: 'no time: no time', line: JSON.stringify({ flow: { ...flow, time: undefined } }), want: { time: undefined, observer: 'node-11' } },
  ])('$name', ({ line, want }) => {
    const r = rec(read(line)[0]!)
    for (const [k, v] of Object.entries(want)) expect((r as unknown as Record<string, unknown>)[k], k).toEqual(v)
  })

  test.each([
    { name: 'world', labels: ['reserved:world'], want: { kind: 'world' } },
    { name: 'world-ipv4 (Cilium 1.15)', labels: ['reserved:world-ipv4'], want: { kind: 'world' } },
    { name: 'CIDR identity', labels: ['cidr:203.0.113.0/24', 'reserved:world'], want: { kind: 'world' } },
    { name: 'host', labels: ['reserved:host'], want: { kind: 'host' } },
    { name: 'remote node', labels: ['reserved:remote-node'], want: { kind: 'host' } },
    { name: 'health', labels: ['reserved:health'], want: { kind: 'host' } },
    { name: 'kube-apiserver alone (managed)', labels: ['reserved:kube-apiserver'], want: { kind: 'world' } },
    { name: 'kube-apiserver on a node', labels: ['reserved:kube-apiserver', 'reserved:host'], want: { kind: 'host' } },
    { name: 'init without pod name', labels: ['reserved:init'], want: { kind: 'unknown' } },
    { name: 'unmanaged', labels: ['reserved:unmanaged'], want: { kind: 'unknown' } },
    { name: 'labels without a pod name', labels: ['k8s:app=api', 'k8s:io.kubernetes.pod.namespace=backend'], want: { kind: 'pod', namespace: 'backend', labels: { app: 'api' } } },
    { name: 'label without value', labels: ['k8s:canary', 'k8s:io.kubernetes.pod.namespace=backend'], want: { labels: { canary: '' } } },
  ])('reserved identity: $name', ({ labels, want }) => {
    const r = rec(read(tweak({ source: { ID: 0, identity: 2, labels } }))[0]!)
    expect(r.source).toMatchObject(want)
    expect(r.source.ip?.text).toBe('10.244.1.10')
  })

  test('IPv6 addresses', () => {
    const r = rec(read(tweak({ IP: { source: 'fd00:10:244::a', destination: 'fd00:10:244:0:0:0:0:14', ipVersion: 'IPv6' } }))[0]!)
    expect(r.source.ip).toMatchObject({ family: 6 })
    expect(r.destination.ip?.family).toBe(6)
  })

  test('one end read again is the same object; new labels (a new identity) or no identity read the labels', () => {
    const relabelled = { ...web, identity: 21395, labels: [...web.labels, 'k8s:canary=true'] }
    const noIdentity = { ...web, identity: undefined, labels: [...web.labels, 'k8s:canary=true'] }
    const out = read(wrap(flow), wrap(flow), tweak({ source: relabelled }), tweak({ source: noIdentity })).map((x) => rec(x).source)
    expect(out[1]).toBe(out[0])
    expect(out[2]!.labels).toEqual({ app: 'web', tier: 'frontend', canary: 'true' })
    expect(out[3]!.labels).toEqual({ app: 'web', tier: 'frontend', canary: 'true' })
    expect(out[0]!.labels).toEqual({ app: 'web', tier: 'frontend' })
  })

  test('mixed versions in one file: wrapped and bare flows, blank lines', () => {
    const out = read(wrap(flow), '', JSON.stringify({ ...flow, node_name: 'node-12' }), '   ')
    expect(out.map((x) => (Array.isArray(x) ? x.length : 'issue'))).toEqual([1, 0, 1, 0])
    expect(rec(out[2]!).observer).toBe('node-12')
  })

  test.each([
    { name: 'truncated line', line: wrap(flow).slice(0, 200), want: /truncated/ },
    { name: 'not JSON', line: 'Dec  7 10:00:00 node-11 cilium: hello', want: /not JSON/ },
    { name: 'JSON array', line: '[1,2]', want: /not a JSON object/ },
    { name: 'not a flow', line: '{"kind":"Pod"}', want: /not a Hubble flow/ },
    { name: 'no IPs and no names', line: tweak({ IP: undefined, source: {}, destination: {} }), want: /no source address or name/ },
    { name: 'bad IP', line: tweak({ IP: { source: '10.244.1.300', destination: '10.244.2.10' } }), want: /IP.source: not an IP address/ },
    { name: 'TCP without destination port', line: tweak({ l4: { TCP: { source_port: 1, flags: { SYN: true } } } }), want: /destination_port/ },
    { name: 'unknown verdict', line: tweak({ verdict: 'MAYBE' }), want: /unknown verdict "MAYBE"/ },
  ])('issue: $name', ({ line, want }) => {
    const x = read('', line)[1]!
    expect(Array.isArray(x)).toBe(false)
    expect(x).toMatchObject({ file: 'flows.json', line: 2 })
    expect((x as FlowInputIssue).message).toMatch(want)
  })
})
