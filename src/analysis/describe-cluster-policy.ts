/**
 * `describe` for the policy tiers: a cluster policy resolved against the cluster (the pods its subject selects,
 * what each rule's peers match now), and for a pod the cluster policies that select it, per direction, in the
 * order they are evaluated.
 */
import type { Pod } from '../model/cluster.js'
import { cidrContains } from '../model/ip.js'
import { selectorMatches } from '../model/label-selector.js'
import { clusterPolicyRef, type ClusterAction, type ClusterPeer, type ClusterPolicy, type ClusterPolicyRef, type ClusterPort, type Tier } from '../model/cluster-policy.js'
import type { Direction } from '../model/policy.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import { clusterPoliciesFor, subjectSelects } from '../engine/select-cluster.js'
import { podSet, type PodSet } from './describe.js'

/** One cluster policy as a pod meets it: which, its tier and priority (null for the BaselineAdminNetworkPolicy). */
export interface TierEntry {
  readonly policy: ClusterPolicyRef
  readonly tier: Tier
  readonly priority: number | null
}

/** Per direction, the cluster policies with rules for it whose subject selects the pod, in evaluation order. */
export interface PodTiers {
  readonly ingress: readonly TierEntry[]
  readonly egress: readonly TierEntry[]
}

/** The pod's cluster policies, or null when none selects it (then nothing about tiers is shown). */
export function podTiers(index: ClusterIndex, pod: Pod): PodTiers | null {
  const entries = (d: Direction) =>
    (['Admin', 'Baseline'] as const).flatMap((t) => clusterPoliciesFor(index, pod, d, t).map((p) => ({ policy: clusterPolicyRef(p), tier: p.tier, priority: p.priority })))
  const ingress = entries('ingress')
  const egress = entries('egress')
  return ingress.length === 0 && egress.length === 0 ? null : { ingress, egress }
}

/** What one peer matches now: pods (namespaces, pods and networks peers) and Nodes (nodes peers). */
export interface ClusterPeerView {
  readonly peer: ClusterPeer
  readonly pods: PodSet
  readonly nodes: readonly string[]
}

export interface ClusterRuleView {
  readonly index: number
  readonly name?: string
  readonly action: ClusterAction
  readonly peers: readonly ClusterPeerView[]
  readonly ports: 'any' | readonly ClusterPort[]
}

export interface ClusterPolicyView {
  readonly policy: ClusterPolicy
  /** the pods the subject selects now (never a hostNetwork pod) */
  readonly subject: PodSet
  /** 1-based place in its tier's evaluation order, and how many policies the tier has */
  readonly place: { readonly position: number; readonly of: number }
  readonly ingress: readonly ClusterRuleView[]
  readonly egress: readonly ClusterRuleView[]
}

export function describeClusterPolicy(index: ClusterIndex, policy: ClusterPolicy): ClusterPolicyView {
  const { cluster } = index
  const tier = cluster.clusterPolicies.filter((p) => p.tier === policy.tier)
  const rules = (d: Direction) =>
    policy[d].map((r, i) => ({
      index: i,
      ...(r.name !== undefined ? { name: r.name } : {}),
      action: r.action,
      peers: r.peers.map((peer) => peerView(index, peer)),
      ports: r.ports,
    }))
  return {
    policy,
    subject: podSet(cluster.pods.filter((p) => subjectSelects(index, policy.subject, p))),
    place: { position: tier.indexOf(policy) + 1, of: tier.length },
    ingress: rules('ingress'),
    egress: rules('egress'),
  }
}

function peerView(index: ClusterIndex, peer: ClusterPeer): ClusterPeerView {
  const { pods, nodes } = index.cluster
  switch (peer.kind) {
    case 'namespaces':
    case 'pods': {
      const ns = peer.kind === 'namespaces' ? peer.selector : peer.namespaceSelector
      const matched = pods.filter((p) => !p.hostNetwork && selectorMatches(ns, index.namespaceLabels(p.namespace)) && (peer.kind === 'namespaces' || selectorMatches(peer.podSelector, p.labels)))
      return { peer, pods: podSet(matched), nodes: [] }
    }
    case 'networks':
      return { peer, pods: podSet(pods.filter((p) => p.ips.some((a) => peer.cidrs.some((c) => cidrContains(c, a))))), nodes: [] }
    case 'nodes':
      return { peer, pods: podSet([]), nodes: nodes.filter((n) => selectorMatches(peer.selector, n.labels)).map((n) => n.name) }
    case 'domainNames':
      return { peer, pods: podSet([]), nodes: [] }
  }
}
