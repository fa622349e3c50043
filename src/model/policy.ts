import type { IpBlock } from './ip-block.js'
import type { LabelSelector } from './label-selector.js'
import type { PortSpec } from './port.js'
import type { NetpolAnnotations } from './netpol-annotations.js'
import type { SourceRef } from './source.js'

/**
 * A peer of a rule, after validation ("exactly one of ipBlock or selectors").
 * - podSelector alone: "selects particular Pods in the same namespace as the NetworkPolicy"
 *   → namespaces: { kind: 'own' }
 * - namespaceSelector alone: "selects all Pods in the namespaces selected" → podSelector = MATCH_ALL
 * - both: "selects particular Pods within particular namespaces" (AND)
 */
export type Peer =
  | {
      readonly kind: 'pods'
      readonly podSelector: LabelSelector
      readonly namespaces: { readonly kind: 'own' } | { readonly kind: 'selector'; readonly selector: LabelSelector }
      /** which of the two fields were written (for explanations and lint) */
      readonly written: { readonly podSelector: boolean; readonly namespaceSelector: boolean }
    }
  | { readonly kind: 'ipBlock'; readonly block: IpBlock }

/**
 * One ingress or egress rule. "If this field is empty or missing, this rule matches all sources"
 * (from/to) and "... this rule matches all ports" (ports): both become 'any'.
 */
export interface Rule {
  readonly peers: 'any' | readonly Peer[]
  readonly ports: 'any' | readonly PortSpec[]
}

export type Direction = 'ingress' | 'egress'

/**
 * A NetworkPolicy after defaulting. `ingress`/`egress` is null when policyTypes does not name that
 * direction: then the policy neither isolates nor allows anything in it. An empty array isolates and
 * allows nothing ("default deny").
 */
export interface NetworkPolicy {
  readonly namespace: string
  readonly name: string
  readonly podSelector: LabelSelector
  readonly ingress: readonly Rule[] | null
  readonly egress: readonly Rule[] | null
  /**
   * Rules written under a direction that policyTypes does not name. They have no effect at all; they are kept
   * only so tools can show them as ignored. Absent when there are none.
   */
  readonly ignored?: { readonly ingress?: readonly Rule[]; readonly egress?: readonly Rule[] }
  /**
   * Set when `policyTypes` was missing or empty and took the API server's default ([Ingress], plus Egress when
   * the policy has egress rules); absent when the manifest wrote the list.
   */
  readonly policyTypesDefaulted?: true
  /** netpol's own annotations (`netpol.dev/...`), when the object has any */
  readonly annotations?: NetpolAnnotations
  readonly source?: SourceRef
}

export interface PolicyRef {
  readonly namespace: string
  readonly name: string
}

/**
 * Equal for peers that select the same endpoints from a policy in `policyNamespace` (selectors and blocks by
 * their canonical keys): the key to intern peers by.
 */
export function peerKey(peer: Peer, policyNamespace: string): string {
  if (peer.kind === 'ipBlock') return `ip\n${peer.block.key}`
  if (peer.namespaces.kind === 'own') return `own\n${policyNamespace}\n${peer.podSelector.key}`
  return `ns\n${peer.namespaces.selector.key}\n${peer.podSelector.key}`
}

export const policyRef = (p: NetworkPolicy): PolicyRef => ({ namespace: p.namespace, name: p.name })
export const formatRef = (r: PolicyRef): string => `${r.namespace}/${r.name}`
