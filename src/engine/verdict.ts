import type { IpAddress, Cidr } from '../model/ip.js'
import type { Labels } from '../model/labels.js'
import type { Requirement } from '../model/label-selector.js'
import type { Direction, PolicyRef } from '../model/policy.js'
import type { Pod, Replicas } from '../model/cluster.js'
import type { Protocol } from '../model/port.js'
import type { ClusterAction, ClusterPolicyRef, Tier } from '../model/cluster-policy.js'

/**
 * One end of a connection: a pod (with the address it uses for this connection, or null when it has none of
 * the flow's family, e.g. a workload template), or a bare IP address that belongs to no pod.
 */
export type Endpoint =
  | { readonly kind: 'pod'; readonly pod: Pod; readonly ip: IpAddress | null }
  | { readonly kind: 'ip'; readonly ip: IpAddress }

export interface Flow {
  readonly from: Endpoint
  readonly to: Endpoint
  readonly port: number
  readonly protocol: Protocol
}

/** Where in a policy a connection was allowed. `peer`/`port` are indexes into the rule, or 'any' when absent. */
export interface RuleHit {
  readonly policy: PolicyRef
  readonly direction: Direction
  readonly rule: number
  readonly peer: number | 'any'
  readonly port: number | 'any'
  /** for a named port: the number it resolved to on the destination pod */
  readonly resolvedPort?: number
}

/** Why one peer of a rule did not match the other end of the connection. */
export type PeerMiss =
  | { readonly code: 'not-a-pod'; readonly peer: number; readonly ip: string }
  | { readonly code: 'other-namespace'; readonly peer: number; readonly podNamespace: string; readonly policyNamespace: string }
  | { readonly code: 'namespace-labels'; readonly peer: number; readonly namespace: string; readonly labels: Labels; readonly failed: readonly Requirement[] }
  | { readonly code: 'pod-labels'; readonly peer: number; readonly pod: string; readonly labels: Labels; readonly failed: readonly Requirement[] }
  | { readonly code: 'no-ip'; readonly peer: number; readonly pod: string; readonly cidr: string }
  | { readonly code: 'ip-outside'; readonly peer: number; readonly ip: string; readonly cidr: string }
  | { readonly code: 'ip-excepted'; readonly peer: number; readonly ip: string; readonly cidr: string; readonly except: string }

/** Why one port entry of a rule did not match the connection's port and protocol. */
export type PortMiss =
  | { readonly code: 'protocol'; readonly port: number; readonly want: Protocol; readonly got: Protocol }
  | { readonly code: 'number'; readonly port: number; readonly from: number; readonly to: number; readonly got: number }
  | { readonly code: 'named-not-a-pod'; readonly port: number; readonly name: string }
  | { readonly code: 'named-undefined'; readonly port: number; readonly name: string; readonly protocol: Protocol; readonly pod: string }
  | { readonly code: 'named-other-number'; readonly port: number; readonly name: string; readonly resolved: readonly number[]; readonly got: number; readonly pod: string }

export type PeerResult = { readonly ok: true; readonly peer: number | 'any' } | { readonly ok: false; readonly misses: readonly PeerMiss[] }
export type PortResult =
  | { readonly ok: true; readonly port: number | 'any'; readonly resolvedPort?: number }
  | { readonly ok: false; readonly misses: readonly PortMiss[] }

export interface RuleMiss {
  readonly rule: number
  readonly peers: PeerResult
  readonly ports: PortResult
}

/** A policy that isolates the pod for this direction but whose rules did not allow the connection. */
export interface PolicyMiss {
  readonly policy: PolicyRef
  /** one entry per rule; empty when the policy has no rules for this direction (it only isolates) */
  readonly rules: readonly RuleMiss[]
}

/**
 * The NetworkPolicy tier's answer for a pod side (also the whole answer when no cluster policy rule matched):
 * - not-isolated: no policy selects the pod with this policy type, so everything is allowed (or, with cluster
 *   policies, the Baseline tier had no matching rule either: "the default kubernetes policy is applied");
 *   `unmatched`: the cluster policies that select the pod for this direction, none of whose rules matched
 *   (present only when there are such policies and no Admin Pass was on the way)
 * - allowed / denied: the pod is isolated; the NetworkPolicies' answer is final
 */
export type NetworkPolicySide =
  | { readonly kind: 'not-isolated'; readonly unmatched?: readonly ClusterPolicyRef[] }
  | { readonly kind: 'allowed'; readonly isolatedBy: readonly PolicyRef[]; readonly allowedBy: readonly RuleHit[] }
  | { readonly kind: 'denied'; readonly isolatedBy: readonly PolicyRef[]; readonly misses: readonly PolicyMiss[] }

/**
 * Below the Admin tier: the NetworkPolicy tier, and when it does not isolate the pod, the Baseline rule that
 * matched (Accept → allowed, Deny → denied, Pass → "the default kubernetes policy", allowed).
 */
export type BelowAdmin = NetworkPolicySide | { readonly kind: 'baseline'; readonly step: ClusterStep }

/**
 * The verdict of one side: the source's egress or the destination's ingress.
 * - not-a-pod: this end is an address outside the cluster's pods; no policy applies to it
 * - self: a pod connecting to itself is always allowed (not for a template of several replicas: see evaluateFlow)
 * - from-node: "traffic to and from the node where a Pod is running is always allowed"
 * - the {@link BelowAdmin} kinds: no Admin rule matched (with no cluster policies, only the NetworkPolicy kinds occur)
 * - admin: an Admin-tier rule accepted or denied; nothing below was consulted
 * - admin-pass: an Admin-tier rule passed ("skips all further ... rules in the current tier"); `then` decided
 * - dns: the first rule that could decide names domains that the resolution given does not decide for this
 *   address: `ifResolved` is the side if one of `names` resolves to it, `otherwise` if none does
 */
export type SideVerdict =
  | { readonly kind: 'not-a-pod' }
  | { readonly kind: 'self' }
  | { readonly kind: 'from-node' }
  | BelowAdmin
  | { readonly kind: 'admin'; readonly step: ClusterStep<'Accept' | 'Deny'> }
  | { readonly kind: 'admin-pass'; readonly pass: ClusterStep<'Pass'>; readonly then: BelowAdmin }
  | { readonly kind: 'dns'; readonly step: ClusterStep; readonly names: readonly string[]; readonly ifResolved: SideVerdict; readonly otherwise: SideVerdict }

/**
 * A cluster policy rule that matched the connection: the policy, its tier and priority (null for the
 * BaselineAdminNetworkPolicy), the rule by index and written name, its action, and the peer and port entry that
 * matched (`port` 'any' when the rule lists no ports; for a dns step, `peer` is the domainNames peer).
 */
export interface ClusterStep<A extends ClusterAction = ClusterAction> {
  readonly policy: ClusterPolicyRef
  readonly tier: Tier
  readonly priority: number | null
  readonly direction: Direction
  readonly rule: number
  readonly name?: string
  readonly action: A
  readonly peer: number
  readonly port: number | 'any'
  /** for a named port: the number it resolved to on the destination pod */
  readonly resolvedPort?: number
}

export type VerdictNote =
  | { readonly code: 'host-network'; readonly pod: string }
  /** both ends are one workload template that stands for several pods: the flow is one replica to another */
  | { readonly code: 'replicas'; readonly pod: string; readonly replicas: Replicas }
  | { readonly code: 'no-ip'; readonly pod: string }

/** `allowed`: both sides allow (for a dns side, its answer when none of the names resolves to the address). */
export interface Verdict {
  readonly allowed: boolean
  readonly egress: SideVerdict
  readonly ingress: SideVerdict
  readonly notes: readonly VerdictNote[]
}

/**
 * Does this side let the connection through? For a dns side: the answer when none of the names resolves to the
 * address (see {@link sideOutcomes} for both).
 */
export function sideAllows(v: SideVerdict): boolean {
  switch (v.kind) {
    case 'denied':
      return false
    case 'admin':
    case 'baseline':
      return v.step.action !== 'Deny'
    case 'admin-pass':
      return sideAllows(v.then)
    case 'dns':
      return sideAllows(v.otherwise)
    default:
      return true
  }
}

/** Every answer the side can have: one, or for a dns side the answers of its branches. */
export function sideOutcomes(v: SideVerdict): ReadonlySet<boolean> {
  if (v.kind !== 'dns') return new Set([sideAllows(v)])
  return new Set([...sideOutcomes(v.ifResolved), ...sideOutcomes(v.otherwise)])
}

/** True when the connection's answer depends on what domain names resolve to (never for two pods). */
export function dependsOnDns(v: Verdict): boolean {
  const e = sideOutcomes(v.egress)
  const i = sideOutcomes(v.ingress)
  const answers = new Set<boolean>()
  for (const a of e) for (const b of i) answers.add(a && b)
  return answers.size > 1
}

/** Stable text for an endpoint: `ns/name` for a pod, the address for an IP. */
export function endpointName(e: Endpoint): string {
  return e.kind === 'pod' ? `${e.pod.namespace}/${e.pod.name}` : e.ip.text
}

export type { Cidr }
