/**
 * One side of a connection through the policy tiers: "Policy tiers are evaluated in the following order: Admin
 * tier, NetworkPolicy tier, Baseline tier" and "if a given connection wasn't allowed or denied by any of the
 * tiers, the default kubernetes policy is applied" (ClusterNetworkPolicy `spec.tier`).
 */
import type { Pod } from '../model/cluster.js'
import { clusterPolicyRef, type ClusterPolicy, type Tier } from '../model/cluster-policy.js'
import type { Direction } from '../model/policy.js'
import type { ClusterIndex } from './cluster-index.js'
import { clusterPeerMatches } from './match-cluster-peer.js'
import { clusterPortsMatch } from './match-cluster-port.js'
import type { NameResolution } from './name-resolution.js'
import { clusterPoliciesFor } from './select-cluster.js'
import type { BelowAdmin, ClusterStep, Endpoint, Flow, NetworkPolicySide, SideVerdict } from './verdict.js'

/** What a tier's walk found: no rule matched, a rule matched, or the first rule that could match waits on DNS. */
type TierMatch =
  | { readonly kind: 'none' }
  | { readonly kind: 'match'; readonly step: ClusterStep }
  | { readonly kind: 'undecided'; readonly step: ClusterStep; readonly names: readonly string[]; readonly key: string }

/** Assumed answers for undecided domain names, by the names' key: true when one of them resolves to the address. */
type Assumptions = ReadonlyMap<string, boolean>

interface SideQuery {
  readonly index: ClusterIndex
  readonly pod: Pod
  readonly direction: Direction
  readonly other: Endpoint
  readonly flow: Flow
  readonly resolution: NameResolution
}

/**
 * The side of subject pod `q.pod` for `q.direction`, given the NetworkPolicy tier's answer (asked only when the
 * Admin tier did not decide). With no cluster policy rule matching, it is the NetworkPolicy answer unchanged.
 */
export function tierChain(q: SideQuery, networkPolicies: () => NetworkPolicySide): SideVerdict {
  const admin = clusterPoliciesFor(q.index, q.pod, q.direction, 'Admin')
  const baseline = clusterPoliciesFor(q.index, q.pod, q.direction, 'Baseline')
  if (admin.length === 0 && baseline.length === 0) return networkPolicies()
  let np: NetworkPolicySide | undefined
  const npOnce = () => (np ??= networkPolicies())
  const walk = (assumed: Assumptions): SideVerdict => {
    const a = firstMatch(q, admin, assumed)
    if (a.kind === 'undecided') return fork(a, assumed, walk)
    if (a.kind === 'match' && a.step.action !== 'Pass') return { kind: 'admin', step: a.step as ClusterStep<'Accept' | 'Deny'> }
    // "Pass: skips all further ClusterNetworkPolicy rules in the current tier": on to the NetworkPolicy tier
    let below: BelowAdmin = npOnce()
    // an isolated pod's NetworkPolicy answer is final; otherwise the Baseline tier, then the default (allowed)
    if (below.kind === 'not-isolated') {
      const b = firstMatch(q, baseline, assumed)
      if (b.kind === 'undecided') return fork(b, assumed, walk)
      if (b.kind === 'match') below = { kind: 'baseline', step: b.step }
    }
    if (a.kind === 'match') return { kind: 'admin-pass', pass: a.step as ClusterStep<'Pass'>, then: below }
    // selected, but no rule of any tier matched: say which policies were asked
    return below.kind === 'not-isolated' ? { kind: 'not-isolated', unmatched: [...admin, ...baseline].map(clusterPolicyRef) } : below
  }
  return walk(new Map())
}

function fork(u: Extract<TierMatch, { kind: 'undecided' }>, assumed: Assumptions, walk: (a: Assumptions) => SideVerdict): SideVerdict {
  const yes = walk(new Map(assumed).set(u.key, true))
  const no = walk(new Map(assumed).set(u.key, false))
  return { kind: 'dns', step: u.step, names: u.names, ifResolved: yes, otherwise: no }
}

/**
 * "Rules are evaluated in order ... a rule that appears at the top ... would take the highest precedence": the
 * policies of one tier in evaluation order, in each the rules of the direction in written order; the first rule
 * with a peer that matches the other end and a port entry that matches the connection decides.
 */
function firstMatch(q: SideQuery, policies: readonly ClusterPolicy[], assumed: Assumptions): TierMatch {
  const dest = q.flow.to.kind === 'pod' ? q.flow.to.pod : null
  for (const policy of policies) {
    const rules = policy[q.direction]
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]!
      const ports = clusterPortsMatch(rule.ports, q.flow.port, q.flow.protocol, dest)
      if (!ports.ok) continue
      let undecided: { peer: number; names: readonly string[]; key: string } | null = null
      let peer = -1
      for (let i = 0; i < rule.peers.length && peer < 0; i++) {
        const m = clusterPeerMatches(q.index, rule.peers[i]!, q.other, q.resolution)
        if (m.kind === 'yes') peer = i
        else if (m.kind === 'undecided') {
          const key = m.names.join(' ')
          const a = assumed.get(key)
          if (a === true) peer = i
          else if (a === undefined && undecided === null) undecided = { peer: i, names: m.names, key }
        }
      }
      const step = (at: number): ClusterStep => stepOf(policy, q.direction, r, at, ports)
      if (peer >= 0) return { kind: 'match', step: step(peer) }
      if (undecided !== null) return { kind: 'undecided', step: step(undecided.peer), names: undecided.names, key: undecided.key }
    }
  }
  return { kind: 'none' }
}

function stepOf(policy: ClusterPolicy, direction: Direction, r: number, peer: number, ports: { port: number | 'any'; resolvedPort?: number }): ClusterStep {
  const rule = policy[direction][r]!
  return {
    policy: clusterPolicyRef(policy),
    tier: policy.tier as Tier,
    priority: policy.priority,
    direction,
    rule: r,
    ...(rule.name !== undefined ? { name: rule.name } : {}),
    action: rule.action,
    peer,
    port: ports.port,
    ...(ports.resolvedPort !== undefined ? { resolvedPort: ports.resolvedPort } : {}),
  }
}
