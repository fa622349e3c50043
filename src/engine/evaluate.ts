import { policyRef, type Direction, type NetworkPolicy } from '../model/policy.js'
import { standsForSeveral, type Pod } from '../model/cluster.js'
import type { ClusterIndex } from './cluster-index.js'
import { matchPeers } from './match-peer.js'
import { matchPorts } from './match-port.js'
import { isolatingPolicies } from './select.js'
import { NO_RESOLUTION, type NameResolution } from './name-resolution.js'
import { tierChain } from './tier-chain.js'
import { endpointName, sideAllows, type Endpoint, type Flow, type NetworkPolicySide, type PolicyMiss, type RuleHit, type SideVerdict, type Verdict, type VerdictNote } from './verdict.js'

/**
 * Decide one direction for the pod on that side: the source's egress (other end = destination) or the
 * destination's ingress (other end = source).
 * "If a pod is isolated ... the only allowed connections ... are those allowed by the [direction] list of
 * some NetworkPolicy that applies to the pod" — policies are additive, never subtractive.
 */
export function evaluateSide(index: ClusterIndex, pod: Pod, direction: Direction, other: Endpoint, flow: Flow, options: EvaluateOptions = {}): SideVerdict {
  const networkPolicies = () => networkPolicySide(index, pod, direction, other, flow)
  // "host-networked pods are not included in subject selection": only the NetworkPolicy tier speaks for them
  if (pod.hostNetwork) return networkPolicies()
  return tierChain({ index, pod, direction, other, flow, resolution: options.resolution ?? NO_RESOLUTION }, networkPolicies)
}

/** What the engine is told besides the cluster: what domain names resolve to (for `domainNames` peers). */
export interface EvaluateOptions {
  readonly resolution?: NameResolution
}

/** The NetworkPolicy tier alone (the diff walks the cluster policy tiers by classes and asks only this). */
export function networkPolicySide(index: ClusterIndex, pod: Pod, direction: Direction, other: Endpoint, flow: Flow): NetworkPolicySide {
  const policies = isolatingPolicies(index, pod, direction)
  if (policies.length === 0) return { kind: 'not-isolated' }
  // the port is always checked against the destination: named ports resolve on the destination pod
  const dest = flow.to.kind === 'pod' ? flow.to.pod : null
  const hits: RuleHit[] = []
  const misses: PolicyMiss[] = []
  for (const policy of policies) {
    const policyHits = ruleHits(index, policy, direction, other, flow, dest)
    if (policyHits.hits.length > 0) hits.push(...policyHits.hits)
    else misses.push(policyHits.miss)
  }
  const isolatedBy = policies.map(policyRef)
  return hits.length > 0 ? { kind: 'allowed', isolatedBy, allowedBy: hits } : { kind: 'denied', isolatedBy, misses }
}

function ruleHits(index: ClusterIndex, policy: NetworkPolicy, direction: Direction, other: Endpoint, flow: Flow, dest: Pod | null) {
  const rules = policy[direction] ?? []
  const hits: RuleHit[] = []
  const ruleMisses: PolicyMiss['rules'][number][] = []
  rules.forEach((rule, i) => {
    // a rule allows traffic that matches at least one peer AND at least one port
    const peers = matchPeers(index, rule.peers, policy.namespace, other)
    const ports = matchPorts(rule.ports, flow.port, flow.protocol, dest)
    if (peers.ok && ports.ok) {
      const hit: RuleHit = { policy: policyRef(policy), direction, rule: i, peer: peers.peer, port: ports.port }
      hits.push(ports.resolvedPort === undefined ? hit : { ...hit, resolvedPort: ports.resolvedPort })
    } else ruleMisses.push({ rule: i, peers, ports })
  })
  return { hits, miss: { policy: policyRef(policy), rules: ruleMisses } }
}

/**
 * May `flow.from` open a connection to `flow.to` on `flow.port`/`flow.protocol`?
 * "For a connection from a source pod to a destination pod to be allowed, both the egress policy on the
 * source pod and the ingress policy on the destination pod need to allow the connection."
 * Replies on an allowed connection are implicitly allowed, so only the opening direction is decided.
 */
export function evaluateFlow(index: ClusterIndex, flow: Flow, options: EvaluateOptions = {}): Verdict {
  const { from, to } = flow
  const notes: VerdictNote[] = []
  const samePod = from.kind === 'pod' && to.kind === 'pod' && from.pod === to.pod
  for (const e of samePod ? [from] : [from, to]) {
    if (e.kind !== 'pod') continue
    if (e.pod.hostNetwork) notes.push({ code: 'host-network', pod: endpointName(e) })
    if (e.ip === null) notes.push({ code: 'no-ip', pod: endpointName(e) })
  }
  if (samePod) {
    // a pod can always reach itself (loopback is never filtered)
    if (!standsForSeveral(from.pod)) return { allowed: true, egress: { kind: 'self' }, ingress: { kind: 'self' }, notes }
    // A template of several replicas stands for several pods with its labels, ports and namespace: its pair with
    // itself is one replica connecting to another, two different pods, and is decided as any two pods are.
    notes.push({ code: 'replicas', pod: endpointName(from), replicas: from.pod.template!.replicas! })
  }
  const egress: SideVerdict = from.kind === 'pod' ? evaluateSide(index, from.pod, 'egress', to, flow, options) : { kind: 'not-a-pod' }
  let ingress: SideVerdict
  if (to.kind !== 'pod') ingress = { kind: 'not-a-pod' }
  else if (from.kind === 'ip' && to.pod.hostIPs.some((h) => h.family === from.ip.family && h.value === from.ip.value)) {
    // "traffic to and from the node where a Pod is running is always allowed, regardless of the IP address of the Pod"
    ingress = { kind: 'from-node' }
  } else ingress = evaluateSide(index, to.pod, 'ingress', from, flow, options)
  return { allowed: sideAllows(egress) && sideAllows(ingress), egress, ingress, notes }
}
