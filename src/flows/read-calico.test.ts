import { describe, expect, test } from 'vitest'
import type { FlowInputIssue, FlowRecord } from './flow-record.js'
import { calicoReader } from './read-calico.js'

/** A Felix flows.log line (aggregation by pod prefix off): api-5c4 → postgres-0:5432, reported by the source. */
const base = {
  start_time: 1796637600,
  end_time: 1796637900,
  source_ip: '10.244.2.10',
  source_name: 'api-5c4',
  source_name_aggr: 'api-*',
  source_namespace: 'backend',
  source_port: null,
  source_type: 'wep',
  source_labels: { labels: ['app=api', 'tier=backend'] },
  dest_ip: '10.244.3.10',
  dest_name: 'postgres-0',
  dest_name_aggr: 'postgres-*',
  dest_namespace: 'database',
  dest_port: 5432,
  dest_type: 'wep',
  dest_labels: { labels: ['app=postgres', 'tier=database'] },
  dest_service_namespace: 'database',
  dest_service_name: 'postgres',
  dest_service_port: 'postgres',
  dest_service_port_num: 5432,
  dest_domains: null,
  proto: 'tcp',
  action: 'allow',
  reporter: 'src',
  policies: { all_policies: ['0|default|backend/default.api-egress|allow|1'], enforced_policies: ['0|default|backend/default.api-egress|allow|1'], pending_policies: [] },
  bytes_in: 5120,
  bytes_out: 2048,
  num_flows: 3,
  num_flows_started: 3,
  num_flows_completed: 3,
  packets_in: 40,
  packets_out: 36,
  http_requests_allowed_in: 0,
  http_requests_denied_in: 0,
  original_source_ips: null,
  num_original_source_ips: 0,
  process_name: '-',
  host: 'node-11',
}
const line = (o: object = {}) => JSON.stringify({ ...base, ...o })
const read = (...lines: string[]) => {
  const r = calicoReader('flows.log')
  return lines.map((l, i) => r.line(l, i + 1))
}
const rec = (x: FlowRecord[] | FlowInputIssue): FlowRecord => {
  if (!Array.isArray(x) || x.length !== 1) throw new Error(`expected one record, got ${JSON.stringify(x)}`)
  return x[0]!
}

/** the default aggregation (per prefix): allowed flows carry no address, only names */
const aggregated = {
  source_ip: '-',
  source_name: '-',
  source_name_aggr: 'web-7d9f8c-*',
  dest_ip: '-',
  dest_name: '-',
  dest_name_aggr: 'api-5c4b7d-*',
  dest_namespace: 'backend',
  source_namespace: 'frontend',
  dest_port: 8080,
}

describe('calicoReader', () => {
  test('a flow log line: ends, labels, count, time, reason, observer', () => {
    const r = rec(read(line())[0]!)
    expect(r).toMatchObject({ format: 'calico', file: 'flows.log', line: 1, time: 1796637600000, protocol: 'TCP', port: 5432, verdict: 'allowed', count: 3, observer: 'node-11', observedAt: 'source', reason: '0|default|backend/default.api-egress|allow|1' })
    expect(r.source).toEqual({ ip: expect.objectContaining({ text: '10.244.2.10' }), namespace: 'backend', pod: 'api-5c4', workload: { name: 'api' }, labels: { app: 'api', tier: 'backend' }, kind: 'pod' })
    expect(r.destination).toMatchObject({ namespace: 'database', pod: 'postgres-0', kind: 'pod', labels: { app: 'postgres', tier: 'database' } })
    expect(r.destination.aggregated).toBeUndefined()
  })

  test.each([
    { name: 'Elasticsearch hit (_source)', text: JSON.stringify({ _index: 'tigera_secure_ee_flows.cluster.20261207', _id: 'x', _source: base }), want: { port: 5432, verdict: 'allowed' } },
    { name: 'unknown fields ignored', text: line({ tcp_mean_send_congestion_window: 10, future: { a: 1 } }), want: { port: 5432 } },
    { name: 'proto number 6', text: line({ proto: 6 }), want: { protocol: 'TCP' } },
    { name: 'proto 17 → UDP', text: line({ proto: 17, dest_port: 53 }), want: { protocol: 'UDP', port: 53 } },
    { name: 'proto "132" → SCTP', text: line({ proto: '132', dest_port: 3868 }), want: { protocol: 'SCTP', port: 3868 } },
    { name: 'proto sctp', text: line({ proto: 'sctp', dest_port: 3868 }), want: { protocol: 'SCTP' } },
    { name: 'ICMP → other, no port', text: line({ proto: 'icmp', dest_port: null }), want: { protocol: 'other', port: undefined } },
    { name: 'proto 58 (ICMPv6) → other', text: line({ proto: 58, dest_port: 0 }), want: { protocol: 'other' } },
    { name: 'deny with enforced and pending policies', text: line({ action: 'deny', reporter: 'dst', policies: { all_policies: ['0|default|database/default.db-ingress|deny|-1', '1|default|database/default.staged|allow|0'], enforced_policies: ['0|default|database/default.db-ingress|deny|-1'], pending_policies: ['0|default|database/staged:default.new|allow|0'] } }), want: { verdict: 'denied', observedAt: 'destination', reason: '0|default|database/default.db-ingress|deny|-1; pending 0|default|database/staged:default.new|allow|0' } },
    { name: 'all_policies only (older)', text: line({ action: 'deny', policies: { all_policies: ['0|__PROFILE__|__PROFILE__.kns.database|deny|0'] } }), want: { reason: '0|__PROFILE__|__PROFILE__.kns.database|deny|0' } },
    { name: 'none started → not a start, stands for num_flows', text: line({ num_flows_started: 0, num_flows: 2 }), want: { notAStart: true, count: 2 } },
    { name: 'no host: the reporter observes', text: line({ host: undefined }), want: { observer: 'src' } },
    { name: 'labels as a bare array', text: line({ source_labels: ['app=api'] }), want: {} },
    { name: 'IPv6', text: line({ source_ip: 'fd00:10:244::a', dest_ip: 'fd00:10:244::14' }), want: {} },
  ])('$name', ({ text, want }) => {
    const r = rec(read(text)[0]!)
    for (const [k, v] of Object.entries(want)) expect((r as unknown as Record<string, unknown>)[k], k).toEqual(v)
  })

  test('aggregated allowed flow: no address, the aggregated name, the workload by name, never an address', () => {
    const r = rec(read(line(aggregated))[0]!)
    expect(r.source).toEqual({ namespace: 'frontend', workload: { name: 'web-7d9f8c' }, labels: { app: 'api', tier: 'backend' }, kind: 'pod', aggregated: 'web-7d9f8c-*' })
    expect(r.destination).toMatchObject({ namespace: 'backend', workload: { name: 'api-5c4b7d' }, kind: 'pod', aggregated: 'api-5c4b7d-*' })
    expect(r.source.ip).toBeUndefined()
    expect(r.destination.ip).toBeUndefined()
  })

  test.each([
    { name: 'public network', type: 'net', aggr: 'pub', want: { kind: 'world', aggregated: 'pub' } },
    { name: 'private network', type: 'net', aggr: 'pvt', want: { kind: 'world', aggregated: 'pvt' } },
    { name: 'host endpoint', type: 'hep', aggr: 'node-11', want: { kind: 'host', aggregated: 'node-11' } },
    { name: 'network set', type: 'ns', aggr: 'office-ranges', want: { kind: 'world', aggregated: 'office-ranges' } },
  ])('aggregated source: $name', ({ type, aggr, want }) => {
    const r = rec(read(line({ source_ip: '-', source_name: '-', source_namespace: '-', source_labels: null, source_type: type, source_name_aggr: aggr }))[0]!)
    expect(r.source).toEqual(want)
  })

  test('one flow reported by both ends: two records, one per end, same ends and port', () => {
    const [a, b] = read(line({ reporter: 'src', host: 'node-12' }), line({ reporter: 'dst', host: 'node-11' })).map(rec)
    expect([a!.observedAt, b!.observedAt]).toEqual(['source', 'destination'])
    expect([a!.observer, b!.observer]).toEqual(['node-12', 'node-11'])
    expect(a!.source).toEqual(b!.source)
    expect(a!.port).toBe(b!.port)
  })

  test.each([
    { name: 'truncated line', text: line().slice(0, 120), want: /truncated/ },
    { name: 'not JSON', text: 'start_time source_ip dest_ip', want: /not JSON/ },
    { name: 'not a flow', text: '{"kind":"Pod"}', want: /not a Calico flow/ },
    { name: 'bad address', text: line({ source_ip: '10.0.0' }), want: /source_ip: not an IP address/ },
    { name: 'no port for TCP', text: line({ dest_port: null }), want: /dest_port/ },
    { name: 'unknown action', text: line({ action: 'pass' }), want: /action/ },
    { name: 'no names and no addresses', text: line({ source_ip: '-', source_name: '-', source_name_aggr: '-', source_type: '-' }), want: /no source address or name/ },
  ])('issue: $name', ({ text, want }) => {
    const x = read(text)[0]!
    expect(Array.isArray(x)).toBe(false)
    expect(x).toMatchObject({ file: 'flows.log', line: 1 })
    expect((x as FlowInputIssue).message).toMatch(want)
  })
})
