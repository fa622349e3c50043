/**
 * Cluster-scoped policy tiers (sig-network-policy-api), after validation, in one shape for the three kinds:
 * - ClusterNetworkPolicy, policy.networking.k8s.io/v1alpha2: `spec.tier` Admin | Baseline, actions
 *   Accept | Deny | Pass, ports under `protocols`;
 * - AdminNetworkPolicy, policy.networking.k8s.io/v1alpha1: the Admin tier, actions Allow | Deny | Pass;
 * - BaselineAdminNetworkPolicy, policy.networking.k8s.io/v1alpha1: the Baseline tier, the singleton named
 *   `default`, actions Allow | Deny, no priority.
 *
 * "Policy tiers are evaluated in the following order: Admin tier, NetworkPolicy tier, Baseline tier" and "if a
 * given connection wasn't allowed or denied by any of the tiers, the default kubernetes policy is applied" (CNP
 * `spec.tier`). The order inside a tier is `compareInTier`.
 */
import type { Cidr, IpAddress } from './ip.js'
import type { LabelSelector } from './label-selector.js'
import type { Labels } from './labels.js'
import type { Protocol } from './port.js'
import type { SourceRef } from './source.js'
import type { NetpolAnnotations } from './netpol-annotations.js'
import type { Direction } from './policy.js'

export type Tier = 'Admin' | 'Baseline'

export type ClusterPolicyKind = 'ClusterNetworkPolicy' | 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy'

/**
 * What a matching rule does. ANP/BANP write Accept as `Allow`; both mean "accepts the selected traffic ... no
 * further ... rules will be processed" for this direction. Deny: "drops the selected traffic. No further
 * ClusterNetworkPolicy or NetworkPolicy rules will be processed". Pass: "skips all further ClusterNetworkPolicy
 * rules in the current tier ... and passes evaluation to the next tier".
 */
export type ClusterAction = 'Accept' | 'Deny' | 'Pass'

/**
 * "Exactly one field must be set" (subject and peers). Host-network pods are never selected by a subject or by
 * a namespaces/pods peer ("host-networked pods are not included").
 * - namespaces: every pod of the namespaces the selector picks ("an empty selector selects all");
 * - pods: the pods the podSelector picks in the namespaces the namespaceSelector picks.
 */
export type ClusterSubject =
  | { readonly kind: 'namespaces'; readonly selector: LabelSelector }
  | { readonly kind: 'pods'; readonly namespaceSelector: LabelSelector; readonly podSelector: LabelSelector }

/**
 * A peer (`from` for ingress: namespaces | pods; `to` for egress: also nodes, networks, domainNames).
 * - nodes: "selects the nodeIPs ... by matching on the IPs present in the node.Status.Addresses field";
 * - networks: CIDRs; "cluster-internal traffic will be checked against the rule as well" — pod addresses
 *   match too;
 * - domainNames: exact names or `*.` wildcards of one or more whole labels; only in Accept rules. Whether an
 *   address is such a name depends on DNS: the engine answers from a given mapping, never guesses.
 */
export type ClusterPeer =
  | { readonly kind: 'namespaces'; readonly selector: LabelSelector }
  | { readonly kind: 'pods'; readonly namespaceSelector: LabelSelector; readonly podSelector: LabelSelector }
  | { readonly kind: 'nodes'; readonly selector: LabelSelector }
  | { readonly kind: 'networks'; readonly cidrs: readonly Cidr[] }
  | { readonly kind: 'domainNames'; readonly names: readonly string[] }

/**
 * One port entry. A single port is a range with from === to (CNP `destinationPort.number`, ANP `portNumber`);
 * ANP's `portNumber`/`portRange` protocol defaults to TCP. A named port names no protocol: it matches a
 * connection whose destination pod has a container port of that name with the connection's number and protocol.
 */
export type ClusterPort =
  | { readonly kind: 'range'; readonly protocol: Protocol; readonly from: number; readonly to: number }
  | { readonly kind: 'named'; readonly name: string }

/** One rule. `ports` 'any': "if unspecified, protocol-specific attributes will not be used to match traffic". */
export interface ClusterRule {
  /** the rule's `name`, when written */
  readonly name?: string
  readonly action: ClusterAction
  readonly peers: readonly ClusterPeer[]
  readonly ports: 'any' | readonly ClusterPort[]
}

/** kind, tier and priority together: a BaselineAdminNetworkPolicy has no priority, an ANP is always Admin. */
export type ClusterPolicyHead =
  | { readonly kind: 'ClusterNetworkPolicy'; readonly tier: Tier; readonly priority: number }
  | { readonly kind: 'AdminNetworkPolicy'; readonly tier: 'Admin'; readonly priority: number }
  | { readonly kind: 'BaselineAdminNetworkPolicy'; readonly tier: 'Baseline'; readonly priority: null }

/**
 * A cluster policy after validation. Rules are in written order: "a rule that appears at the top ... would take
 * the highest precedence"; a policy with no rules for a direction does not affect that direction (cluster
 * policies never isolate a pod by selecting it).
 */
export type ClusterPolicy = ClusterPolicyHead & {
  readonly name: string
  readonly subject: ClusterSubject
  readonly ingress: readonly ClusterRule[]
  readonly egress: readonly ClusterRule[]
  /** netpol's own annotations (`netpol.dev/...`), when the object has any */
  readonly annotations?: NetpolAnnotations
  readonly source?: SourceRef
}

export interface ClusterPolicyRef {
  readonly kind: ClusterPolicyKind
  readonly name: string
}

export const clusterPolicyRef = (p: ClusterPolicy): ClusterPolicyRef => ({ kind: p.kind, name: p.name })

/** `cnp/NAME`, `anp/NAME`, `banp/NAME`: the short names kubectl knows these kinds by. */
export function formatClusterRef(r: ClusterPolicyRef): string {
  return `${SHORT_KIND[r.kind]}/${r.name}`
}

export const SHORT_KIND: Readonly<Record<ClusterPolicyKind, string>> = {
  ClusterNetworkPolicy: 'cnp',
  AdminNetworkPolicy: 'anp',
  BaselineAdminNetworkPolicy: 'banp',
}

/** The word the kind's API uses for Accept (`Allow` in v1alpha1). */
export function actionWord(kind: ClusterPolicyKind, action: ClusterAction): string {
  return action === 'Accept' && kind !== 'ClusterNetworkPolicy' ? 'Allow' : action
}

/**
 * The order netpol evaluates policies of one tier in: lower priority first ("policies with lower priority values
 * have higher precedence"); a BaselineAdminNetworkPolicy, which has no priority, after every Baseline CNP.
 * "If two (or more) policies in the same tier with the same priority could match a connection, then the
 * implementation can apply any of the matching policies": netpol takes them by name, then kind, and lint reports
 * such pairs whose rules overlap with different actions.
 */
export function compareInTier(a: ClusterPolicy, b: ClusterPolicy): number {
  const pa = a.priority ?? Number.POSITIVE_INFINITY
  const pb = b.priority ?? Number.POSITIVE_INFINITY
  if (pa !== pb) return pa < pb ? -1 : 1
  if (a.name !== b.name) return a.name < b.name ? -1 : 1
  return a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0
}

/** Admin before Baseline: the order of the tiers around the NetworkPolicy tier. */
export const tierRank = (t: Tier): number => (t === 'Admin' ? 0 : 1)

/** Cluster policies in the order `Cluster.clusterPolicies` holds them: Admin tier first, each tier in evaluation order. */
export function sortClusterPolicies(ps: Iterable<ClusterPolicy>): ClusterPolicy[] {
  return [...ps].sort((a, b) => tierRank(a.tier) - tierRank(b.tier) || compareInTier(a, b))
}

export const compareNodes = (a: Node, b: Node): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

export const rulesOf = (p: ClusterPolicy, d: Direction): readonly ClusterRule[] => p[d]

/**
 * A Node object as `nodes` peers need it: its labels and the IPs of `status.addresses` (InternalIP, ExternalIP;
 * entries that are host names are not addresses and are left out).
 */
export interface Node {
  readonly name: string
  readonly labels: Labels
  readonly addresses: readonly IpAddress[]
  readonly source?: SourceRef
}
