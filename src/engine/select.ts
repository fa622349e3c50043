import { selectorMatches } from '../model/label-selector.js'
import type { Pod } from '../model/cluster.js'
import type { Direction, NetworkPolicy } from '../model/policy.js'
import type { ClusterIndex } from './cluster-index.js'

/**
 * "Selects the pods to which this NetworkPolicy object applies ... An empty podSelector selects all pods
 * in this namespace" — a policy only ever selects pods of its own namespace.
 */
export function policySelects(policy: NetworkPolicy, pod: Pod): boolean {
  return policy.namespace === pod.namespace && selectorMatches(policy.podSelector, pod.labels)
}

/**
 * The policies that isolate `pod` for `direction`: "a pod is isolated for ingress if there is any
 * NetworkPolicy that both selects the pod and has "Ingress" in its policyTypes" (likewise egress).
 */
export function isolatingPolicies(index: ClusterIndex, pod: Pod, direction: Direction): readonly NetworkPolicy[] {
  // asked once per pod pair by whoever evaluates many flows (describe, matrix): remembered per index and pod (the
  // list is shared: no caller changes it)
  let memo = isolating.get(index)
  if (!memo) isolating.set(index, (memo = { ingress: new WeakMap(), egress: new WeakMap() }))
  const known = memo[direction].get(pod)
  if (known) return known
  const out: NetworkPolicy[] = []
  for (const p of index.policiesByNamespace.get(pod.namespace) ?? []) {
    if (p[direction] !== null && selectorMatches(p.podSelector, pod.labels)) out.push(p)
  }
  memo[direction].set(pod, out)
  return out
}

const isolating = new WeakMap<ClusterIndex, Record<Direction, WeakMap<Pod, readonly NetworkPolicy[]>>>()
