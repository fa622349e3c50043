import type { Cluster, Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import type { NetworkPolicy, Rule } from '../model/policy.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import { podEndpoint } from '../engine/endpoint.js'
import { peerMatches } from '../engine/match-peer.js'
import { policySelects } from '../engine/select.js'
import type { PortProtocol } from './reachability.js'

/** One side of a diff, as destinationPorts reads it. */
export interface DiffSide {
  readonly cluster: Cluster
  readonly index: ClusterIndex
}

/**
 * Which of `ports` matter for a destination in a diff. A connection on a port that the destination neither
 * serves nor is named for by any policy is one nobody makes: its verdict flips with every default deny, and
 * reporting it buries the real changes. A port matters for a destination pod when
 * - the pod serves it: a container port of that number and protocol (on either side), or
 * - a policy of either side names it for the pod: a numeric port or endPort range in an ingress rule of a
 *   policy that selects the pod, or in an egress rule with a podSelector/namespaceSelector peer that admits it.
 * Named ports are container ports, so they are covered by the first case. `members` are the pods (before,
 * after) that stand for one destination; a port matters when it matters for any of them.
 * Returns, per port index, whether it matters.
 */
export function destinationPorts(before: DiffSide, after: DiffSide, ports: readonly PortProtocol[], family: Family) {
  const indexOf = new Map(ports.map((p, k) => [`${p.port}/${p.protocol}`, k]))
  const named = (side: DiffSide, pod: Pod, out: Uint8Array) => {
    const mark = (rules: readonly Rule[] | null) => {
      for (const rule of rules ?? []) {
        if (rule.ports === 'any') continue
        for (const spec of rule.ports) {
          if (spec.port.kind !== 'range') continue
          const { from, to } = spec.port
          ports.forEach((p, k) => {
            if (p.protocol === spec.protocol && p.port >= from && p.port <= to) out[k] = 1
          })
        }
      }
    }
    const endpoint = podEndpoint(pod, family)
    // ingress: only the policies of the pod's namespace select it
    for (const policy of side.index.policiesByNamespace.get(pod.namespace) ?? []) {
      if (policy.ingress !== null && policySelects(policy, pod)) mark(policy.ingress)
    }
    for (const policy of side.cluster.policies) {
      if (policy.egress !== null) mark(policy.egress.filter((r) => admits(side, policy, r, endpoint)))
    }
  }
  return (members: readonly (readonly [Pod, Pod])[]): Uint8Array => {
    const out = new Uint8Array(ports.length)
    for (const pair of members) {
      for (const pod of pair) {
        for (const c of pod.ports) {
          const k = indexOf.get(`${c.port}/${c.protocol}`)
          if (k !== undefined) out[k] = 1
        }
      }
    }
    // pods of one class are selected alike by every policy of both sides: one of them answers for all
    const [was, now] = members[0]!
    named(before, was, out)
    // one cluster and one pod on both sides (a graph asks so): the second look would find the same
    if (after.cluster !== before.cluster || now !== was) named(after, now, out)
    return out
  }
}

/** An egress rule's peers select the pod: a selector peer, not an ipBlock (which is about addresses) nor "any". */
function admits(side: DiffSide, policy: NetworkPolicy, rule: Rule, e: ReturnType<typeof podEndpoint>): boolean {
  if (rule.peers === 'any' || rule.ports === 'any') return false
  return rule.peers.some((peer) => peer.kind !== 'ipBlock' && peerMatches(side.index, peer, policy.namespace, e))
}
