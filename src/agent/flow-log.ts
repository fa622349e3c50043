/**
 * The flow log: the ruleset logs the first packets of connections it denies (enforce) or would deny (audit) to
 * nflog group N, and with `--flow-log-all` the first packet of every new connection it accepts for a managed pod
 * (see dataplane/accept-log.ts); ulogd2 turns each into a JSON line; this turns those into one JSON line per
 * connection with the pods on both ends and the reason in the engine's words, deduplicated per flow and
 * rate-limited (allowed lines under a rate of their own, so that busy allowed traffic never hides a denial).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Cluster, Pod } from '../model/cluster.js'
import { parseIp, type IpAddress } from '../model/ip.js'
import { formatRef, type Direction } from '../model/policy.js'
import type { Protocol } from '../model/port.js'
import { evaluateFlow, type Endpoint, type SideVerdict } from '../engine/index.js'
import { chainText } from '../report/tier-words.js'
import { clusterView, type ClusterView } from './cluster-view.js'
import { LOG_PREFIX } from '../dataplane/compile-policies.js'
import { UNKNOWN_LOG_WORD } from '../dataplane/unknown-pods.js'
import { ACCEPT_LOG_WORD } from '../dataplane/accept-log.js'
import { findTierPolicy, parseTierRuleWords, type ParsedTierRule } from '../dataplane/tier-log-words.js'
import { SHORT_KIND, type Tier } from '../model/cluster-policy.js'

/** One packet as ulogd2's JSON output plugin describes it (the fields netpol reads). */
export interface LoggedPacket {
  /** milliseconds since the epoch */
  readonly time: number
  readonly verdict: FlowVerdict
  readonly direction: Direction
  readonly src: IpAddress
  readonly dst: IpAddress
  readonly protocol: Protocol
  readonly port: number
  /** logged by the unknown-pod guard: the address on the `direction` side is in the node's pod CIDRs, no known pod's */
  readonly unknownPod?: true
  /** logged by the Deny rule of a cluster policy (Admin or Baseline tier) */
  readonly tierRule?: ParsedTierRule
}

export interface FlowEnd {
  readonly ip: string
  readonly namespace?: string
  readonly pod?: string
}

/** denied: dropped (enforce); audited: would be dropped, let through (audit); allowed: accepted (--flow-log-all) */
export type FlowVerdict = 'denied' | 'audited' | 'allowed'

export interface FlowLogEntry {
  readonly time: string
  readonly verdict: FlowVerdict
  readonly direction: Direction
  readonly protocol: Protocol
  readonly port: number
  readonly src: FlowEnd
  readonly dst: FlowEnd
  readonly reason: string
  /** denied by a cluster policy: its tier, the policy (`cnp/NAME`, `anp/NAME`, `banp/NAME`) and the rule (`egress[0]`) */
  readonly tier?: Tier
  readonly policy?: string
  readonly rule?: string
  /** identical lines left out since the last one for this flow */
  readonly repeated?: number
}

const PROTOCOLS: Record<number, Protocol> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' }
// `netpol drop egress`, `netpol audit ingress unknown`, `netpol drop egress [Admin] cnp/NAME egress[0]`, `netpol accept ingress`
const PREFIX = new RegExp(`^${LOG_PREFIX} (?:(drop|audit) (ingress|egress)(?:( ${UNKNOWN_LOG_WORD})| (\\[.*))?|${ACCEPT_LOG_WORD} (ingress|egress))$`)

type Json = Record<string, unknown>

/** One line of ulogd2 JSON output → the packet, or null for lines that are not netpol's or not understood. */
export function parseUlogdLine(line: string): LoggedPacket | null {
  let doc: unknown
  try {
    doc = JSON.parse(line)
  } catch {
    return null
  }
  if (typeof doc !== 'object' || doc === null) return null
  const j = doc as Json
  const m = PREFIX.exec(String(j['oob.prefix'] ?? ''))
  const src = parseIp(String(j.src_ip ?? ''))
  const dst = parseIp(String(j.dest_ip ?? ''))
  const protocol = PROTOCOLS[Number(j['ip.protocol'] ?? j['ip6.nexthdr'] ?? -1)]
  const port = Number(j.dest_port ?? j['sctp.dport'] ?? NaN)
  if (!m || src === null || dst === null || protocol === undefined || !Number.isInteger(port)) return null
  const sec = Number(j['oob.time.sec'])
  const usec = Number(j['oob.time.usec'] ?? 0)
  const time = Number.isFinite(sec) ? sec * 1000 + Math.floor(usec / 1000) : Date.parse(String(j.timestamp ?? '')) || Date.now()
  if (m[5] !== undefined) return { time, verdict: 'allowed', direction: m[5] as Direction, src, dst, protocol, port }
  const tierRule = m[4] === undefined ? null : parseTierRuleWords(m[4])
  if (m[4] !== undefined && (tierRule === null || tierRule.direction !== m[2])) return null
  return {
    time,
    verdict: m[1] === 'drop' ? 'denied' : 'audited',
    direction: m[2] as Direction,
    src,
    dst,
    protocol,
    port,
    ...(m[3] !== undefined ? { unknownPod: true as const } : {}),
    ...(tierRule !== null ? { tierRule } : {}),
  }
}

const podRef = (p: Pod) => `${p.namespace}/${p.name}`

/** The entry for one packet, with the engine's reason for the side that logged it. Pure. */
export function describePacket(view: ClusterView, p: LoggedPacket): FlowLogEntry {
  const end = (e: Endpoint): FlowEnd => (e.kind === 'pod' ? { ip: e.ip!.text, namespace: e.pod.namespace, pod: e.pod.name } : { ip: e.ip.text })
  const from = view.endpoint(p.src)
  const to = view.endpoint(p.dst)
  const v = evaluateFlow(view.index, { from, to, port: p.port, protocol: p.protocol })
  const side = p.direction === 'ingress' ? v.ingress : v.egress
  const who = p.direction === 'ingress' ? `ingress to ${name(to)}` : `egress of ${name(from)}`
  if (p.verdict === 'allowed') {
    // both ends' sides: what a policy written from this log has to keep allowing
    const sides = [from.kind === 'pod' ? `egress of ${name(from)}: ${allowedReason(v.egress)}` : null, to.kind === 'pod' ? `ingress to ${name(to)}: ${allowedReason(v.ingress)}` : null]
    return { time: new Date(p.time).toISOString(), verdict: p.verdict, direction: p.direction, protocol: p.protocol, port: p.port, src: end(from), dst: end(to), reason: sides.filter((x) => x !== null).join('; ') || 'not a pod on either end' }
  }
  const head = { time: new Date(p.time).toISOString(), verdict: p.verdict, direction: p.direction, protocol: p.protocol, port: p.port, src: end(from), dst: end(to) }
  if (p.tierRule !== undefined) {
    // the words are the engine's, under the policies in force now; the fields say which rule the kernel ran
    const r = p.tierRule
    const name = findTierPolicy(view.index.cluster.clusterPolicies, r)?.name ?? r.name ?? `#${r.hash}`
    return { ...head, reason: `${who}: ${sideReason(side)}`, tier: r.tier, policy: `${SHORT_KIND[r.kind]}/${name}`, rule: `${r.direction}[${r.index}]` }
  }
  return { ...head, reason: p.unknownPod ? `${who}: unknown pod address (in the pod CIDRs of this node, no pod known there yet: its rules are not in)` : `${who}: ${sideReason(side)}` }
}

const name = (e: Endpoint) => (e.kind === 'pod' ? podRef(e.pod) : e.ip.text)

/** Why one side let an accepted connection through, as the engine sees it now. */
function allowedReason(v: SideVerdict): string {
  switch (v.kind) {
    case 'allowed':
      return `allowed by ${[...new Set(v.allowedBy.map((h) => `${formatRef(h.policy)} ${h.direction}[${h.rule}]`))].join(', ')}`
    case 'not-isolated':
      return 'not isolated'
    case 'denied':
      return `isolated by ${v.isolatedBy.map(formatRef).join(', ')}; no rule matched under the policies in force now (accepted under an earlier ruleset)`
    case 'not-a-pod':
      return 'not a pod under the manifests in force now'
    case 'self':
      return 'a pod connecting to itself is always allowed'
    case 'from-node':
      return "traffic from the pod's node is always allowed"
    case 'admin':
    case 'admin-pass':
    case 'baseline':
    case 'dns':
      return chainText(v)!
  }
}

function sideReason(v: SideVerdict): string {
  switch (v.kind) {
    case 'denied':
      return `isolated by ${v.isolatedBy.map(formatRef).join(', ')}; no rule matched`
    case 'allowed':
      return `allowed by ${formatRef(v.allowedBy[0]!.policy)} under the policies in force now (logged under an earlier ruleset)`
    case 'not-isolated':
      return 'not isolated under the policies in force now (logged under an earlier ruleset)'
    case 'not-a-pod':
      return 'not a pod under the manifests in force now (logged under an earlier ruleset)'
    case 'self':
      return 'a pod connecting to itself is always allowed'
    case 'from-node':
      return "traffic from the pod's node is always allowed"
    case 'admin':
    case 'admin-pass':
    case 'baseline':
    case 'dns':
      return chainText(v)!
  }
}

export interface FlowLogOptions {
  /** where each JSON line goes (with its newline) */
  readonly write: (line: string) => void
  /** denied and audited lines per second at most; default 100 */
  readonly maxPerSecond?: number
  /** write allowed lines (`--flow-log-all`); without it they are ignored */
  readonly allowed?: boolean
  /** allowed lines per second at most, apart from the others; default 100 */
  readonly maxAllowedPerSecond?: number
  /** one line per flow (ends, protocol, port, verdict) in this window; default 10 s */
  readonly dedupeMs?: number
  readonly now?: () => number
  /** told of every denied or audited packet, before deduplication (metrics) */
  readonly onPacket?: (e: FlowLogEntry) => void
}

export interface FlowLogStats {
  received: number
  written: number
  duplicates: number
  rateLimited: number
  unparsed: number
  /** allowed lines received while `allowed` is off (a ruleset of an earlier `--flow-log-all`) */
  ignored: number
}

/** Turns ulogd lines into flow log lines. Lines that arrive before the first `setCluster` are dropped. */
export class FlowLog {
  private view: ClusterView | null = null
  private readonly seen = new Map<string, { until: number; repeated: number }>()
  private readonly buckets: { denied: TokenBucket; allowed: TokenBucket }
  readonly stats: FlowLogStats = { received: 0, written: 0, duplicates: 0, rateLimited: 0, unparsed: 0, ignored: 0 }

  constructor(private readonly opts: FlowLogOptions) {
    const now = this.now()
    this.buckets = { denied: new TokenBucket(opts.maxPerSecond ?? 100, now), allowed: new TokenBucket(opts.maxAllowedPerSecond ?? 100, now) }
  }

  private now(): number {
    return (this.opts.now ?? Date.now)()
  }

  setCluster(cluster: Cluster): void {
    this.view = clusterView(cluster)
  }

  /** Takes one ulogd line; returns the entry written, or null (not netpol's, duplicate, or over the rate). */
  ingest(line: string): FlowLogEntry | null {
    const p = parseUlogdLine(line)
    if (p === null || this.view === null) {
      this.stats.unparsed++
      return null
    }
    if (p.verdict === 'allowed' && this.opts.allowed !== true) {
      this.stats.ignored++
      return null
    }
    this.stats.received++
    // an allowed line is only described once it is known to be written: there are many more of them
    let entry = p.verdict === 'allowed' ? null : describePacket(this.view, p)
    if (entry !== null) this.opts.onPacket?.(entry)
    const now = this.now()
    const key = `${p.verdict} ${p.direction} ${p.src.text} ${p.dst.text} ${p.protocol} ${p.port}`
    const prev = this.seen.get(key)
    if (prev !== undefined && prev.until > now) {
      prev.repeated++
      this.stats.duplicates++
      return null
    }
    if (!this.buckets[p.verdict === 'allowed' ? 'allowed' : 'denied'].take(now)) {
      this.stats.rateLimited++
      return null
    }
    if (this.seen.size > 10_000) for (const [k, s] of this.seen) if (s.until <= now) this.seen.delete(k)
    this.seen.set(key, { until: now + (this.opts.dedupeMs ?? 10_000), repeated: 0 })
    entry ??= describePacket(this.view, p)
    const out = prev !== undefined && prev.repeated > 0 ? { ...entry, repeated: prev.repeated } : entry
    this.opts.write(`${JSON.stringify(out)}\n`)
    this.stats.written++
    return out
  }

}

class TokenBucket {
  private tokens: number
  constructor(private readonly rate: number, private refilled: number) {
    this.tokens = rate
  }

  take(now: number): boolean {
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.refilled) / 1000) * this.rate)
    this.refilled = now
    if (this.tokens < 1) return false
    this.tokens--
    return true
  }
}

/** Where Debian and others put ulogd's plugins. */
export function findUlogdPlugins(): string | null {
  const candidates = ['/usr/lib/ulogd', '/usr/lib64/ulogd']
  try {
    for (const d of readdirSync('/usr/lib')) if (d.endsWith('-linux-gnu')) candidates.unshift(join('/usr/lib', d, 'ulogd'))
  } catch {
    // no /usr/lib: keep the fixed candidates
  }
  return candidates.find((d) => existsSync(join(d, 'ulogd_output_JSON.so'))) ?? null
}

/** ulogd's configuration: nflog group → JSON lines on the unix socket `socket`. */
export function ulogdConfig(group: number, pluginDir: string, socket: string, logfile: string): string {
  const plugin = (name: string) => `plugin="${join(pluginDir, name)}"`
  return [
    '[global]',
    `logfile="${logfile}"`,
    'loglevel=5',
    plugin('ulogd_inppkt_NFLOG.so'),
    plugin('ulogd_raw2packet_BASE.so'),
    plugin('ulogd_filter_IP2STR.so'),
    plugin('ulogd_output_JSON.so'),
    'stack=log1:NFLOG,base1:BASE,ip2str1:IP2STR,json1:JSON',
    '',
    '[log1]',
    `group=${group}`,
    '',
    '[json1]',
    'sync=1',
    'mode="unix"',
    `file="${socket}"`,
    '',
  ].join('\n')
}

export interface UlogdCollector {
  stop(): Promise<void>
}

/**
 * Runs ulogd2 (inside `netns` when given: nflog is per network namespace) reading nflog `group`, and calls
 * `onLine` with each JSON line it writes. ulogd connects to a unix socket this process listens on; its own
 * log stays in a temporary directory that `stop()` removes.
 */
export async function startUlogd(opts: { group: number; netns?: string; onLine: (line: string) => void; onExit?: (code: number | null, log: string) => void }): Promise<UlogdCollector> {
  const pluginDir = findUlogdPlugins()
  if (pluginDir === null) throw new Error('ulogd2 plugins not found: install ulogd2 and ulogd2-json')
  const dir = await mkdtemp(join(tmpdir(), 'netpol-ulogd-'))
  const socket = join(dir, 'flows.sock')
  const conf = join(dir, 'ulogd.conf')
  const logfile = join(dir, 'ulogd.log')
  await writeFile(conf, ulogdConfig(opts.group, pluginDir, socket, logfile))
  const server: Server = createServer((conn) => {
    let buf = ''
    conn.setEncoding('utf8')
    conn.on('data', (chunk: string) => {
      buf += chunk
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim()
        buf = buf.slice(nl + 1)
        if (line !== '') opts.onLine(line)
      }
    })
    conn.on('error', () => {})
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(socket, () => resolve())
  })
  const argv = [...(opts.netns !== undefined ? ['ip', 'netns', 'exec', opts.netns] : []), 'ulogd', '-c', conf]
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()))
  let exited = false
  let stopping = false
  child.on('exit', (code) => {
    exited = true
    // an exit that stop() asked for is not news
    if (!stopping) opts.onExit?.(code, stderr)
  })
  return {
    async stop() {
      stopping = true
      if (!exited) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()))
        child.kill('SIGTERM')
        await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))])
      }
      await new Promise<void>((r) => server.close(() => r()))
      await rm(dir, { recursive: true, force: true })
    },
  }
}
