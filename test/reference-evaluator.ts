/**
 * A deliberately small evaluator written straight from the NetworkPolicy documentation and the
 * sig-network-policy-api text (Admin tier, NetworkPolicy tier, Baseline tier, default allow), sharing no code with
 * the engine beyond the model types and address parsing. It is slow and explains nothing; its only job is
 * to be obviously right, so property tests can hold the engine and the matrix to it.
 */
import type { Cluster, Pod } from '../src/model/cluster.js'
import type { ClusterAction, ClusterPeer, ClusterPolicy, ClusterPort } from '../src/model/cluster-policy.js'
import type { IpAddress } from '../src/model/ip.js'
import type { LabelSelector } from '../src/model/label-selector.js'
import type { NetworkPolicy, Peer, Rule } from '../src/model/policy.js'
import type { PortSpec, Protocol } from '../src/model/port.js'

export type RefEnd = { pod: Pod; ip: IpAddress | null } | { pod: null; ip: IpAddress }

function labelsMatch(sel: LabelSelector, labels: Record<string, string>): boolean {
  return sel.requirements.every((r) => {
    const has = r.key in labels
    const v = labels[r.key]
    if (r.operator === 'In') return has && r.values.includes(v!)
    if (r.operator === 'NotIn') return !has || !r.values.includes(v!)
    if (r.operator === 'Exists') return has
    return !has
  })
}

function inCidr(ip: IpAddress, c: { family: number; first: bigint; last: bigint }): boolean {
  return ip.family === c.family && ip.value >= c.first && ip.value <= c.last
}

function nsLabels(cluster: Cluster, ns: string): Record<string, string> {
  return { ...(cluster.namespaces.get(ns)?.labels ?? {}), 'kubernetes.io/metadata.name': ns }
}

function peerOk(cluster: Cluster, policy: NetworkPolicy, peer: Peer, other: RefEnd): boolean {
  if (peer.kind === 'ipBlock') {
    if (other.ip === null) return false
    return inCidr(other.ip, peer.block.cidr) && !peer.block.except.some((e) => inCidr(other.ip!, e))
  }
  if (other.pod === null) return false
  const nsOk =
    peer.namespaces.kind === 'own'
      ? other.pod.namespace === policy.namespace
      : labelsMatch(peer.namespaces.selector, nsLabels(cluster, other.pod.namespace))
  return nsOk && labelsMatch(peer.podSelector, other.pod.labels)
}

function portOk(spec: PortSpec, port: number, protocol: Protocol, dest: Pod | null): boolean {
  if (spec.protocol !== protocol) return false
  if (spec.port.kind === 'all') return true
  if (spec.port.kind === 'range') return spec.port.from <= port && port <= spec.port.to
  const name = spec.port.name
  return dest !== null && dest.ports.some((p) => p.name === name && p.protocol === protocol && p.port === port)
}

function ruleOk(cluster: Cluster, policy: NetworkPolicy, rule: Rule, other: RefEnd, port: number, protocol: Protocol, dest: Pod | null): boolean {
  const peers = rule.peers === 'any' || rule.peers.some((p) => peerOk(cluster, policy, p, other))
  const ports = rule.ports === 'any' || rule.ports.some((s) => portOk(s, port, protocol, dest))
  return peers && ports
}

function networkPolicyTier(cluster: Cluster, pod: Pod, dir: 'ingress' | 'egress', other: RefEnd, port: number, protocol: Protocol, dest: Pod | null): 'not-isolated' | boolean {
  const selecting = cluster.policies.filter((p) => p.namespace === pod.namespace && p[dir] !== null && labelsMatch(p.podSelector, pod.labels))
  if (selecting.length === 0) return 'not-isolated'
  return selecting.some((p) => p[dir]!.some((r) => ruleOk(cluster, p, r, other, port, protocol, dest)))
}

// ---- cluster policy tiers, from the sig-network-policy-api text ----

/**
 * "Host-networked pods are not included in subject selection"; the subject is all pods of the selected
 * namespaces, or the selected pods of the selected namespaces.
 */
function subjectPicks(cluster: Cluster, cp: ClusterPolicy, pod: Pod): boolean {
  if (pod.hostNetwork) return false
  const s = cp.subject
  if (s.kind === 'namespaces') return labelsMatch(s.selector, nsLabels(cluster, pod.namespace))
  return labelsMatch(s.namespaceSelector, nsLabels(cluster, pod.namespace)) && labelsMatch(s.podSelector, pod.labels)
}

function sameIp(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && a.value === b.value
}

/**
 * What names resolve to, for domainNames peers: exact names only here (lower case), each mapped to its addresses.
 * Without an entry a name resolves to nothing the reference knows of.
 */
export type RefResolution = ReadonlyMap<string, readonly IpAddress[]>

/** A peer against the other end; domainNames: a name of the list resolves to the other end's address (never a pod's). */
function clusterPeerOk(cluster: Cluster, peer: ClusterPeer, other: RefEnd, resolution: RefResolution): boolean {
  if (peer.kind === 'namespaces' || peer.kind === 'pods') {
    if (other.pod === null || other.pod.hostNetwork) return false
    const ns = peer.kind === 'namespaces' ? peer.selector : peer.namespaceSelector
    if (!labelsMatch(ns, nsLabels(cluster, other.pod.namespace))) return false
    return peer.kind === 'namespaces' || labelsMatch(peer.podSelector, other.pod.labels)
  }
  if (other.ip === null) return false
  if (peer.kind === 'networks') return peer.cidrs.some((c) => inCidr(other.ip!, c))
  if (peer.kind === 'nodes') return cluster.nodes.some((n) => labelsMatch(peer.selector, n.labels) && n.addresses.some((a) => sameIp(a, other.ip!)))
  if (other.pod !== null) return false
  return peer.names.some((n) => (resolution.get(n.toLowerCase()) ?? []).some((a) => sameIp(a, other.ip!)))
}

function clusterPortOk(p: ClusterPort, port: number, protocol: Protocol, dest: Pod | null): boolean {
  if (p.kind === 'range') return p.protocol === protocol && p.from <= port && port <= p.to
  return dest !== null && dest.ports.some((c) => c.name === p.name && c.protocol === protocol && c.port === port)
}

/**
 * "Policies with lower priority values have higher precedence"; the BaselineAdminNetworkPolicy (no priority) after
 * the Baseline ClusterNetworkPolicies; equal priorities, which the API leaves to the implementation, by name and kind.
 */
function inOrder(cps: readonly ClusterPolicy[]): ClusterPolicy[] {
  const prio = (p: ClusterPolicy) => (p.priority === null ? Infinity : p.priority)
  const key = (p: ClusterPolicy) => `${p.name}\u0000${p.kind}`
  return [...cps].sort((a, b) => prio(a) - prio(b) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}

/** The action of the first matching rule of the tier's policies selecting the pod, in order; null when none. */
function tierAction(cluster: Cluster, tier: 'Admin' | 'Baseline', pod: Pod, dir: 'ingress' | 'egress', other: RefEnd, port: number, protocol: Protocol, dest: Pod | null, names: RefResolution): ClusterAction | null {
  for (const cp of inOrder(cluster.clusterPolicies)) {
    if (cp.tier !== tier || !subjectPicks(cluster, cp, pod)) continue
    for (const r of cp[dir]) {
      const portOk = r.ports === 'any' || r.ports.some((p) => clusterPortOk(p, port, protocol, dest))
      if (portOk && r.peers.some((p) => clusterPeerOk(cluster, p, other, names))) return r.action
    }
  }
  return null
}

/** Admin tier → NetworkPolicy tier → Baseline tier → the default, allowed. */
function directionOk(cluster: Cluster, pod: Pod, dir: 'ingress' | 'egress', other: RefEnd, port: number, protocol: Protocol, dest: Pod | null, names: RefResolution): boolean {
  const admin = tierAction(cluster, 'Admin', pod, dir, other, port, protocol, dest, names)
  if (admin === 'Accept') return true
  if (admin === 'Deny') return false
  const np = networkPolicyTier(cluster, pod, dir, other, port, protocol, dest)
  if (np !== 'not-isolated') return np
  return tierAction(cluster, 'Baseline', pod, dir, other, port, protocol, dest, names) !== 'Deny'
}

/**
 * Does this pod stand for exactly one pod? A workload template of `replicas: 3` stands for three pods with its
 * labels, and a DaemonSet's for one per node: for them "the same pod" is two replicas, not one pod.
 */
function onePod(pod: Pod): boolean {
  return pod.template === undefined || pod.template.replicas === undefined || pod.template.replicas === 1
}

export function referenceAllowed(cluster: Cluster, from: RefEnd, to: RefEnd, port: number, protocol: Protocol, names: RefResolution = new Map()): boolean {
  // a pod may always reach itself; one replica of a template reaching another is two pods
  if (from.pod !== null && from.pod === to.pod && onePod(from.pod)) return true
  // "traffic to and from the node where a Pod is running is always allowed"
  if (from.pod === null && to.pod !== null && to.pod.hostIPs.some((h) => h.family === from.ip.family && h.value === from.ip.value)) return true
  const egress = from.pod === null || directionOk(cluster, from.pod, 'egress', to, port, protocol, to.pod, names)
  const ingress = to.pod === null || directionOk(cluster, to.pod, 'ingress', from, port, protocol, to.pod, names)
  return egress && ingress
}
