/**
 * Calico flow logs: Felix's `flows.log` (one JSON object per line, the fields of Calico Enterprise/Cloud's flow
 * log reference) and the Elasticsearch document of the same fields, bare or as a search hit (`{"_source": …}`).
 * Unknown fields are ignored.
 *
 * Decisions:
 * - `source_type`/`dest_type`: `wep` (workload endpoint) → pod; `hep` (host endpoint) → host; `net` (`pub`/`pvt`)
 *   → world; `ns` (a NetworkSet: addresses outside the pods, named) → world.
 * - `-` is "no value" in every field. With the default aggregation an allowed flow carries no address
 *   (`source_ip: "-"`, `source_name: "-"`, `source_name_aggr: "web-7d9f8c-*"` or `pub`/`pvt`): the end has no
 *   `ip`, `aggregated` is the aggregated name and `workload` the name before `-*` (kind unknown: a ReplicaSet's
 *   or the pod's generateName), so the resolver can resolve it by name where it can and report it undecidable
 *   otherwise. An address is never guessed.
 * - `dest_port` is the pod's port (after Service translation); `dest_service_*` is ignored.
 * - `proto`: 6/17/132 or `tcp`/`udp`/`sctp` → TCP/UDP/SCTP; anything else (1 icmp, 58 icmp6) → other.
 * - `action`: allow → allowed, deny → denied (reason: the `enforced_policies`, else `all_policies`, hits
 *   `idx|tier|name|action|rule`, and `pending_policies` marked as such).
 * - `reporter`: src → observedAt source, dst → destination; `host` → observer (the reporter when `host` is absent).
 *   A flow both ends report is two lines; the resolver collapses them.
 * - `num_flows_started` → count; a record that started none (connections open from an earlier interval) is not a
 *   start and stands for its `num_flows`.
 * - `start_time` (unix seconds) → time in milliseconds.
 */
import { parseIp } from '../model/ip.js'
import type { FlowEndpoint, FlowInputIssue, FlowLineReader, FlowProtocol, FlowRecord } from './flow-record.js'
import { jsonLine, jsonObject as obj, type JsonObject as Json } from './json-line.js'


/** a string that is not Calico's "no value" `-` */
const val = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' && v !== '-' ? v : typeof v === 'number' ? String(v) : undefined)

const PROTOCOLS: Record<string, FlowProtocol> = { '6': 'TCP', '17': 'UDP', '132': 'SCTP', tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' }

export function calicoReader(file = '<input>'): FlowLineReader {
  return { line: (text, lineNo) => readCalicoLine(text, lineNo, file) }
}

/** One line → its record (none for a blank line), or the issue. Never throws. */
export function readCalicoLine(text: string, line: number, file: string): FlowRecord[] | FlowInputIssue {
  const issue = (message: string): FlowInputIssue => ({ file, line, message })
  const read = jsonLine(text, file, line)
  if (read === null) return []
  if (!read.ok) return read.issue
  const top = read.value
  const f = obj(top._source) ?? top
  if (f.dest_port === undefined && f.source_ip === undefined && f.reporter === undefined && f.action === undefined) {
    return issue('not a Calico flow log record (no "source_ip", "dest_port", "reporter" or "action")')
  }

  const source = endpoint(f, 'source')
  if (typeof source === 'string') return issue(source)
  const destination = endpoint(f, 'dest')
  if (typeof destination === 'string') return issue(destination)
  if (!named(source)) return issue('no source address or name')
  if (!named(destination)) return issue('no destination address or name')

  const protoText = String(f.proto ?? '').toLowerCase()
  const protocol: FlowProtocol = PROTOCOLS[protoText] ?? 'other'
  let port: number | undefined
  if (protocol !== 'other') {
    const p = Number(f.dest_port)
    if (!Number.isInteger(p) || p < 1 || p > 65535) return issue(`dest_port: expected a port 1-65535, got ${JSON.stringify(f.dest_port)}`)
    port = p
  }

  const action = String(f.action ?? '')
  if (action !== 'allow' && action !== 'deny') return issue(`action: expected "allow" or "deny", got ${JSON.stringify(f.action)}`)
  const reporter = f.reporter === 'src' ? 'source' : f.reporter === 'dst' ? 'destination' : undefined
  const reason = policyReason(obj(f.policies))

  const started = Number(f.num_flows_started)
  const flows = Number(f.num_flows)
  const notAStart = Number.isFinite(started) && started === 0
  const count = !Number.isFinite(started) ? 1 : notAStart ? (Number.isFinite(flows) && flows > 0 ? flows : 1) : started
  const t = Number(f.start_time)
  const observer = val(f.host) ?? val(f.reporter)
  const sp = Number(val(f.source_port))
  return [
    {
      format: 'calico',
      file,
      line,
      ...(Number.isFinite(t) && t > 0 ? { time: t * 1000 } : {}),
      source,
      destination,
      protocol,
      ...(port !== undefined ? { port } : {}),
      verdict: action === 'allow' ? 'allowed' : 'denied',
      count,
      ...(notAStart ? { notAStart } : {}),
      ...(reason !== undefined ? { reason } : {}),
      ...(observer !== undefined ? { observer } : {}),
      ...(reporter !== undefined ? { observedAt: reporter } : {}),
      ...(Number.isInteger(sp) && sp > 0 ? { sourcePort: sp } : {}),
    },
  ]
}

const named = (e: FlowEndpoint) => e.ip !== undefined || e.pod !== undefined || e.aggregated !== undefined || e.kind !== 'unknown'

const KINDS: Record<string, FlowEndpoint['kind']> = { wep: 'pod', hep: 'host', net: 'world', ns: 'world' }

/** `source_*` or `dest_*` → the end, or what is wrong with it */
function endpoint(f: Json, side: 'source' | 'dest'): FlowEndpoint | string {
  const ipText = val(f[`${side}_ip`])
  const ip = ipText === undefined ? undefined : parseIp(ipText)
  if (ip === null) return `${side}_ip: not an IP address: ${JSON.stringify(ipText)}`
  const type = val(f[`${side}_type`])
  const kind = (type !== undefined ? KINDS[type] : undefined) ?? 'unknown'
  const namespace = val(f[`${side}_namespace`])
  const name = val(f[`${side}_name`])
  const aggr = val(f[`${side}_name_aggr`])
  const labels = readLabels(f[`${side}_labels`])
  const workload = aggr !== undefined && aggr.endsWith('-*') && aggr.length > 2 ? { name: aggr.slice(0, -2) } : undefined
  return {
    ...(ip !== undefined ? { ip } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined && kind === 'pod' ? { pod: name } : {}),
    ...(workload !== undefined && kind === 'pod' ? { workload } : {}),
    ...(labels !== undefined ? { labels } : {}),
    kind,
    ...(ip === undefined && name === undefined && aggr !== undefined ? { aggregated: aggr } : {}),
  }
}

/** `{labels: ["k=v", …]}` or `["k=v", …]` (or a map, as some exports write it) */
function readLabels(v: unknown): Record<string, string> | undefined {
  const list = Array.isArray(v) ? v : obj(v) && Array.isArray(obj(v)!.labels) ? (obj(v)!.labels as unknown[]) : undefined
  const out: Record<string, string> = {}
  let n = 0
  if (list !== undefined) {
    for (const l of list) {
      if (typeof l !== 'string' || l === '') continue
      const eq = l.indexOf('=')
      out[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1)
      n++
    }
  } else if (obj(v) !== undefined && obj(v)!.labels === undefined) {
    for (const [k, x] of Object.entries(obj(v)!)) {
      if (typeof x === 'string') {
        out[k] = x
        n++
      }
    }
  }
  return n > 0 ? out : undefined
}

/** `policies.{enforced,all,pending}_policies` hits, `idx|tier|name|action|rule`, as one reason */
function policyReason(p: Json | undefined): string | undefined {
  if (p === undefined) return undefined
  const list = (k: string) => (Array.isArray(p[k]) ? (p[k] as unknown[]).filter((s): s is string => typeof s === 'string') : [])
  const hits = list('enforced_policies').length > 0 ? list('enforced_policies') : list('all_policies')
  const pending = list('pending_policies')
  const parts = [...hits, ...pending.map((s) => `pending ${s}`)]
  return parts.length > 0 ? parts.join('; ') : undefined
}
