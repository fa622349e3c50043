/**
 * Records → connections, resolved against a cluster: each end to a pod of the input (by name, else by address),
 * an outside address or the node; replies, packets of established connections and the duplicates of one
 * connection (two nodes, trace and verdict) collapsed into the connection they belong to.
 *
 * Rules (the contract `audit` and `generate` rely on):
 * - An end is resolved, in this order: by namespace + pod name when the record names one (a pod of the cluster;
 *   a hostNetwork pod is its node); else by the workload the record names, or the workload the pod's name says
 *   it belongs to (`web-7d9f8b6c5-x2x4k` → ReplicaSet `web-7d9f8b6c5` → Deployment `web`), but only a workload
 *   the cluster's pods name in their owner chain (`Pod.workloads`) or a workload template of the input; else by
 *   address: a pod's address, a node's address (a pod's hostIP, or a hostNetwork pod's address) → the node,
 *   a Service's clusterIP/externalIP → unresolved (flows are read as observed after the Service's translation,
 *   as Hubble and Calico report them: a record before translation names no pod), any other address → external.
 *   An end the observer calls host is the node; world is an external address.
 * - An end without an address that its name does not resolve is undecidable when the record was aggregated
 *   (Calico `pub`, `pvt`, `name-*`): the answer depends on an address that is not there and is never guessed;
 *   otherwise it is unresolvable. Either way the record makes no connection; the reasons are counted.
 * - Records outside [since, until) are left out (a record without a time is kept); records of a protocol
 *   NetworkPolicy cannot express (ICMP, …) are counted in `otherProtocol`.
 * - A record that is not the start of a connection (`notAStart`: a reply, an established packet, a trace point)
 *   is counted in `collapsed` and folded into the connection it belongs to: a reply's connection is the record's
 *   direction reversed, to the record's source port (a reply that does not say it belongs to nothing). When no
 *   record started that connection, it is still evidence of it: a connection that started before the capture
 *   (`startedBefore`, counted in the stats), which stands for the most that one of its records stands for.
 * - Duplicate reports of one start: two records of the same addresses (names where there is no address),
 *   protocol, port and source port (when the records give it) within 1 s of each other are one connection, and
 *   so are two such records without a source port from different observers (both nodes, both Calico reporters);
 *   the later is counted in `collapsed`. (No format carries a connection id: without the source port, two
 *   connections started within that second seen by different observers count once.)
 * - One ObservedConnection per (resolved source, resolved destination, protocol, port): `count` sums the counts
 *   of the records that started one, `verdict` is the strongest of its records (denied > audited > allowed >
 *   unknown), first and last seen span all of them.
 */
import type { Cluster, Pod, Service } from '../model/cluster.js'
import type { IpAddress } from '../model/ip.js'
import type { FlowEndpoint, FlowRecord, FlowVerdict } from './flow-record.js'
import type { FlowStats, ObservedConnection, ObservedEnd } from './observed.js'

export interface ResolveOptions {
  /** milliseconds since the epoch: records outside [since, until) are counted in `outsideWindow` and left out */
  readonly since?: number
  readonly until?: number
}

export interface ResolveResult {
  readonly connections: ObservedConnection[]
  readonly stats: Omit<FlowStats, 'lines' | 'unreadable'>
  /** why records could not be resolved or decided, with a count each, for the summary */
  readonly unresolved: ReadonlyMap<string, number>
}

/** Two start records of one connection from different observers are at most this far apart. */
export const DUPLICATE_WINDOW_MS = 1000

const RANK: Record<FlowVerdict, number> = { unknown: 0, allowed: 1, audited: 2, denied: 3 }

type Resolved = ObservedEnd | { readonly kind: 'undecidable'; readonly why: string }

/** What resolving looks up, built once per cluster. */
export class FlowResolver {
  private readonly byName = new Map<string, Pod>()
  private readonly byIp = new Map<string, Pod>()
  private readonly nodeIps = new Set<string>()
  private readonly services = new Map<string, Service>()
  /** `ns/name` of every workload a pod names or a template stands for → one pod that stands for it */
  private readonly workloads = new Map<string, Pod>()

  constructor(cluster: Cluster) {
    for (const p of cluster.pods) {
      this.byName.set(`${p.namespace}/${p.name}`, p)
      for (const ip of p.hostIPs) this.nodeIps.add(ip.text)
      if (p.hostNetwork) for (const ip of p.ips) this.nodeIps.add(ip.text)
      else for (const ip of p.ips) if (!this.byIp.has(ip.text)) this.byIp.set(ip.text, p)
      if (p.template) this.addWorkload(p.namespace, p.template.name, p)
      for (const w of p.workloads ?? []) this.addWorkload(p.namespace, w.name, p)
    }
    for (const s of cluster.services) for (const ip of [...(s.clusterIPs ?? []), ...(s.externalIPs ?? [])]) this.services.set(ip.text, s)
  }

  private addWorkload(ns: string, name: string, p: Pod): void {
    const key = `${ns}/${name}`
    const had = this.workloads.get(key)
    // prefer a real pod with an address over a template: the engine then sees the address ipBlocks match
    if (had === undefined || (had.ips.length === 0 && p.ips.length > 0)) this.workloads.set(key, p)
  }

  /** The workload `name` (or the one its pod-name form says: NAME-HASH-SUFFIX, NAME-ORDINAL, NAME-*) in `ns`. */
  workload(ns: string, name: string): Pod | undefined {
    let n = name.replace(/-\*$/, '')
    for (let i = 0; i < 3; i++) {
      const p = this.workloads.get(`${ns}/${n}`)
      if (p) return p
      const m = /^(.+)-([a-z0-9]{1,10})$/.exec(n)
      if (!m) return undefined
      n = m[1]!
    }
    return undefined
  }

  end(e: FlowEndpoint): Resolved {
    if (e.namespace !== undefined && e.pod !== undefined) {
      const p = this.byName.get(`${e.namespace}/${e.pod}`)
      if (p) return p.hostNetwork ? { kind: 'node', ...(p.ips[0] ? { ip: p.ips[0] } : {}) } : { kind: 'pod', pod: p }
    }
    if (e.namespace !== undefined) {
      const names = [e.workload?.name, e.pod, e.aggregated].filter((x): x is string => x !== undefined)
      for (const n of names) {
        const w = this.workload(e.namespace, n)
        if (w) return w.hostNetwork ? { kind: 'node' } : { kind: 'pod', pod: w }
      }
    }
    if (e.ip !== undefined) return this.byAddress(e.ip, e)
    if (e.kind === 'host' || e.kind === 'host-network') return { kind: 'node' }
    const named = e.namespace !== undefined ? `${e.namespace}/${e.pod ?? e.workload?.name ?? e.aggregated ?? '?'}` : e.aggregated ?? e.kind
    if (e.aggregated !== undefined) return { kind: 'undecidable', why: `aggregated end "${named}" carries no address and names no workload of the cluster` }
    if (e.namespace !== undefined) return { kind: 'unresolved', why: `no pod or workload ${named} in the cluster` }
    return { kind: 'unresolved', why: `an end with no address and no name (${e.kind})` }
  }

  private byAddress(ip: IpAddress, e: FlowEndpoint): Resolved {
    const p = this.byIp.get(ip.text)
    if (p) return { kind: 'pod', pod: p }
    if (this.nodeIps.has(ip.text) || e.kind === 'host' || e.kind === 'host-network') return { kind: 'node', ip }
    const s = this.services.get(ip.text)
    if (s) return { kind: 'unresolved', why: `${ip.text} is the address of svc/${s.namespace}/${s.name}: flows are read after the Service's translation, so a record before it names no pod` }
    if (e.kind === 'pod' && e.namespace !== undefined && e.pod !== undefined) return { kind: 'unresolved', why: `pod ${e.namespace}/${e.pod} (${ip.text}) is not in the cluster` }
    return { kind: 'external', ip }
  }
}

export const endKey = (e: ObservedEnd): string =>
  e.kind === 'pod' ? `pod:${e.pod.namespace}/${e.pod.name}` : e.kind === 'external' ? `ip:${e.ip.text}` : e.kind === 'node' ? `node:${e.ip?.text ?? ''}` : `?:${e.why}`

const rawEnd = (e: FlowEndpoint) => e.ip?.text ?? `${e.namespace ?? ''}/${e.pod ?? e.workload?.name ?? e.aggregated ?? e.kind}`

interface Acc {
  from: ObservedEnd
  to: ObservedEnd
  protocol: 'TCP' | 'UDP' | 'SCTP'
  port: number
  verdict: FlowVerdict
  /** the counts of its start records, summed */
  count: number
  /** the most one record after a start stands for (the count of a connection whose start was not seen) */
  later: number
  firstSeen?: number
  lastSeen?: number
}

/** How many starts are remembered for finding duplicates before the old ones are let go. */
const RECENT_SWEEP = 65_536

export function resolveFlows(cluster: Cluster, records: Iterable<FlowRecord>, opts: ResolveOptions = {}): ResolveResult {
  const c = new ConnectionCollector(cluster, opts)
  for (const r of records) c.add(r)
  return c.result()
}

/** resolveFlows one record at a time, for records streamed by readFlows' `onRecord` (memory bounded by connections). */
export class ConnectionCollector {
  private readonly resolver: FlowResolver
  private readonly ends = new WeakMap<FlowEndpoint, Resolved>()
  private readonly keys = new WeakMap<ObservedEnd, string>()
  private readonly acc = new Map<string, Acc>()
  private readonly recent = new Map<string, { time: number; observers: string[] }>()
  private newest = -Infinity
  private sinceSweep = 0
  private readonly unresolved = new Map<string, number>()
  private readonly stats = { records: 0, collapsed: 0, unresolvable: 0, undecidable: 0, otherProtocol: 0, outsideWindow: 0 }

  constructor(
    cluster: Cluster,
    private readonly opts: ResolveOptions = {},
  ) {
    this.resolver = new FlowResolver(cluster)
  }

  add(r: FlowRecord): void {
    const { stats, opts } = this
    stats.records++
    if (r.time !== undefined && ((opts.since !== undefined && r.time < opts.since) || (opts.until !== undefined && r.time >= opts.until))) {
      stats.outsideWindow++
      return
    }
    if (r.protocol === 'other' || r.port === undefined) {
      stats.otherProtocol++
      return
    }
    if (r.notAStart) {
      stats.collapsed++
      this.addLater(r, r.protocol)
      return
    }
    const from = this.end(r.source)
    const to = this.end(r.destination)
    const bad = from.kind === 'undecidable' ? from : to.kind === 'undecidable' ? to : from.kind === 'unresolved' ? from : to.kind === 'unresolved' ? to : undefined
    if (bad !== undefined) {
      if (bad.kind === 'undecidable') stats.undecidable++
      else stats.unresolvable++
      const why = (bad as { why: string }).why
      this.unresolved.set(why, (this.unresolved.get(why) ?? 0) + 1)
      return
    }
    if (r.time !== undefined && (r.observer !== undefined || r.sourcePort !== undefined) && this.duplicate(r, r.time)) {
      stats.collapsed++
      return
    }
    const a = this.connection(from as ObservedEnd, to as ObservedEnd, r.protocol, r.port)
    a.count += r.count
    this.merge(a, r)
  }

  /**
   * An end resolved once per distinct end read: a reader that shares one FlowEndpoint among the records of one end
   * (Hubble's does) has each resolved once, not once per record.
   */
  private end(e: FlowEndpoint): Resolved {
    let r = this.ends.get(e)
    if (r === undefined) {
      r = this.resolver.end(e)
      this.ends.set(e, r)
    }
    return r
  }

  /** A start seen already: the same source port within the window, or the same ends from another observer. */
  private duplicate(r: FlowRecord, time: number): boolean {
    const raw = `${rawEnd(r.source)}:${r.sourcePort ?? ''}>${rawEnd(r.destination)}/${r.protocol}/${r.port}`
    const seen = this.recent.get(raw)
    const observer = r.observer ?? ''
    if (seen && Math.abs(time - seen.time) <= DUPLICATE_WINDOW_MS && (r.sourcePort !== undefined || !seen.observers.includes(observer))) {
      if (!seen.observers.includes(observer)) seen.observers.push(observer)
      return true
    }
    this.recent.set(raw, { time, observers: [observer] })
    if (time > this.newest) this.newest = time
    if (++this.sinceSweep >= RECENT_SWEEP) {
      // records come roughly in time order: a start older than the window cannot have a duplicate still to come
      this.sinceSweep = 0
      for (const [k, v] of this.recent) if (v.time < this.newest - 10 * DUPLICATE_WINDOW_MS) this.recent.delete(k)
    }
    return false
  }

  /** A record after a connection's start: folded into it, or, when its start was not seen, evidence of it. */
  private addLater(r: FlowRecord, protocol: 'TCP' | 'UDP' | 'SCTP'): void {
    const port = r.reply ? r.sourcePort : r.port
    if (port === undefined) return
    const from = this.end(r.reply ? r.destination : r.source)
    const to = this.end(r.reply ? r.source : r.destination)
    if (from.kind === 'unresolved' || from.kind === 'undecidable' || to.kind === 'unresolved' || to.kind === 'undecidable') return
    const a = this.connection(from, to, protocol, port)
    if (r.count > a.later) a.later = r.count
    this.merge(a, r)
  }

  private connection(f: ObservedEnd, t: ObservedEnd, protocol: 'TCP' | 'UDP' | 'SCTP', port: number): Acc {
    const key = `${this.key(f)}>${this.key(t)}/${protocol}/${port}`
    let a = this.acc.get(key)
    if (a === undefined) {
      a = { from: f, to: t, protocol, port, verdict: 'unknown', count: 0, later: 0 }
      this.acc.set(key, a)
    }
    return a
  }

  private key(e: ObservedEnd): string {
    let k = this.keys.get(e)
    if (k === undefined) {
      k = endKey(e)
      this.keys.set(e, k)
    }
    return k
  }

  private merge(a: Acc, r: FlowRecord): void {
    if (RANK[r.verdict] > RANK[a.verdict]) a.verdict = r.verdict
    if (r.time !== undefined) {
      if (a.firstSeen === undefined || r.time < a.firstSeen) a.firstSeen = r.time
      if (a.lastSeen === undefined || r.time > a.lastSeen) a.lastSeen = r.time
    }
  }

  result(): ResolveResult {
    const connections: ObservedConnection[] = []
    let startedBefore = 0
    for (const a of this.acc.values()) {
      const { later, count, ...c } = a
      if (count > 0) connections.push({ ...c, count })
      else {
        startedBefore++
        connections.push({ ...c, count: later, startedBefore: true })
      }
    }
    return { connections, stats: { ...this.stats, startedBefore }, unresolved: new Map(this.unresolved) }
  }
}
