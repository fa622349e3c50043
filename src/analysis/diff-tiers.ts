/**
 * Cluster policies in a diff: which were added, removed or changed, which pods a change can touch (the subjects
 * of a changed side: a cluster policy's rules decide only its subjects' sides), and which cluster policy rule
 * decides one side of a connection on one side of the diff (the responsible policy and tier of a flip).
 */
import type { Cluster, Pod } from '../model/cluster.js'
import { formatClusterRef, type ClusterPeer, type ClusterPolicy, type ClusterPolicyRef, type ClusterPort, type ClusterRule, type Tier } from '../model/cluster-policy.js'
import { labelsKey } from '../model/labels.js'
import { selectorMatches } from '../model/label-selector.js'
import type { Direction } from '../model/policy.js'
import type { Protocol } from '../model/port.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import type { Identities } from '../engine/identities.js'
import type { TierDecisions } from '../engine/tier-decisions.js'
import type { PolicyStatus } from './explain-flip.js'

export interface ClusterPolicyChange {
  readonly policy: ClusterPolicyRef
  readonly status: Exclude<PolicyStatus, 'unchanged'>
}

/** Added, removed and changed cluster policies by `cnp/NAME` (kind and name), sorted. */
export function clusterPolicyStatuses(before: readonly ClusterPolicy[], after: readonly ClusterPolicy[]): Map<string, PolicyStatus> {
  const old = new Map(before.map((p) => [formatClusterRef(p), p]))
  const out = new Map<string, PolicyStatus>()
  for (const p of after) {
    const key = formatClusterRef(p)
    const was = old.get(key)
    out.set(key, was === undefined ? 'added' : was === p || clusterFingerprint(was) === clusterFingerprint(p) ? 'unchanged' : 'changed')
  }
  for (const key of old.keys()) if (!out.has(key)) out.set(key, 'removed')
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/** Canonical text of what a cluster policy decides (both directions), or of one direction's side. */
export function clusterFingerprint(p: ClusterPolicy, only?: Direction): string {
  const subject = p.subject.kind === 'namespaces' ? `ns ${p.subject.selector.key}` : `pods ${p.subject.namespaceSelector.key} ${p.subject.podSelector.key}`
  const rules = (rs: readonly ClusterRule[]) => rs.map((r) => [r.action, r.peers.map(peerKey), r.ports === 'any' ? 'any' : r.ports.map(portKey)])
  return JSON.stringify([p.tier, p.priority, subject, only === 'egress' ? null : rules(p.ingress), only === 'ingress' ? null : rules(p.egress)])
}

const peerKey = (x: ClusterPeer): string => {
  switch (x.kind) {
    case 'namespaces': return `ns ${x.selector.key}`
    case 'pods': return `pods ${x.namespaceSelector.key} ${x.podSelector.key}`
    case 'nodes': return `nodes ${x.selector.key}`
    case 'networks': return `networks ${x.cidrs.map((c) => `${c.family}:${c.first}-${c.last}`).join(',')}`
    case 'domainNames': return `dns ${x.names.join(',')}`
  }
}
const portKey = (x: ClusterPort): string => (x.kind === 'range' ? `${x.protocol} ${x.from}-${x.to}` : `name ${x.name}`)

/** A cluster policy as it was and is, for one direction (undefined where absent). */
export interface ClusterChange {
  readonly before?: ClusterPolicy
  readonly after?: ClusterPolicy
}

/**
 * Per direction, the cluster policies whose side of that direction may decide differently: added, removed, or
 * changed in subject, tier, priority or that direction's rules. When the Nodes differ (labels or addresses),
 * every policy with a `nodes` peer in a direction counts for it too.
 */
export function clusterDirectionChanges(before: Cluster, after: Cluster): Record<Direction, ClusterChange[]> {
  const out: Record<Direction, ClusterChange[]> = { ingress: [], egress: [] }
  if (before.clusterPolicies.length === 0 && after.clusterPolicies.length === 0) return out
  const nodesMoved = nodesKey(before) !== nodesKey(after)
  const old = new Map(before.clusterPolicies.map((p) => [formatClusterRef(p), p]))
  const now = new Map(after.clusterPolicies.map((p) => [formatClusterRef(p), p]))
  for (const key of new Set([...old.keys(), ...now.keys()])) {
    const p = old.get(key)
    const q = now.get(key)
    for (const dir of ['ingress', 'egress'] as const) {
      const readsNodes = (x?: ClusterPolicy) => x !== undefined && x[dir].some((r) => r.peers.some((peer) => peer.kind === 'nodes'))
      const same = p !== undefined && q !== undefined && (p === q || clusterFingerprint(p, dir) === clusterFingerprint(q, dir))
      if (same && !(nodesMoved && (readsNodes(p) || readsNodes(q)))) continue
      if ((p === undefined || p[dir].length === 0) && (q === undefined || q[dir].length === 0)) continue
      out[dir].push({ ...(p ? { before: p } : {}), ...(q ? { after: q } : {}) })
    }
  }
  return out
}

const nodesKey = (c: Cluster) => c.nodes.map((n) => `${n.name} ${labelsKey(n.labels)} ${n.addresses.map((a) => a.text).join(',')}`).join('\n')

/**
 * Does a cluster policy's subject select the pod? "host-networked pods are not included in subject selection";
 * `namespaces`: the pods of the namespaces it picks; `pods`: those its podSelector picks in them.
 */
export function subjectSelects(index: ClusterIndex, p: ClusterPolicy, pod: Pod): boolean {
  if (pod.hostNetwork) return false
  const s = p.subject
  if (s.kind === 'namespaces') return selectorMatches(s.selector, index.namespaceLabels(pod.namespace))
  return selectorMatches(s.namespaceSelector, index.namespaceLabels(pod.namespace)) && selectorMatches(s.podSelector, pod.labels)
}

/** Some change of `list` has the pod as a subject: the policy before as it was, or after as it is. */
export function subjectOfEither(list: readonly ClusterChange[], oldIndex: ClusterIndex, newIndex: ClusterIndex, was: Pod, now: Pod): boolean {
  return list.some((ch) => (ch.before !== undefined && subjectSelects(oldIndex, ch.before, was)) || (ch.after !== undefined && subjectSelects(newIndex, ch.after, now)))
}

/** One step of a side's tier chain: a cluster policy rule that matched first, and what it did. */
export interface TierStep {
  readonly tier: Tier
  readonly policy: ClusterPolicyRef
  /** null for a BaselineAdminNetworkPolicy */
  readonly priority: number | null
  readonly direction: Direction
  readonly rule: number
  /** the rule's `name`, when written */
  readonly ruleName?: string
  readonly action: ClusterRule['action']
}

/** How one side went through the tiers: the Admin step (if a rule matched), whether NetworkPolicies were consulted, the Baseline step. */
export interface TierPath {
  readonly admin: TierStep | null
  /** the NetworkPolicy tier was reached (no Admin Accept or Deny) */
  readonly np: boolean
  /** the Baseline step, when the Baseline tier was reached (no NetworkPolicy isolates) and a rule matched */
  readonly baseline: TierStep | null
}

/** The classes of one side of a diff and their tier decisions. */
export interface SideTierView {
  readonly ids: Identities
  readonly tiers: TierDecisions | null
}

/**
 * The tier path of one side on one port: subject class `subject` (pod index into the side's pods), direction,
 * other end pod index, `isolated`: a NetworkPolicy isolates the subject for the direction.
 */
export function tierPath(view: SideTierView, subject: number, dir: Direction, other: number, port: number, protocol: Protocol, isolated: boolean): TierPath {
  const { ids, tiers } = view
  if (tiers === null) return { admin: null, np: true, baseline: null }
  const s = ids.classOf[subject]!
  const o = ids.classOf[other]!
  const end = { sel: ids.selectorOf[o]!, addr: ids.addressOf[o]! }
  const step = (tier: Tier): TierStep | null => {
    const piece = tiers.decide(ids.selectorOf[s]!, dir, tier, end).pieces.find((p) => p.ports.protocol === protocol && p.ports.from <= port && port <= p.ports.to)
    if (piece === undefined) return null
    const { policy, rule } = piece.by
    const name = policy[dir][rule]!.name
    return { tier, policy: { kind: policy.kind, name: policy.name }, priority: policy.priority, direction: dir, rule, ...(name !== undefined ? { ruleName: name } : {}), action: piece.action }
  }
  const admin = step('Admin')
  if (admin !== null && admin.action !== 'Pass') return { admin, np: false, baseline: null }
  return { admin, np: true, baseline: isolated ? null : step('Baseline') }
}

/** Does the path end in an allowed side, given the NetworkPolicy side's answer (when consulted)? */
export function pathAllows(p: TierPath, npAllows: boolean, isolated: boolean): boolean {
  if (p.admin !== null && p.admin.action !== 'Pass') return p.admin.action === 'Accept'
  if (isolated) return npAllows
  return p.baseline === null || p.baseline.action !== 'Deny'
}

export const sameStep = (a: TierStep | null, b: TierStep | null): boolean =>
  a === b || (a !== null && b !== null && a.tier === b.tier && a.policy.kind === b.policy.kind && a.policy.name === b.policy.name && a.priority === b.priority && a.rule === b.rule && a.action === b.action)
