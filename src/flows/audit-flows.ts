/**
 * `netpol audit`'s pure core: every observed connection checked with the engine against the cluster with the
 * proposed objects applied over it. A connection the proposed policies deny breaks, unless it was already
 * denied when observed (reported apart). Connections are grouped by workload pair, protocol and port.
 */
import type { Cluster, Pod, WorkloadRef } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import { indexCluster } from '../engine/cluster-index.js'
import { defaultFamily, podEndpoint } from '../engine/endpoint.js'
import { evaluateFlow } from '../engine/evaluate.js'
import type { Endpoint, Verdict } from '../engine/verdict.js'
import type { FlowVerdict } from './flow-record.js'
import type { ObservedConnection, ObservedEnd } from './observed.js'

/** Observed connections of one workload pair, protocol and port. */
export interface AuditGroup {
  /** `deploy/NS/NAME` (kubectl's short kinds) for a pod with an owner or a template, `NS/POD` for a bare pod, an address, or `node` */
  readonly from: string
  readonly to: string
  readonly protocol: 'TCP' | 'UDP' | 'SCTP'
  readonly port: number
  /** the strongest observed verdict of its connections */
  readonly observed: FlowVerdict
  readonly count: number
  /** how many of its connections started before the capture (only their replies or later packets were seen) */
  readonly startedBefore: number
  readonly firstSeen?: number
  readonly lastSeen?: number
  /** the connections of the group (pod to pod, as resolved) */
  readonly connections: readonly ObservedConnection[]
}

/** A group the proposed policies would break, and the first of its connections that they deny. */
export interface BreakingGroup extends AuditGroup {
  readonly denied: ObservedConnection
}

/** The engine's reason for a breaking group: its verdict for the denied connection, and that connection's ends as `check` names them. */
export interface Explanation {
  readonly verdict: Verdict
  readonly checked: { readonly from: string; readonly to: string; readonly fromIp: string | null; readonly toIp: string | null }
}

export interface AuditResult {
  /** observed as allowed (or audited, or unknown) and denied with the proposed policies, in report order */
  readonly wouldBreak: readonly BreakingGroup[]
  /** observed as denied and still denied, in report order */
  readonly alreadyDenied: readonly AuditGroup[]
  /** still allowed */
  readonly stillAllowed: number
  /** groups from the node (always allowed: "traffic to and from the node where a Pod is running is always allowed") */
  readonly fromNode: number
  readonly groups: number
  /**
   * The engine's reason for a breaking group, decided again when asked and never kept: a report is written one
   * group at a time, and at a million observed flows against ten thousand policies the explanations of every
   * group would not fit in memory (each names every isolating policy and why each of its rules missed).
   */
  explain(g: BreakingGroup): Explanation
}

const SHORT: Record<WorkloadRef['kind'], string> = { Deployment: 'deploy', StatefulSet: 'sts', DaemonSet: 'ds', ReplicaSet: 'rs', ReplicationController: 'rc', Job: 'job', CronJob: 'cronjob' }
const TOP: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'])

/** The workload a pod stands for, as kubectl names it; the pod itself when it has none. */
export function workloadName(p: Pod): string {
  if (p.template) return `${SHORT[p.template.kind]}/${p.namespace}/${p.template.name}`
  const w = p.workloads?.find((x) => TOP.has(x.kind)) ?? p.workloads?.[0]
  return w ? `${SHORT[w.kind]}/${p.namespace}/${w.name}` : `${p.namespace}/${p.name}`
}

export const endName = (e: ObservedEnd): string =>
  e.kind === 'pod' ? workloadName(e.pod) : e.kind === 'external' ? e.ip.text : e.kind === 'node' ? (e.ip ? `node ${e.ip.text}` : 'node') : `? ${e.why}`
const podName = (e: ObservedEnd): string => (e.kind === 'pod' ? `${e.pod.namespace}/${e.pod.name}` : endName(e))

/**
 * Decides every group and keeps the ones a report lists (would break, already denied) without their verdicts;
 * `explain` gives a breaking group's verdict when its report is written. `current`, when given, decides the
 * connections whose records say nothing of a verdict (CSV): one that the current policies deny too was denied
 * when observed (or would have been), and is reported apart, as one observed denied is.
 */
export function auditConnections(proposed: Cluster, connections: readonly ObservedConnection[], current?: Cluster): AuditResult {
  const after = engineSide(proposed)
  const today = current && engineSide(current)
  const groups = new Map<string, ObservedConnection[]>()
  for (const c of connections) {
    const key = `${endName(c.from)}\t${endName(c.to)}\t${c.protocol}\t${c.port}`
    const g = groups.get(key)
    if (g) g.push(c)
    else groups.set(key, [c])
  }
  const wouldBreak: BreakingGroup[] = []
  const alreadyDenied: AuditGroup[] = []
  let stillAllowed = 0
  let fromNode = 0
  const rank = { unknown: 0, allowed: 1, audited: 2, denied: 3 }
  for (const cs of groups.values()) {
    const first = cs[0]!
    if (first.from.kind === 'node') {
      fromNode++
      continue
    }
    // the first connection the proposed policies deny: one is enough to break the group
    let denied: ObservedConnection | null = null
    for (const c of cs) {
      if (after.decide(c) === false) {
        denied = c
        break
      }
    }
    if (denied === null) {
      stillAllowed++
      continue
    }
    let observed: FlowVerdict = 'unknown'
    let count = 0
    let startedBefore = 0
    let firstSeen: number | undefined
    let lastSeen: number | undefined
    for (const c of cs) {
      if (rank[c.verdict] > rank[observed]) observed = c.verdict
      count += c.count
      if (c.startedBefore) startedBefore++
      if (c.firstSeen !== undefined && (firstSeen === undefined || c.firstSeen < firstSeen)) firstSeen = c.firstSeen
      if (c.lastSeen !== undefined && (lastSeen === undefined || c.lastSeen > lastSeen)) lastSeen = c.lastSeen
    }
    const g: AuditGroup = {
      from: endName(first.from),
      to: endName(first.to),
      protocol: first.protocol,
      port: first.port,
      observed,
      count,
      startedBefore,
      ...(firstSeen !== undefined ? { firstSeen } : {}),
      ...(lastSeen !== undefined ? { lastSeen } : {}),
      connections: cs,
    }
    const deniedToday = observed === 'unknown' && today !== undefined && today.decide(denied) === false
    if (observed === 'denied' || deniedToday) alreadyDenied.push(g)
    else wouldBreak.push({ ...g, denied })
  }
  const order = (a: AuditGroup, b: AuditGroup) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : a.port - b.port || (a.protocol < b.protocol ? -1 : 1))
  return {
    wouldBreak: wouldBreak.sort(order),
    alreadyDenied: alreadyDenied.sort(order),
    stillAllowed,
    fromNode,
    groups: groups.size,
    explain: (g) => ({
      verdict: after.verdict(g.denied)!,
      checked: { from: podName(g.denied.from), to: podName(g.denied.to), fromIp: ipOf(g.denied.from), toIp: ipOf(g.denied.to) },
    }),
  }
}

function ipOf(e: ObservedEnd): string | null {
  return e.kind === 'pod' ? (e.pod.ips[0]?.text ?? null) : e.kind === 'external' ? e.ip.text : e.kind === 'node' ? (e.ip?.text ?? null) : null
}

/** One side of the audit (the proposed cluster, or today's): the engine's verdict for an observed connection. */
function engineSide(cluster: Cluster) {
  const index = indexCluster(cluster)
  const byName = new Map(cluster.pods.map((p) => [`${p.namespace}/${p.name}`, p]))
  // the connections' pods are the cluster as read today: each is looked up by name once, then by identity
  const same = new Map<Pod, Pod>()
  const podOf = (p: Pod): Pod => {
    let q = same.get(p)
    if (q === undefined) {
      q = byName.get(`${p.namespace}/${p.name}`) ?? p
      same.set(p, q)
    }
    return q
  }
  const verdict = (c: ObservedConnection): Verdict | null => evaluate(index, podOf, c)
  /** allowed, or null when the engine cannot be asked (a node with no address as destination) */
  const decide = (c: ObservedConnection): boolean | null => verdict(c)?.allowed ?? null
  return { verdict, decide }
}

/** The engine's verdict for one connection, or null when it cannot be asked (a node with no address as destination). */
function evaluate(index: ReturnType<typeof indexCluster>, podOf: (p: Pod) => Pod, c: ObservedConnection): Verdict | null {
  const fp = c.from.kind === 'pod' ? podOf(c.from.pod) : null
  const tp = c.to.kind === 'pod' ? podOf(c.to.pod) : null
  const ipFam = (e: ObservedEnd) => (e.kind === 'external' ? e.ip.family : e.kind === 'node' ? e.ip?.family : undefined)
  const family: Family = ipFam(c.to) ?? ipFam(c.from) ?? defaultFamily(fp, tp)
  const end = (e: ObservedEnd, p: Pod | null): Endpoint | null =>
    p ? podEndpoint(p, family) : e.kind === 'external' ? { kind: 'ip', ip: e.ip } : e.kind === 'node' && e.ip ? { kind: 'ip', ip: e.ip } : null
  const from = end(c.from, fp)
  const to = end(c.to, tp)
  if (from === null || to === null) return null
  return evaluateFlow(index, { from, to, port: c.port, protocol: c.protocol })
}
