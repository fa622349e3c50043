import { selectorMatches } from '../model/label-selector.js'
import type { Pod } from '../model/cluster.js'
import type { ClusterPolicy, ClusterSubject, Tier } from '../model/cluster-policy.js'
import type { Direction } from '../model/policy.js'
import type { ClusterIndex } from './cluster-index.js'

/**
 * Does a cluster policy's subject select the pod? `namespaces`: every pod of the namespaces the selector picks;
 * `pods`: the pods the podSelector picks in those namespaces. "Host-networked pods are not included in subject
 * selection."
 */
export function subjectSelects(index: ClusterIndex, subject: ClusterSubject, pod: Pod): boolean {
  if (pod.hostNetwork) return false
  const ns = index.namespaceLabels(pod.namespace)
  if (subject.kind === 'namespaces') return selectorMatches(subject.selector, ns)
  return selectorMatches(subject.namespaceSelector, ns) && selectorMatches(subject.podSelector, pod.labels)
}

type ByTier = Readonly<Record<Tier, readonly ClusterPolicy[]>>

/**
 * The cluster policies of `tier` whose subject selects `pod` and that have rules for `direction`, in evaluation
 * order (`Cluster.clusterPolicies` order). A policy without rules for a direction cannot affect it: cluster
 * policies never isolate a pod by selecting it. Remembered per index and pod; the lists are shared.
 */
export function clusterPoliciesFor(index: ClusterIndex, pod: Pod, direction: Direction, tier: Tier): readonly ClusterPolicy[] {
  if (index.cluster.clusterPolicies.length === 0) return NONE
  let memo = remembered.get(index)
  if (!memo) remembered.set(index, (memo = { ingress: new WeakMap(), egress: new WeakMap() }))
  let known = memo[direction].get(pod)
  if (!known) {
    const out: Record<Tier, ClusterPolicy[]> = { Admin: [], Baseline: [] }
    for (const p of index.cluster.clusterPolicies) if (p[direction].length > 0 && subjectSelects(index, p.subject, pod)) out[p.tier].push(p)
    memo[direction].set(pod, (known = out))
  }
  return known[tier]
}

const NONE: readonly ClusterPolicy[] = Object.freeze([])
const remembered = new WeakMap<ClusterIndex, Record<Direction, WeakMap<Pod, ByTier>>>()
