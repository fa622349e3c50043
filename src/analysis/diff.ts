import { standsForSeveral, type Cluster, type Pod } from '../model/cluster.js'
import { podId } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import { labelsKey, type Labels } from '../model/labels.js'
import { formatRef, type Direction, type NetworkPolicy, type Peer, type PolicyRef, type Rule } from '../model/policy.js'
import { PROTOCOLS, type PortSpec } from '../model/port.js'
import { indexCluster, type ClusterIndex } from '../engine/cluster-index.js'
import { policySelects } from '../engine/select.js'
import { destinationPorts } from './diff-ports.js'
import { flipExplainer, type Cause, type PolicyStatus } from './explain-flip.js'
import { matrixPorts } from './matrix-ports.js'
import { ClassSides, computeReachability, RowMaker, type PortProtocol } from './reachability.js'
import { findFlips, findTouchedFlips, type Flip } from './diff-flips.js'
import { DiffBase } from './diff-base.js'
import { touchedClasses, type TouchedInput } from './diff-touched.js'
import { jointClasses, type JointClasses } from './joint-classes.js'
import { clusterPolicyStatuses, type ClusterPolicyChange } from './diff-tiers.js'
import { changedPolicies, changedStatuses } from './policy-changes.js'
import { formatClusterRef, type ClusterPolicyRef } from '../model/cluster-policy.js'

export { explainFlip, type Cause, type PolicyStatus, type PolicyWithStatus } from './explain-flip.js'
export { findFlips, type Flip } from './diff-flips.js'
export { jointClasses, type JointClasses } from './joint-classes.js'
export type { ClusterPolicyChange, TierStep } from './diff-tiers.js'

export interface PolicyChange {
  readonly policy: PolicyRef
  readonly status: Exclude<PolicyStatus, 'unchanged'>
}

/**
 * Pods present on both sides that no policy of either side can tell apart. Labelled by the labels after the
 * change; `labelsBefore` is set when they were different.
 */
export interface DiffClass {
  readonly id: number
  readonly namespace: string
  readonly labels: Labels
  readonly labelsBefore?: Labels
  /** `namespace/name`, sorted */
  readonly pods: readonly string[]
}

/** Connections from one class to another whose verdict flipped the same way, for the same reasons, on `ports`. */
export interface ConnectionChange {
  readonly change: 'allowed' | 'denied'
  readonly from: number
  readonly to: number
  readonly ports: readonly PortProtocol[]
  /**
   * ordered pod pairs between the classes: the change holds for each, on each port. A pod and itself are left
   * out, except a template of several replicas on both sides, whose pair with itself is one replica to another.
   */
  readonly podPairs: number
  readonly causes: readonly Cause[]
  /** the added, removed or changed policies that isolate the source for egress / the destination for ingress, before or after */
  readonly policies: { readonly source: readonly PolicyChange[]; readonly destination: readonly PolicyChange[] }
}

export interface ClusterDiff {
  readonly family: Family
  readonly ports: readonly PortProtocol[]
  /** policies added, removed or changed, sorted by namespace and name */
  readonly policies: readonly PolicyChange[]
  /** cluster policies (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy) added, removed or changed, sorted by `cnp/NAME` */
  readonly clusterPolicies: readonly ClusterPolicyChange[]
  /** `namespace/name`; relabeled: present on both sides with other labels */
  readonly pods: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly relabeled: readonly string[] }
  readonly namespaces: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly relabeled: readonly string[] }
  /** the classes the changes refer to, by id (= position) */
  readonly classes: readonly DiffClass[]
  /** newly allowed first, then newly denied; each by source class, destination class, first port */
  readonly changes: readonly ConnectionChange[]
  /** the pods present on both sides, whose connections were compared; 0: nothing could change */
  readonly comparedPods: number
  /**
   * Connections whose verdict flipped but are not in `changes`: on ports the destination neither serves nor is
   * named for by a policy (see destinationPorts). Always 0 when the ports were given.
   */
  readonly unserved: { readonly allowed: number; readonly denied: number }
}

export interface DiffOptions {
  /**
   * default: the union of matrixPorts of both sides, each reported only for the destinations that serve it or
   * that a policy names it for; ports given here are reported for every destination
   */
  readonly ports?: readonly PortProtocol[]
  /** the address family for ipBlock matching; default IPv4 unless every addressed pod is IPv6-only */
  readonly family?: Family
  /**
   * compare every pair of shared pods (both class matrices whole) instead of only the rows and columns a change
   * can touch; the answer is the same, this is the baseline the focused comparison is tested and measured against
   */
  readonly full?: boolean
  /** what the diff reads of `before`, kept by a caller that diffs against it again (ignored for another cluster) */
  readonly base?: DiffBase
}

/**
 * Every connection between pods present on both sides whose verdict differs between `before` and `after`,
 * grouped by class pair. Pods are matched by namespace/name. Both sides are decided on the classes of the shared
 * pods (as computeReachability decides them); a pod's joint class is the pair (its class before, its class after),
 * so class boundaries are the same on both sides and every pod pair of two joint classes has the same before and
 * after verdicts. Only the pairs a change can flip are compared (diff-touched.ts; `full` compares every pair).
 * Causes come from the engine's verdicts on one representative pair per joint class pair (see flipExplainer).
 */
export function diffClusters(before: Cluster, after: Cluster, opts: DiffOptions = {}): ClusterDiff {
  const ports = opts.ports ?? unionPorts(matrixPorts(before), matrixPorts(after))
  const family = opts.family ?? defaultDiffFamily([...before.pods, ...after.pods])
  const { common: [oldPods, newPods], added, removed } = matchPods(before.pods, after.pods)
  const base = opts.base?.cluster === before ? opts.base : new DiffBase(before)
  const oldIndex = base.index
  const newIndex = indexCluster(after)
  const oldClasses = base.classes(oldPods, family)
  const newClasses = base.after(oldClasses, after, newIndex, newPods)
  const oldIds = oldClasses.ids
  const newIds = newClasses.ids
  const joint = jointClasses(oldIds.classOf, newIds.classOf)
  const statuses = changedStatuses(before.policies, after.policies)
  const status = (ref: PolicyRef): PolicyStatus => statuses.get(formatRef(ref)) ?? 'unchanged'
  const clusterStatuses = clusterPolicyStatuses(before.clusterPolicies, after.clusterPolicies)
  const clusterStatus = (ref: ClusterPolicyRef): PolicyStatus => clusterStatuses.get(formatClusterRef(ref)) ?? 'unchanged'
  const withTiers = before.clusterPolicies.length + after.clusterPolicies.length > 0

  // pods whose pair with themselves is a connection on both sides: templates of several replicas (one replica to another)
  const selfPairs = joint.members.map((ms) => ms.filter((i) => standsForSeveral(oldPods[i]!) && standsForSeveral(newPods[i]!)).length)
  const flips = opts.full ? fullFlips(oldIndex, newIndex, oldPods, newPods, joint, ports, family, selfPairs) : touchedFlips({ oldIndex, newIndex, oldPods, newPods, joint, family }, oldClasses.sides, newClasses.sides, ports, selfPairs)
  const rep = (cls: number, nth: number) => joint.members[cls]![nth]!
  const tiers = withTiers ? { before: { ids: oldIds, tiers: oldClasses.sides.tiers }, after: { ids: newIds, tiers: newClasses.sides.tiers }, status: clusterStatus } : undefined
  const explainer = flipExplainer({ oldIndex, newIndex, oldPods, newPods, members: joint.members, ports, family, status, ...(tiers ? { tiers } : {}) })
  const selecting = selectingChanges(before, after)
  const all = groupFlips(flips, explainer, (a) => joint.members[a]!.length, (a) => selfPairs[a]!)
  const unserved = { allowed: 0, denied: 0 }
  let grouped = all
  if (opts.ports === undefined) {
    const portsOf = destinationPorts({ cluster: before, index: oldIndex }, { cluster: after, index: newIndex }, ports, family)
    const matters = new Map<number, Uint8Array>()
    const mattersFor = (c: number) => {
      let m = matters.get(c)
      if (m === undefined) matters.set(c, (m = portsOf(joint.members[c]!.map((i) => [oldPods[i]!, newPods[i]!] as const))))
      return m
    }
    grouped = all.flatMap((g) => {
      const m = mattersFor(g.to)
      const kept = g.ports.filter((k) => m[k] === 1)
      unserved[g.change] += (g.ports.length - kept.length) * g.podPairs
      return kept.length === 0 ? [] : [{ ...g, ports: kept }]
    })
  }

  // classes the changes refer to, numbered in a stable order
  const used = [...new Set(grouped.flatMap((g) => [g.from, g.to]))]
  const describeClass = (c: number) => {
    const first = rep(c, 0)
    const labels = newPods[first]!.labels
    const labelsBefore = oldPods[first]!.labels
    return {
      namespace: newPods[first]!.namespace,
      labels,
      ...(labels !== labelsBefore && labelsKey(labels) !== labelsKey(labelsBefore) ? { labelsBefore } : {}),
      pods: joint.members[c]!.map((m) => podId(newPods[m]!)),
    }
  }
  const described = used.map((c) => {
    const d = describeClass(c)
    return { c, d, labels: labelsKey(d.labels) }
  })
  described.sort((x, y) => cmp(x.d.namespace, y.d.namespace) || cmp(x.labels, y.labels) || cmp(x.d.pods[0]!, y.d.pods[0]!))
  const idOf = new Map(described.map((x, id) => [x.c, id]))
  const classes: DiffClass[] = described.map((x, id) => ({ id, ...x.d }))

  const changes: ConnectionChange[] = grouped.map((g) => ({
    change: g.change,
    from: idOf.get(g.from)!,
    to: idOf.get(g.to)!,
    ports: g.ports.map((k) => ports[k]!),
    podPairs: g.podPairs,
    causes: g.causes,
    policies: {
      source: selecting(oldPods[rep(g.from, 0)]!, newPods[rep(g.from, 0)]!, 'egress'),
      destination: selecting(oldPods[rep(g.to, 0)]!, newPods[rep(g.to, 0)]!, 'ingress'),
    },
  }))
  changes.sort((x, y) => (x.change === y.change ? 0 : x.change === 'allowed' ? -1 : 1) || x.from - y.from || x.to - y.to || comparePorts(x.ports[0]!, y.ports[0]!))

  const relabeled = oldPods.filter((p, i) => p !== newPods[i] && labelsKey(p.labels) !== labelsKey(newPods[i]!.labels)).map(podId)
  return {
    family,
    ports,
    policies: [...statuses].map(([key, s]) => ({ policy: refOf(key), status: s as PolicyChange['status'] })),
    clusterPolicies: clusterChanges(before, after, clusterStatuses),
    pods: { added: added.map(podId), removed: removed.map(podId), relabeled },
    namespaces: namespaceChanges(before, after),
    classes,
    changes,
    comparedPods: oldPods.length,
    unserved,
  }
}

/** The flips where the changes can make them (diff-touched.ts), each side computed only for the classes asked about. */
function touchedFlips(x: TouchedInput, oldSides: ClassSides, newSides: ClassSides, ports: readonly PortProtocol[], selfPairs: readonly number[]): Flip[] {
  const touched = touchedClasses(x)
  return findTouchedFlips(x.joint, touched, ports.map((p) => oldSides.port(p.port, p.protocol)), ports.map((p) => newSides.port(p.port, p.protocol)), selfPairs)
}

/** The flips from both clusters' whole class matrices (computeReachability), every pair compared. */
function fullFlips(oldIndex: ClusterIndex, newIndex: ClusterIndex, oldPods: readonly Pod[], newPods: readonly Pod[], joint: JointClasses, ports: readonly PortProtocol[], family: Family, selfPairs: readonly number[]): Flip[] {
  const oldR = computeReachability(oldIndex, oldPods, ports, family)
  const newR = computeReachability(newIndex, newPods, ports, family)
  // rows one at a time: all of them at once are classes² bits per port and side
  const rows = (r: typeof oldR) => r.results.map((m) => new RowMaker(r.identities, m))
  return findFlips(joint, rows(oldR), rows(newR), selfPairs)
}

export interface FlipGroup {
  readonly change: 'allowed' | 'denied'
  readonly from: number
  readonly to: number
  /** port indexes, ascending */
  readonly ports: number[]
  readonly podPairs: number
  readonly causes: readonly Cause[]
}

/**
 * Groups flips by (source class, destination class, direction of the change), then splits each group by the
 * causes `explain` gives per port, so ports flipped for different reasons are reported apart. The flips of one
 * class pair must be next to each other (findFlips lists them so).
 */
export function groupFlips(
  flips: readonly Flip[],
  explain: (from: number, to: number, port: number) => Cause[],
  size: (cls: number) => number,
  selfPairs: (cls: number) => number = () => 0,
): FlipGroup[] {
  const out: FlipGroup[] = []
  // explain may hand out one array for equal causes: stringify each array once
  const keys = new Map<Cause[], string>()
  const keyOf = (causes: Cause[]) => {
    let key = keys.get(causes)
    if (key === undefined) keys.set(causes, (key = JSON.stringify(causes)))
    return key
  }
  for (let start = 0; start < flips.length; ) {
    const { from, to } = flips[start]!
    let end = start
    while (end < flips.length && flips[end]!.from === from && flips[end]!.to === to) end++
    const podPairs = from === to ? size(from) * (size(from) - 1) + selfPairs(from) : size(from) * size(to)
    for (const allowed of [true, false]) {
      const byCause = new Map<string, { ports: number[]; causes: Cause[] }>()
      for (let x = start; x < end; x++) {
        const f = flips[x]!
        if (f.allowed !== allowed) continue
        const causes = explain(from, to, f.port)
        const key = keyOf(causes)
        const g = byCause.get(key)
        if (g) g.ports.push(f.port)
        else byCause.set(key, { ports: [f.port], causes })
      }
      for (const g of byCause.values()) out.push({ change: allowed ? 'allowed' : 'denied', from, to, ports: g.ports.sort((p, q) => p - q), podPairs, causes: g.causes })
    }
    start = end
  }
  return out
}

/** Added, removed and changed policies by `namespace/name`; 'changed' when anything that decides traffic differs. */
export function policyStatuses(before: readonly NetworkPolicy[], after: readonly NetworkPolicy[]): Map<string, PolicyStatus> {
  const old = new Map(before.map((p) => [formatRef(p), p]))
  const out = new Map<string, PolicyStatus>()
  for (const p of after) {
    const key = formatRef(p)
    const was = old.get(key)
    // one object on both sides (a what-if keeps the policies it does not touch) is unchanged without a look
    out.set(key, was === undefined ? 'added' : was === p || policyFingerprint(was) === policyFingerprint(p) ? 'unchanged' : 'changed')
  }
  for (const key of old.keys()) if (!out.has(key)) out.set(key, 'removed')
  return new Map([...out].sort(([a], [b]) => cmp(a, b)))
}

/**
 * Canonical text of what a policy decides: selectors by their canonical keys, rules and their peers and ports
 * in written order. Where it came from, and ignored rules, are left out.
 */
export function policyFingerprint(p: NetworkPolicy): string {
  const peer = (x: Peer) =>
    x.kind === 'ipBlock' ? `ip ${x.block.key}` : `pods ${x.podSelector.key} ${x.namespaces.kind === 'own' ? 'own' : `ns ${x.namespaces.selector.key}`}`
  const port = (s: PortSpec) => `${s.protocol} ${s.port.kind === 'range' ? `${s.port.from}-${s.port.to}` : s.port.kind === 'named' ? `name ${s.port.name}` : 'all'}`
  const rules = (rs: readonly Rule[] | null) => (rs === null ? null : rs.map((r) => [r.peers === 'any' ? 'any' : r.peers.map(peer), r.ports === 'any' ? 'any' : r.ports.map(port)]))
  return JSON.stringify([p.podSelector.key, rules(p.ingress), rules(p.egress)])
}

/**
 * For a pod (before, after) and a direction: the changed policies that select it with that policy type on
 * either side, i.e. the changes that can move its verdicts in that direction.
 */
function selectingChanges(before: Cluster, after: Cluster) {
  const changed = changedPolicies(before.policies, after.policies)
  // by the pod after (matched by name, so it names the pod before too)
  const cache = { ingress: new Map<Pod, PolicyChange[]>(), egress: new Map<Pod, PolicyChange[]>() }
  const applies = (p: NetworkPolicy | undefined, pod: Pod, dir: Direction) => p !== undefined && p[dir] !== null && policySelects(p, pod)
  return (was: Pod, now: Pod, dir: Direction): PolicyChange[] => {
    let out = cache[dir].get(now)
    if (out === undefined) {
      out = []
      for (const [ref, c] of changed) {
        if (applies(c.before, was, dir) || applies(c.after, now, dir)) out.push({ policy: refOf(ref), status: c.status })
      }
      cache[dir].set(now, out)
    }
    return out
  }
}

/** Pods of both sides matched by namespace/name; both lists are sorted by namespace, then name. */
function matchPods(before: readonly Pod[], after: readonly Pod[]) {
  // the very same pods (a what-if changes policies only): nothing to match by name
  if (before.length === after.length && before.every((p, i) => p === after[i])) return { common: [before, after] as const, added: [] as Pod[], removed: [] as Pod[] }
  const afterBy = new Map(after.map((p) => [podId(p), p]))
  const beforeIds = new Set(before.map(podId))
  const oldPods: Pod[] = []
  const newPods: Pod[] = []
  const removed: Pod[] = []
  for (const p of before) {
    const q = afterBy.get(podId(p))
    if (q === undefined) removed.push(p)
    else {
      oldPods.push(p)
      newPods.push(q)
    }
  }
  const added = after.filter((p) => !beforeIds.has(podId(p)))
  return { common: [oldPods, newPods] as const, added, removed }
}

function namespaceChanges(before: Cluster, after: Cluster) {
  const added: string[] = []
  const removed: string[] = []
  const relabeled: string[] = []
  for (const [name, ns] of after.namespaces) {
    const was = before.namespaces.get(name)
    if (was === undefined) added.push(name)
    else if (labelsKey(was.labels) !== labelsKey(ns.labels)) relabeled.push(name)
  }
  for (const name of before.namespaces.keys()) if (!after.namespaces.has(name)) removed.push(name)
  return { added: added.sort(), removed: removed.sort(), relabeled: relabeled.sort() }
}

/** IPv4 unless no pod has an IPv4 address while some pod has an address. */
export function defaultDiffFamily(pods: readonly Pod[]): Family {
  return pods.some((p) => p.ips.some((a) => a.family === 4)) || !pods.some((p) => p.ips.length > 0) ? 4 : 6
}

function unionPorts(a: readonly PortProtocol[], b: readonly PortProtocol[]): PortProtocol[] {
  const seen = new Map<string, PortProtocol>()
  for (const p of [...a, ...b]) seen.set(`${p.port}/${p.protocol}`, p)
  return [...seen.values()].sort(comparePorts)
}

const comparePorts = (a: PortProtocol, b: PortProtocol) => PROTOCOLS.indexOf(a.protocol) - PROTOCOLS.indexOf(b.protocol) || a.port - b.port
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

function refOf(key: string): PolicyRef {
  const slash = key.indexOf('/')
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) }
}

export type { PortProtocol }

/** The cluster policies of either side whose status is not 'unchanged', in the order of their `cnp/NAME`. */
function clusterChanges(before: Cluster, after: Cluster, statuses: ReadonlyMap<string, PolicyStatus>): ClusterPolicyChange[] {
  const byRef = new Map([...before.clusterPolicies, ...after.clusterPolicies].map((p) => [formatClusterRef(p), { kind: p.kind, name: p.name }]))
  return [...statuses].filter(([, s]) => s !== 'unchanged').map(([key, s]) => ({ policy: byRef.get(key)!, status: s as ClusterPolicyChange['status'] }))
}
