/**
 * Flow lines as Hubble and Calico write them, for one observed connection: the events Cilium reports for it
 * (policy verdicts where a policy applies, traces at the destination, the reply) and the Felix flow log lines
 * (one per reporting end). Used by the flow benchmark and to write the examples in examples/flows/.
 */

/** One end of a connection, as the cluster knows it. */
export interface End {
  readonly ip: string
  /** a pod; absent for an address outside the cluster */
  readonly pod?: { readonly namespace: string; readonly name: string; readonly labels: Readonly<Record<string, string>>; readonly node: string; readonly workload?: { name: string; kind: string }; readonly enforced: boolean }
}

export interface Connection {
  readonly from: End
  readonly to: End
  readonly protocol: 'TCP' | 'UDP' | 'ICMP'
  readonly port: number
  /** the source's ephemeral port */
  readonly sourcePort: number
  /** milliseconds since the epoch */
  readonly time: number
  /** denied at the destination's ingress (`ingress`) or the source's egress (`egress`) */
  readonly deniedAt?: 'ingress' | 'egress'
  readonly deniedBy?: string
}

let uuidN = 0
const uuid = () => {
  const h = (uuidN++).toString(16).padStart(12, '0')
  return `5a0d9c1e-2f8e-4d3b-9b7a-${h}`
}
const mac = (ip: string) => `0a:${ip.split('.').slice(-2).map((o) => Number(o || 0).toString(16).padStart(2, '0')).join(':')}:5e:6f:7a`

const identityOf = (labels: Readonly<Record<string, string>>) => {
  let h = 0
  for (const c of JSON.stringify(labels)) h = (h * 31 + c.charCodeAt(0)) >>> 0
  return 256 + (h % 60000)
}

function hubbleEnd(e: End): Record<string, unknown> {
  if (e.pod === undefined) return { identity: 2, labels: ['reserved:world'] }
  const p = e.pod
  const labels = [
    ...Object.entries(p.labels).map(([k, v]) => `k8s:${k}=${v}`),
    'k8s:io.cilium.k8s.policy.cluster=default',
    'k8s:io.cilium.k8s.policy.serviceaccount=default',
    `k8s:io.kubernetes.pod.namespace=${p.namespace}`,
  ].sort()
  return {
    ID: 1000 + (identityOf({ n: p.name }) % 3000),
    identity: identityOf(p.labels),
    namespace: p.namespace,
    labels,
    pod_name: p.name,
    ...(p.workload ? { workloads: [p.workload] } : {}),
  }
}

const iso = (ms: number, ns: number) => `${new Date(ms).toISOString().slice(0, -1)}${String(ns).padStart(6, '0')}Z`

interface Event {
  readonly reply: boolean
  readonly node: string
  readonly type: 'verdict' | 'trace'
  readonly direction: 'EGRESS' | 'INGRESS'
  readonly dropped: boolean
  readonly dt: number
}

/** The Hubble events (`hubble observe -o jsonpb` lines) of one connection. */
export function hubbleLines(c: Connection): string[] {
  const events: Event[] = []
  const src = c.from.pod
  const dst = c.to.pod
  if (src?.enforced) events.push({ reply: false, node: src.node, type: 'verdict', direction: 'EGRESS', dropped: c.deniedAt === 'egress', dt: 0 })
  if (c.deniedAt !== 'egress') {
    if (dst?.enforced) events.push({ reply: false, node: dst.node, type: 'verdict', direction: 'INGRESS', dropped: c.deniedAt === 'ingress', dt: 1 })
    if (c.deniedAt === undefined) {
      if (dst) events.push({ reply: false, node: dst.node, type: 'trace', direction: 'INGRESS', dropped: false, dt: 1 })
      if (src) events.push({ reply: true, node: src.node, type: 'trace', direction: 'EGRESS', dropped: false, dt: 2 })
      else if (dst) events.push({ reply: true, node: dst.node, type: 'trace', direction: 'INGRESS', dropped: false, dt: 2 })
    }
  }
  return events.map((e, i) => {
    const [a, b] = e.reply ? [c.to, c.from] : [c.from, c.to]
    const [sp, dp] = e.reply ? [c.port, c.sourcePort] : [c.sourcePort, c.port]
    const l4 =
      c.protocol === 'TCP'
        ? { TCP: { source_port: sp, destination_port: dp, flags: e.reply ? { SYN: true, ACK: true } : { SYN: true } } }
        : c.protocol === 'UDP'
          ? { UDP: { source_port: sp, destination_port: dp } }
          : { ICMPv4: { type: e.reply ? 0 : 8 } }
    const time = iso(c.time + e.dt, 123_457 + i * 911)
    const flags = c.protocol === 'TCP' ? (e.reply ? 'SYN, ACK' : 'SYN') : ''
    const flow = {
      time,
      uuid: uuid(),
      verdict: e.dropped ? 'DROPPED' : 'FORWARDED',
      ...(e.dropped ? { drop_reason: 133 } : {}),
      ethernet: { source: mac(a.ip), destination: mac(b.ip) },
      IP: { source: a.ip, destination: b.ip, ipVersion: 'IPv4' },
      l4,
      source: hubbleEnd(a),
      destination: hubbleEnd(b),
      Type: 'L3_L4',
      node_name: e.node,
      event_type: e.dropped ? { type: 1, sub_type: 133 } : e.type === 'verdict' ? { type: 5 } : { type: 4 },
      traffic_direction: e.direction,
      ...(e.type === 'trace' ? { trace_observation_point: 'TO_ENDPOINT' } : {}),
      ...(e.type === 'verdict' ? { policy_match_type: e.dropped ? 0 : 3 } : {}),
      ...(e.dropped ? { drop_reason_desc: 'POLICY_DENIED' } : {}),
      is_reply: e.reply,
      ...(e.type === 'trace' ? { interface: { index: 17, name: `lxc${a.ip.replaceAll('.', '').slice(-8)}` } } : {}),
      Summary: c.protocol === 'TCP' ? `TCP Flags: ${flags}` : c.protocol === 'UDP' ? 'UDP' : `ICMPv4 ${e.reply ? 'EchoReply' : 'EchoRequest'}`,
      ...(e.dropped && c.deniedBy ? { [c.deniedAt === 'ingress' ? 'ingress_denied_by' : 'egress_denied_by']: [{ name: c.deniedBy.split('/')[1], namespace: c.deniedBy.split('/')[0], kind: 'NetworkPolicy' }] } : {}),
    }
    return JSON.stringify({ flow, node_name: e.node, time })
  })
}

function calicoEnd(side: 'source' | 'dest', e: End): Record<string, unknown> {
  if (e.pod === undefined) {
    const pvt = /^(10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.)/.test(e.ip)
    return { [`${side}_ip`]: e.ip, [`${side}_name`]: '-', [`${side}_name_aggr`]: pvt ? 'pvt' : 'pub', [`${side}_namespace`]: '-', [`${side}_type`]: 'net', [`${side}_labels`]: null }
  }
  const p = e.pod
  return {
    [`${side}_ip`]: e.ip,
    [`${side}_name`]: p.name,
    [`${side}_name_aggr`]: p.workload ? `${p.name.slice(0, p.name.lastIndexOf('-'))}-*` : p.name,
    [`${side}_namespace`]: p.namespace,
    [`${side}_type`]: 'wep',
    [`${side}_labels`]: { labels: Object.entries(p.labels).map(([k, v]) => `${k}=${v}`) },
  }
}

/**
 * The Felix flow log lines (`flows.log`, no aggregation of allowed flows: `flowLogsFileAggregationKindForAllowed: 0`)
 * of `n` connections like `c` in one 5-minute interval: one line per end that is a workload endpoint.
 */
export function calicoLines(c: Connection, n: number, service?: { namespace: string; name: string; port: number }): string[] {
  const start = Math.floor(c.time / 300_000) * 300
  const out: string[] = []
  for (const reporter of ['src', 'dst'] as const) {
    const at = reporter === 'src' ? c.from : c.to
    if (at.pod === undefined) continue
    if (reporter === 'dst' && c.deniedAt === 'egress') continue
    const denied = (reporter === 'src' && c.deniedAt === 'egress') || (reporter === 'dst' && c.deniedAt === 'ingress')
    const policy = denied ? `0|default|${c.deniedBy ?? `${at.pod.namespace}/default.default-deny-all`}|deny|-1` : at.pod.enforced ? `0|default|${at.pod.namespace}/default.allow|allow|0` : `0|__PROFILE__|__PROFILE__.kns.${at.pod.namespace}|allow|0`
    out.push(
      JSON.stringify({
        start_time: start,
        end_time: start + 300,
        ...calicoEnd('source', c.from),
        source_port: null,
        ...calicoEnd('dest', c.to),
        dest_port: c.protocol === 'ICMP' ? null : c.port,
        dest_service_namespace: service?.namespace ?? '-',
        dest_service_name: service?.name ?? '-',
        dest_service_port: service ? String(service.port) : '-',
        dest_service_port_num: service?.port ?? null,
        dest_domains: null,
        proto: c.protocol.toLowerCase(),
        action: denied ? 'deny' : 'allow',
        reporter,
        policies: { all_policies: [policy], enforced_policies: [policy], pending_policies: [] },
        bytes_in: denied ? 0 : 1480 * n,
        bytes_out: 620 * n,
        num_flows: n,
        num_flows_started: n,
        num_flows_completed: denied ? 0 : n,
        packets_in: denied ? 0 : 9 * n,
        packets_out: (denied ? 3 : 10) * n,
        http_requests_allowed_in: 0,
        http_requests_denied_in: 0,
        original_source_ips: null,
        num_original_source_ips: 0,
        process_name: '-',
        process_id: '-',
        host: at.pod.node,
      }),
    )
  }
  return out
}
