import type { IpAddress, Cidr } from '../model/ip.js'
import type { Labels } from '../model/labels.js'
import type { Requirement } from '../model/label-selector.js'
import type { Direction, PolicyRef } from '../model/policy.js'
import type { Pod, Replicas } from '../model/cluster.js'
import type { Protocol } from '../model/port.js'

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
 * The verdict of one side: the source's egress or the destination's ingress.
 * - not-a-pod: this end is an address outside the cluster's pods; no policy applies to it
 * - not-isolated: no policy selects the pod with this policy type, so everything is allowed
 * - self: a pod connecting to itself is always allowed (not for a template of several replicas: see evaluateFlow)
 * - from-node: "traffic to and from the node where a Pod is running is always allowed"
 */
export type SideVerdict =
  | { readonly kind: 'not-a-pod' }
  | { readonly kind: 'not-isolated' }
  | { readonly kind: 'self' }
  | { readonly kind: 'from-node' }
  | { readonly kind: 'allowed'; readonly isolatedBy: readonly PolicyRef[]; readonly allowedBy: readonly RuleHit[] }
  | { readonly kind: 'denied'; readonly isolatedBy: readonly PolicyRef[]; readonly misses: readonly PolicyMiss[] }

export type VerdictNote =
  | { readonly code: 'host-network'; readonly pod: string }
  /** both ends are one workload template that stands for several pods: the flow is one replica to another */
  | { readonly code: 'replicas'; readonly pod: string; readonly replicas: Replicas }
  | { readonly code: 'no-ip'; readonly pod: string }

export interface Verdict {
  readonly allowed: boolean
  readonly egress: SideVerdict
  readonly ingress: SideVerdict
  readonly notes: readonly VerdictNote[]
}

export const sideAllows = (v: SideVerdict): boolean => v.kind !== 'denied'

/** Stable text for an endpoint: `ns/name` for a pod, the address for an IP. */
export function endpointName(e: Endpoint): string {
  return e.kind === 'pod' ? `${e.pod.namespace}/${e.pod.name}` : e.ip.text
}

export type { Cidr }
