import { describe, expect, test } from 'vitest'
import type { Cluster, Pod, Service } from '../model/cluster.js'
import { parseIp } from '../model/ip.js'
import type { FlowEndpoint, FlowRecord } from './flow-record.js'
import { FlowResolver, resolveFlows } from './resolve-flows.js'

const ip = (t: string) => parseIp(t)!
const pod = (ns: string, name: string, addr: string | null, extra: Partial<Pod> = {}): Pod => ({
  namespace: ns,
  name,
  labels: {},
  ips: addr ? [ip(addr)] : [],
  hostIPs: [ip('10.0.0.11')],
  hostNetwork: false,
  ports: [],
  ...extra,
})
const svc: Service = { namespace: 'shop', name: 'web', selector: { app: 'web' }, ports: [], clusterIPs: [ip('10.96.0.80')] }
const cluster: Cluster = {
  namespaces: new Map(),
  pods: [
    pod('shop', 'web-7d9f8b6c5-x2x4k', '10.244.1.10', { workloads: [{ kind: 'ReplicaSet', name: 'web-7d9f8b6c5' }, { kind: 'Deployment', name: 'web' }] }),
    pod('shop', 'db-0', '10.244.1.20', { workloads: [{ kind: 'StatefulSet', name: 'db' }] }),
    pod('shop', 'cache', null, { template: { kind: 'Deployment', name: 'cache', replicas: 2 } }),
    pod('kube-system', 'node-exporter-abcde', '10.0.0.12', { hostNetwork: true }),
  ],
  policies: [],
  services: [svc],
  clusterPolicies: [],
  nodes: [],
}

const end = (e: Partial<FlowEndpoint>): FlowEndpoint => ({ kind: 'unknown', ...e })
const rec = (src: Partial<FlowEndpoint>, dst: Partial<FlowEndpoint>, more: Partial<FlowRecord> = {}): FlowRecord => ({
  format: 'csv',
  file: 'f',
  line: 1,
  source: end(src),
  destination: end(dst),
  protocol: 'TCP',
  port: 80,
  verdict: 'allowed',
  count: 1,
  ...more,
})

describe('FlowResolver.end: every kind of end', () => {
  const r = new FlowResolver(cluster)
  const name = (x: ReturnType<FlowResolver['end']>) => (x.kind === 'pod' ? `pod ${x.pod.namespace}/${x.pod.name}` : x.kind === 'external' ? `external ${x.ip.text}` : x.kind === 'node' ? `node ${x.ip?.text ?? ''}`.trim() : `${x.kind}: ${x.why}`)
  test.each([
    { name: 'a pod by name', e: { namespace: 'shop', pod: 'db-0', kind: 'pod' as const }, want: 'pod shop/db-0' },
    { name: 'a pod of the input by address', e: { ip: ip('10.244.1.10') }, want: 'pod shop/web-7d9f8b6c5-x2x4k' },
    { name: 'a pod gone since, by its Deployment (pod name → ReplicaSet → Deployment)', e: { namespace: 'shop', pod: 'web-7d9f8b6c5-zzzzz', ip: ip('10.244.9.9'), kind: 'pod' as const }, want: 'pod shop/web-7d9f8b6c5-x2x4k' },
    { name: 'a StatefulSet ordinal not in the input', e: { namespace: 'shop', pod: 'db-3', kind: 'pod' as const }, want: 'pod shop/db-0' },
    { name: 'a workload named by the record (CSV ns/workload)', e: { namespace: 'shop', pod: 'web', workload: { name: 'web' }, kind: 'pod' as const }, want: 'pod shop/web-7d9f8b6c5-x2x4k' },
    { name: 'a workload template', e: { namespace: 'shop', workload: { name: 'cache' } }, want: 'pod shop/cache' },
    { name: 'Calico aggregated name-* resolves by workload', e: { namespace: 'shop', aggregated: 'web-7d9f8b6c5-*' }, want: 'pod shop/web-7d9f8b6c5-x2x4k' },
    { name: 'a node address', e: { ip: ip('10.0.0.11') }, want: 'node 10.0.0.11' },
    { name: 'a hostNetwork pod by address is its node', e: { ip: ip('10.0.0.12') }, want: 'node 10.0.0.12' },
    { name: 'a hostNetwork pod by name is its node', e: { namespace: 'kube-system', pod: 'node-exporter-abcde', kind: 'pod' as const }, want: 'node 10.0.0.12' },
    { name: 'the observer says host, no address', e: { kind: 'host' as const }, want: 'node' },
    { name: 'world', e: { ip: ip('203.0.113.7'), kind: 'world' as const }, want: 'external 203.0.113.7' },
    { name: 'an IPv6 outside address', e: { ip: ip('2001:db8::1') }, want: 'external 2001:db8::1' },
    { name: "a Service's clusterIP: before translation", e: { ip: ip('10.96.0.80') }, want: expect.stringMatching(/^unresolved: 10.96.0.80 is the address of svc\/shop\/web/) },
    { name: 'a named pod the cluster does not have', e: { namespace: 'shop', pod: 'ghost', ip: ip('10.244.7.7'), kind: 'pod' as const }, want: 'unresolved: pod shop/ghost (10.244.7.7) is not in the cluster' },
    { name: 'a name without address that resolves to nothing', e: { namespace: 'shop', pod: 'ghost', kind: 'pod' as const }, want: 'unresolved: no pod or workload shop/ghost in the cluster' },
    { name: 'Calico pvt: undecidable', e: { aggregated: 'pvt', kind: 'unknown' as const }, want: expect.stringMatching(/^undecidable: aggregated end "pvt"/) },
    { name: 'Calico name-* of an unknown workload: undecidable', e: { namespace: 'shop', aggregated: 'other-*', kind: 'pod' as const }, want: expect.stringMatching(/^undecidable/) },
  ])('$name', ({ e, want }) => expect(name(r.end(end(e)))).toEqual(want))
})

describe('resolveFlows: collapse, window, counts', () => {
  const web = { ip: ip('10.244.1.10') }
  const db = { ip: ip('10.244.1.20') }
  test('records of one pair and port make one connection; counts add; the strongest verdict wins', () => {
    const r = resolveFlows(cluster, [rec(web, db, { count: 3, time: 1000 }), rec(web, db, { verdict: 'denied', time: 5000 }), rec(web, db, { verdict: 'audited', time: 3000 })])
    expect(r.connections).toHaveLength(1)
    expect(r.connections[0]).toMatchObject({ count: 5, verdict: 'denied', firstSeen: 1000, lastSeen: 5000, protocol: 'TCP', port: 80 })
  })

  test('a port or protocol apart is another connection', () => {
    const r = resolveFlows(cluster, [rec(web, db), rec(web, db, { port: 81 }), rec(web, db, { protocol: 'UDP' })])
    expect(r.connections).toHaveLength(3)
  })

  test('records that are not a start are collapsed into their connection, never counted', () => {
    // the reply goes db → web from port 80 to web's ephemeral port: its connection is web → db:80
    const r = resolveFlows(cluster, [rec(web, db, { time: 1000 }), rec(db, web, { notAStart: true, reply: true, port: 41000, sourcePort: 80, time: 1002 }), rec(web, db, { notAStart: true, time: 9000 })])
    expect(r.connections).toEqual([expect.objectContaining({ count: 1, firstSeen: 1000, lastSeen: 9000, port: 80 })])
    expect(r.connections[0]!.startedBefore).toBeUndefined()
    expect(r.stats).toMatchObject({ collapsed: 2, startedBefore: 0 })
  })

  test.each([
    { name: 'only the reply was seen: the connection is its reverse, to its source port', recs: [rec(db, web, { notAStart: true, reply: true, port: 41000, sourcePort: 80 })], want: { from: 'web', to: 'db', port: 80, count: 1 } },
    { name: 'only packets of the established connection', recs: [rec(web, db, { notAStart: true }), rec(web, db, { notAStart: true })], want: { from: 'web', to: 'db', port: 80, count: 1 } },
    { name: 'a record standing for several connections open from before (Calico num_flows)', recs: [rec(web, db, { notAStart: true, count: 3 }), rec(web, db, { notAStart: true, count: 2 })], want: { from: 'web', to: 'db', port: 80, count: 3 } },
    { name: 'its start comes later in the input: an ordinary connection', recs: [rec(db, web, { notAStart: true, reply: true, port: 41000, sourcePort: 80 }), rec(web, db)], want: { from: 'web', to: 'db', port: 80, count: 1, started: true } },
  ])('a connection whose start was not seen: $name', ({ recs, want }) => {
    const r = resolveFlows(cluster, recs)
    expect(r.connections).toHaveLength(1)
    const c = r.connections[0]!
    const short = (e: (typeof c)['from']) => (e.kind === 'pod' ? e.pod.name.split('-')[0] : e.kind)
    expect({ from: short(c.from), to: short(c.to), port: c.port, count: c.count }).toEqual({ from: want.from, to: want.to, port: want.port, count: want.count })
    expect(c.startedBefore).toBe(want.started ? undefined : true)
    expect(r.stats.startedBefore).toBe(want.started ? 0 : 1)
  })

  test('a reply that does not say its source port belongs to no connection it can name', () => {
    const r = resolveFlows(cluster, [rec(db, web, { notAStart: true, reply: true, port: 41000 })])
    expect(r.connections).toEqual([])
    expect(r.stats.collapsed).toBe(1)
  })

  test('one start reported twice with the same source port within 1 s counts once, even from one observer (verdict and trace)', () => {
    const r = resolveFlows(cluster, [
      rec(web, db, { observer: 'node-1', sourcePort: 40000, time: 10_000 }),
      rec(web, db, { observer: 'node-1', sourcePort: 40000, time: 10_001 }),
      rec(web, db, { observer: 'node-1', sourcePort: 40001, time: 10_002 }),
    ])
    expect(r.connections[0]!.count).toBe(2)
    expect(r.stats.collapsed).toBe(1)
  })

  test('two observers reporting one start within 1 s count once; the same observer twice counts twice', () => {
    const r = resolveFlows(cluster, [
      rec(web, db, { observer: 'node-1', time: 10_000 }),
      rec(web, db, { observer: 'node-2', time: 10_400 }),
      rec(web, db, { observer: 'node-1', time: 10_500 }),
      rec(web, db, { observer: 'node-2', time: 20_000 }),
    ])
    expect(r.connections[0]!.count).toBe(3)
    expect(r.stats.collapsed).toBe(1)
  })

  test('ICMP is counted as other-protocol; unresolvable and undecidable records are counted with why', () => {
    const r = resolveFlows(cluster, [
      rec(web, db, { protocol: 'other', port: undefined }),
      rec(web, { ip: ip('10.96.0.80') }),
      rec({ aggregated: 'pub' }, db),
      rec({ aggregated: 'pub' }, db),
    ])
    expect(r.connections).toEqual([])
    expect(r.stats).toMatchObject({ records: 4, otherProtocol: 1, unresolvable: 1, undecidable: 2 })
    expect([...r.unresolved.values()]).toEqual([1, 2])
  })

  test('--since/--until: [since, until), records without a time are kept', () => {
    const r = resolveFlows(cluster, [rec(web, db, { time: 999 }), rec(web, db, { time: 1000 }), rec(web, db, { time: 2000 }), rec(web, db)], { since: 1000, until: 2000 })
    expect(r.stats.outsideWindow).toBe(2)
    expect(r.connections[0]!.count).toBe(2)
  })
})
