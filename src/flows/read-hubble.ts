/**
 * Hubble flows: `hubble observe -o json` / `-o jsonpb` and the flow exporter's files, one JSON object per line,
 * either the `GetFlowsResponse` (`{"flow": {...}, "node_name": ..., "time": ...}`) or, from older versions, the
 * bare `Flow`. Field names are protojson's (`drop_reason_desc`, `pod_name`, …); the lowerCamelCase names that
 * protojson writes without `UseProtoNames` (`dropReasonDesc`, `podName`, …) are read too. Unknown fields are
 * ignored.
 *
 * Decisions (flow.proto's words quoted):
 * - `verdict`: FORWARDED → allowed; AUDIT ("the flow would have been dropped by policy, but the policy is in
 *   audit mode") → audited; REDIRECTED ("redirected to the proxy": L3/L4 policy let it through) → allowed;
 *   DROPPED by policy (`drop_reason_desc` POLICY_DENIED or POLICY_DENY, or the numeric `drop_reason` 133/181)
 *   → denied; DROPPED for any other reason (CT map full, unroutable, AUTH_REQUIRED, …) is not a policy denial:
 *   → unknown, with the reason kept; ERROR → unknown; TRACED and TRANSLATED (observation points and socket
 *   translation, which the datapath also reports with a verdict) → unknown and not a start; any other word is an
 *   issue.
 * - A start: TCP with SYN and without ACK; UDP and SCTP (unless the SCTP `chunk_type` is not INIT) and ICMP when
 *   not a reply; a TCP record without `flags` is taken as a start (it says nothing of its packet: counted rather
 *   than lost). `is_reply` (or the old `reply`), SYN-ACK and any other TCP packet → notAStart. A reply
 *   (`is_reply`, or a SYN-ACK when `is_reply` is absent) is marked `reply`: its connection is the packet's
 *   direction reversed, to the packet's source port (resolve-flows.ts makes a connection whose start was not seen
 *   from such records).
 * - `Type` L7 (HTTP, DNS, Kafka requests seen by the proxy): the L3/L4 events report the connection, so an L7
 *   record is not a start; an L7 drop is a Cilium L7 rule, not NetworkPolicy: verdict unknown. `SOCK` → not a start.
 * - ICMPv4/ICMPv6, or no `l4` at all → protocol `other`.
 * - Identities: labels `k8s:key=value` are the pod's labels with the source prefix stripped; Cilium's own
 *   `io.kubernetes.pod.namespace` (read as the namespace), `io.cilium.k8s.policy.*` and
 *   `io.cilium.k8s.namespace.labels.*` are left out, as are labels of other sources. `reserved:host`,
 *   `reserved:remote-node` and `reserved:health` (Cilium's own health endpoint on each node) → host;
 *   `reserved:world*` and `cidr:`/`fqdn:` identities → world; `reserved:kube-apiserver` alone (a managed API
 *   server) → world, with host or remote-node → host; `reserved:init`, `reserved:unmanaged`, `reserved:ingress`
 *   → a pod when a pod is named, else unknown (the resolver looks the address up).
 * - `time` (RFC3339 with nanoseconds) → milliseconds; the response's `time`/`node_name` before the flow's.
 */
import { parseIp, type IpAddress } from '../model/ip.js'
import type { FlowEndpoint, FlowInputIssue, FlowLineReader, FlowProtocol, FlowRecord, FlowVerdict } from './flow-record.js'
import { jsonLine, jsonObject as obj, type JsonObject as Json } from './json-line.js'


const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
/** the proto name, else protojson's lowerCamelCase name */
const field = (o: Json, snake: string, camel: string): unknown => (o[snake] !== undefined ? o[snake] : o[camel])

const VERDICT_NUMBERS = ['VERDICT_UNKNOWN', 'FORWARDED', 'DROPPED', 'ERROR', 'AUDIT', 'REDIRECTED', 'TRACED', 'TRANSLATED']
/** drop reasons that are policy's: POLICY_DENIED (133) and POLICY_DENY (181, a deny rule) */
const POLICY_DROPS = new Set(['POLICY_DENIED', 'POLICY_DENY', '133', '181'])
/** label keys Cilium adds to a pod's own labels */
const CILIUM_KEYS = /^io\.cilium\.k8s\.(policy\.|namespace\.labels\.)/

/**
 * A reader for one input. It keeps the ends it has read (by address, names and labels: a cluster has few distinct
 * ends and a flow file repeats them), so that a million lines parse each end once; at most 200,000 are kept.
 */
export function hubbleReader(file = '<input>'): FlowLineReader {
  const cache = new Map<string, FlowEndpoint | string>()
  return { line: (text, lineNo) => readHubbleLine(text, lineNo, file, cache) }
}

/** One line → its record (none for a blank line), or the issue. Never throws. */
export function readHubbleLine(
  text: string,
  line: number,
  file: string,
  cache: Map<string, FlowEndpoint | string> = new Map(),
): FlowRecord[] | FlowInputIssue {
  const issue = (message: string): FlowInputIssue => ({ file, line, message })
  const read = jsonLine(text, file, line)
  if (read === null) return []
  if (!read.ok) return read.issue
  const top = read.value
  const wrapped = obj(top.flow)
  const flow = wrapped ?? top
  if (wrapped === undefined && top.verdict === undefined && top.IP === undefined && top.source === undefined) {
    return issue('not a Hubble flow (no "flow", "verdict", "IP" or "source")')
  }

  // verdict
  const rawVerdict = flow.verdict
  const word = typeof rawVerdict === 'number' ? VERDICT_NUMBERS[rawVerdict] : rawVerdict === undefined ? 'VERDICT_UNKNOWN' : String(rawVerdict)
  const dropDesc = str(field(flow, 'drop_reason_desc', 'dropReasonDesc'))
  const dropCode = field(flow, 'drop_reason', 'dropReason')
  const l7 = flow.Type === 'L7' || flow.l7 !== undefined
  let verdict: FlowVerdict
  let reason: string | undefined
  let notAStart = false
  switch (word) {
    case 'FORWARDED':
    case 'REDIRECTED':
      verdict = 'allowed'
      break
    case 'AUDIT':
      verdict = 'audited'
      reason = dropDesc
      break
    case 'DROPPED': {
      const why = dropDesc ?? (typeof dropCode === 'number' && dropCode !== 0 ? String(dropCode) : undefined)
      if (l7) {
        verdict = 'unknown'
        reason = 'dropped by an L7 rule (not NetworkPolicy)'
      } else if (why !== undefined && POLICY_DROPS.has(why)) {
        verdict = 'denied'
        reason = dropDesc ?? (why === '181' ? 'POLICY_DENY' : 'POLICY_DENIED')
        const by = deniedBy(flow)
        if (by !== '') reason += ` by ${by}`
      } else {
        verdict = 'unknown'
        reason = why === undefined ? 'dropped, reason not given (not known to be policy)' : `dropped: ${why} (not by policy)`
      }
      break
    }
    case 'ERROR':
    case 'VERDICT_UNKNOWN':
      verdict = 'unknown'
      if (word === 'ERROR') reason = 'error'
      break
    case 'TRACED':
    case 'TRANSLATED':
      verdict = 'unknown'
      notAStart = true
      break
    default:
      return issue(`unknown verdict ${JSON.stringify(rawVerdict)}`)
  }

  // addresses and ends
  const ipObj = obj(flow.IP) ?? {}
  const source = cachedEndpoint(cache, obj(flow.source), ipObj.source, 'IP.source')
  if (typeof source === 'string') return issue(source)
  const destination = cachedEndpoint(cache, obj(flow.destination), ipObj.destination, 'IP.destination')
  if (typeof destination === 'string') return issue(destination)
  if (!named(source) || !named(destination)) return issue(`no ${named(source) ? 'destination' : 'source'} address or name`)

  // transport
  const l4 = obj(flow.l4)
  let protocol: FlowProtocol = 'other'
  let port: number | undefined
  let sourcePort: number | undefined
  let start = true
  let synAck = false
  const t = l4 && (obj(l4.TCP) ?? obj(l4.UDP) ?? obj(l4.SCTP))
  if (l4 !== undefined && t !== undefined) {
    protocol = l4.TCP !== undefined ? 'TCP' : l4.UDP !== undefined ? 'UDP' : 'SCTP'
    const p = field(t, 'destination_port', 'destinationPort')
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535) return issue(`l4.${protocol}.destination_port: expected a port 1-65535, got ${JSON.stringify(p)}`)
    port = p
    const sp = field(t, 'source_port', 'sourcePort')
    if (typeof sp === 'number') sourcePort = sp
    if (protocol === 'TCP') {
      const flags = obj(t.flags)
      if (flags !== undefined) {
        start = flags.SYN === true && flags.ACK !== true
        synAck = flags.SYN === true && flags.ACK === true
      }
    } else if (protocol === 'SCTP') {
      const chunk = str(field(t, 'chunk_type', 'chunkType'))
      if (chunk !== undefined) start = chunk === 'INIT'
    }
  }
  const reply = field(flow, 'is_reply', 'isReply') ?? flow.reply
  if (reply === true || !start || l7 || flow.Type === 'SOCK') notAStart = true
  // the reply's direction is the connection's reversed; without is_reply, a SYN-ACK is a reply all the same
  const isReply = reply === true || (reply === undefined && synAck)

  const dir = field(flow, 'traffic_direction', 'trafficDirection')
  const observedAt = dir === 'EGRESS' ? 'source' : dir === 'INGRESS' ? 'destination' : undefined
  const timeText = str(top.time) ?? str(flow.time)
  const ms = timeText === undefined ? NaN : Date.parse(timeText)
  const observer = str(field(top, 'node_name', 'nodeName')) ?? str(field(flow, 'node_name', 'nodeName'))
  // one shape for every record (absent fields are undefined), which keeps a million of them cheap to make
  const record: FlowRecord = {
    format: 'hubble',
    file,
    line,
    time: Number.isFinite(ms) ? ms : undefined,
    source,
    destination,
    protocol,
    port,
    verdict,
    count: 1,
    notAStart: notAStart || undefined,
    reply: (notAStart && isReply) || undefined,
    reason,
    observer,
    observedAt,
    sourcePort,
  }
  return [record]
}

const named = (e: FlowEndpoint) => e.ip !== undefined || e.pod !== undefined || e.workload !== undefined || e.kind !== 'unknown'

/** `ingress_denied_by` / `egress_denied_by` (Cilium 1.15+): the policies that denied, as `ns/name` */
function deniedBy(flow: Json): string {
  const names: string[] = []
  for (const k of ['ingress_denied_by', 'egress_denied_by', 'ingressDeniedBy', 'egressDeniedBy']) {
    const list = flow[k]
    if (!Array.isArray(list)) continue
    for (const p of list) {
      const o = obj(p)
      const name = o && str(o.name)
      if (name !== undefined) names.push(str(o!.namespace) !== undefined ? `${o!.namespace}/${name}` : name)
    }
  }
  return names.join(', ')
}

type Kind = FlowEndpoint['kind']

/** the end of `e` at address `ipValue`, or what is wrong with the address; parsed once per distinct end */
function cachedEndpoint(cache: Map<string, FlowEndpoint | string>, e: Json | undefined, ipValue: unknown, path: string): FlowEndpoint | string {
  const ipText = str(ipValue)
  let key = ipText ?? ''
  if (e !== undefined) {
    const wl = Array.isArray(e.workloads) ? obj(e.workloads[0]) : undefined
    key += `\n${e.namespace}\n${e.pod_name ?? e.podName}\n${wl?.name}\n${wl?.kind}`
    // Cilium allocates one security identity per label set, so with the address and names it stands for the
    // labels (new labels, new identity) and spares joining them on every line; without one, the labels are the key
    if (typeof e.identity === 'number' && e.identity > 0 && Array.isArray(e.labels)) key += `\n#${e.identity}/${e.labels.length}`
    else if (Array.isArray(e.labels)) key += `\n${e.labels.join('\n')}`
  }
  let v = cache.get(key)
  if (v === undefined) {
    const ip = ipText === undefined ? undefined : parseIp(ipText)
    v = ip === null ? `${path}: not an IP address: ${JSON.stringify(ipText)}` : endpoint(e, ip)
    if (cache.size >= 200_000) cache.clear()
    cache.set(key, v)
  }
  return v
}

function endpoint(e: Json | undefined, ip: IpAddress | undefined): FlowEndpoint {
  let namespace = e && str(e.namespace)
  const pod = e && str(field(e, 'pod_name', 'podName'))
  const labels: Record<string, string> = {}
  let nLabels = 0
  let reserved: Kind | undefined
  let apiserver = false
  let world = false
  const list = e?.labels
  if (Array.isArray(list)) {
    for (const l of list) {
      if (typeof l !== 'string') continue
      const colon = l.indexOf(':')
      const src = colon < 0 ? '' : l.slice(0, colon)
      const rest = l.slice(colon + 1)
      if (src === 'k8s') {
        const eq = rest.indexOf('=')
        const key = eq < 0 ? rest : rest.slice(0, eq)
        const value = eq < 0 ? '' : rest.slice(eq + 1)
        if (key === 'io.kubernetes.pod.namespace') namespace ??= value
        else if (!CILIUM_KEYS.test(key)) {
          labels[key] = value
          nLabels++
        }
      } else if (src === 'reserved') {
        if (rest === 'host' || rest === 'remote-node' || rest === 'health') reserved = 'host'
        else if (rest.startsWith('world')) world = true
        else if (rest === 'kube-apiserver') apiserver = true
      } else if (src === 'cidr' || src === 'fqdn') world = true
    }
  }
  const wl = e && Array.isArray(e.workloads) ? obj(e.workloads[0]) : undefined
  const wlName = wl && str(wl.name)
  const kind: Kind = reserved ?? (pod !== undefined || wlName !== undefined ? 'pod' : world || apiserver ? 'world' : nLabels > 0 && namespace !== undefined ? 'pod' : 'unknown')
  return {
    ...(ip !== undefined ? { ip } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(pod !== undefined ? { pod } : {}),
    ...(wlName !== undefined ? { workload: { name: wlName, ...(str(wl!.kind) !== undefined ? { kind: str(wl!.kind) } : {}) } } : {}),
    ...(nLabels > 0 ? { labels } : {}),
    kind,
  }
}
