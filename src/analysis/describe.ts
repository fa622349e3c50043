import { standsForSeveral, type Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import type { IpBlock } from '../model/ip-block.js'
import type { Direction, NetworkPolicy, Peer, PolicyRef, Rule } from '../model/policy.js'
import { policyRef } from '../model/policy.js'
import { PROTOCOLS, type PortSpec, type Protocol } from '../model/port.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import { PeerPods } from '../engine/peer-pods.js'
import { matchPort, matchPorts } from '../engine/match-port.js'
import { isolatingPolicies, policySelects } from '../engine/select.js'
import { computeIdentities } from '../engine/identities.js'
import { ClassSides } from './class-sides.js'
import { podTiers, type PodTiers } from './describe-cluster-policy.js'
import { clusterPoliciesFor } from '../engine/select-cluster.js'

/** A set of pods and the namespaces they live in, for "3 pods in 2 namespaces". Both sorted. */
export interface PodSet {
  readonly pods: readonly Pod[]
  readonly namespaces: readonly string[]
}

/** What one peer of a rule resolves to in the cluster now. */
export interface PeerView {
  readonly peer: Peer
  /** selector peers: the pods they select; ipBlock peers: the pods whose address lies in the block */
  readonly matched: PodSet
}

/** One port entry of a rule; a named port also says what it resolves to on the destination pods. */
export interface PortView {
  readonly spec: PortSpec
  /** only for named ports: the numbers it means on the destination pods the rule covers, grouped */
  readonly named?: {
    readonly resolved: readonly { readonly ports: readonly number[]; readonly pods: readonly Pod[] }[]
    readonly unresolved: readonly Pod[]
  }
}

export interface RuleView {
  readonly index: number
  /** 'any': "If this field is empty or missing, this rule matches all sources/destinations" */
  readonly peers: 'any' | readonly PeerView[]
  /** 'any': "If this field is empty or missing, this rule matches all ports" */
  readonly ports: 'any' | readonly PortView[]
  /** every pod some peer of the rule matches (all pods when peers is 'any') */
  readonly pods: PodSet
}

/**
 * A policy resolved against the cluster. `ingress`/`egress` is null when policyTypes lacks the direction;
 * `ignored` lists the rules written under such a direction, which have no effect.
 */
export interface PolicyView {
  readonly policy: NetworkPolicy
  readonly selected: PodSet
  readonly policyTypes: readonly Direction[]
  readonly ingress: readonly RuleView[] | null
  readonly egress: readonly RuleView[] | null
  readonly ignored: { readonly ingress: readonly RuleView[]; readonly egress: readonly RuleView[] }
}

/**
 * Addresses outside the cluster's pods that a direction admits on one port: 'any' when the pod is not isolated
 * in that direction or a rule with matching ports has no peer list, else the ipBlocks of the rules whose ports
 * match (deduplicated; empty: none).
 */
export type ExternalView = { readonly kind: 'any' } | { readonly kind: 'blocks'; readonly blocks: readonly IpBlock[] }

/** Who may connect on one port (inbound), or whom the pod may connect to on it (outbound). */
export interface PortReach {
  readonly port: number
  readonly protocol: Protocol
  /** the pod's own container port name, inbound only */
  readonly name?: string
  /** the other pods the verdict was asked for: every other pod (inbound), the other pods that serve the port (outbound) */
  readonly considered: number
  readonly allowed: PodSet
  readonly external: ExternalView
}

export interface Isolation {
  /** the policies that select the pod with this policy type; empty: not isolated, everything is allowed */
  readonly by: readonly PolicyRef[]
}

export interface PodView {
  readonly pod: Pod
  readonly family: Family
  /** every policy that selects the pod, whatever its policyTypes */
  readonly selectedBy: readonly PolicyRef[]
  readonly ingress: Isolation
  readonly egress: Isolation
  /** per port the pod serves or its ingress policies name */
  readonly inbound: readonly PortReach[]
  /** per port another pod serves or the pod's egress policies name */
  readonly outbound: readonly PortReach[]
  /** the cluster policies that select the pod, per direction in evaluation order; absent when none does */
  readonly tiers?: PodTiers
}

/** Resolves peers against the cluster's pods, each distinct peer once. */
export class Describer {
  private readonly peerPods = new Map<Family, PeerPods>()
  constructor(readonly index: ClusterIndex) {}

  /** Every policy of the cluster, or those named, in cluster order. */
  policies(refs?: readonly PolicyRef[]): PolicyView[] {
    const all = this.index.cluster.policies
    const chosen = refs === undefined ? all : refs.map((r) => all.find((p) => p.namespace === r.namespace && p.name === r.name)).filter((p) => p !== undefined)
    return chosen.map((p) => this.policy(p))
  }

  policy(policy: NetworkPolicy): PolicyView {
    const pods = this.index.cluster.pods
    const selected = pods.filter((p) => policySelects(policy, p))
    const rules = (dir: Direction, list: readonly Rule[] | undefined | null) => (list ?? []).map((r, i) => this.rule(policy, dir, r, i, selected))
    const policyTypes: Direction[] = []
    if (policy.ingress !== null) policyTypes.push('ingress')
    if (policy.egress !== null) policyTypes.push('egress')
    return {
      policy,
      selected: podSet(selected),
      policyTypes,
      ingress: policy.ingress === null ? null : rules('ingress', policy.ingress),
      egress: policy.egress === null ? null : rules('egress', policy.egress),
      ignored: { ingress: rules('ingress', policy.ignored?.ingress), egress: rules('egress', policy.ignored?.egress) },
    }
  }

  private rule(policy: NetworkPolicy, dir: Direction, rule: Rule, index: number, selected: readonly Pod[]): RuleView {
    const all = this.index.cluster.pods
    const peers = rule.peers === 'any' ? 'any' : rule.peers.map((peer) => ({ peer, matched: podSet(this.matching(peer, policy.namespace)) }))
    const covered = peers === 'any' ? all : union(all, peers.map((p) => p.matched.pods))
    // named ports resolve on the destination: the selected pods for ingress, the rule's peers for egress
    const destinations = dir === 'ingress' ? selected : covered
    const ports = rule.ports === 'any' ? 'any' : rule.ports.map((spec) => portView(spec, destinations))
    return { index, peers, ports, pods: podSet(covered) }
  }

  /** The pods `peer` (of a policy in `namespace`) matches, from the engine's PeerCache. */
  matching(peer: Peer, namespace: string): readonly Pod[] {
    // an ipBlock matches a pod by its address of the block's family
    const family: Family = peer.kind === 'ipBlock' ? peer.block.cidr.family : 4
    let pods = this.peerPods.get(family)
    if (pods === undefined) {
      const { cluster } = this.index
      pods = new PeerPods(this.index, cluster.pods, cluster.policies, family)
      this.peerPods.set(family, pods)
    }
    return pods.of(peer, namespace)
  }
}

function portView(spec: PortSpec, destinations: readonly Pod[]): PortView {
  if (spec.port.kind !== 'named') return { spec }
  const groups = new Map<string, { ports: number[]; pods: Pod[] }>()
  const unresolved: Pod[] = []
  for (const pod of destinations) {
    const ports = resolveNamedPort(spec, pod)
    if (ports.length === 0) {
      unresolved.push(pod)
      continue
    }
    const key = ports.join(',')
    const g = groups.get(key)
    if (g) g.pods.push(pod)
    else groups.set(key, { ports, pods: [pod] })
  }
  const resolved = [...groups.values()].sort((a, b) => a.ports[0]! - b.ports[0]!)
  return { spec, named: { resolved, unresolved } }
}

/** The container port numbers on which the engine's matchPort accepts `spec` for `pod`, sorted. */
export function resolveNamedPort(spec: PortSpec, pod: Pod): number[] {
  const out = new Set<number>()
  for (const cp of pod.ports) if (matchPort(spec, 0, cp.port, cp.protocol, pod).ok) out.add(cp.port)
  return [...out].sort((a, b) => a - b)
}

/** The indexes of the pods serving each "PORT/PROTOCOL", once per index. */
const servers = new WeakMap<ClusterIndex, Map<string, number[]>>()
function serversOf(index: ClusterIndex, key: string): readonly number[] {
  let byPort = servers.get(index)
  if (!byPort) {
    servers.set(index, (byPort = new Map()))
    for (const [i, pod] of index.cluster.pods.entries()) {
      for (const k of new Set(pod.ports.map((cp) => `${cp.port}/${cp.protocol}`))) {
        const list = byPort.get(k)
        if (list) list.push(i)
        else byPort.set(k, [i])
      }
    }
  }
  return byPort.get(key) ?? []
}

/**
 * The classes of the index's pods for a family and their sides, once per index: a server describes pod after pod
 * of one snapshot (and may give the sides it keeps for its graph instead).
 */
const sidesByIndex = new WeakMap<ClusterIndex, Map<Family, ClassSides>>()
function sidesOf(index: ClusterIndex, family: Family): ClassSides {
  let byFamily = sidesByIndex.get(index)
  if (!byFamily) sidesByIndex.set(index, (byFamily = new Map()))
  let sides = byFamily.get(family)
  if (!sides) byFamily.set(family, (sides = new ClassSides(index, computeIdentities(index.cluster.pods, index.cluster.policies, family, index.cluster))))
  return sides
}

/**
 * The pod's isolation in each direction and a per-port summary of who may reach it and whom it may reach.
 * Verdicts are the class pair's (ClassSides: the engine's matching on one representative per half-class, which the
 * class matrix is held equal to evaluateFlow by), so one port costs a lookup per class, not an evaluation; the pod
 * itself is never counted ("a pod may always reach itself"), except a template of several replicas: it counts
 * among the others, as another replica of it would. `given`: the class sides of the index's pods in `family`.
 */
export function describePod(index: ClusterIndex, pod: Pod, family: Family = pod.ips[0]?.family ?? 4, given?: ClassSides): PodView {
  const { cluster } = index
  const sides = given ?? sidesOf(index, family)
  const ids = sides.ids
  const several = standsForSeveral(pod)
  const at = cluster.pods.indexOf(pod)
  if (at < 0) throw new Error(`describePod: ${pod.namespace}/${pod.name} is not a pod of the index`)
  // a template of several replicas is its own peer (one replica to another): nothing is left out then
  const self = several ? -1 : at
  const mine = ids.classOf[at]!
  const ingressBy = isolatingPolicies(index, pod, 'ingress')
  const egressBy = isolatingPolicies(index, pod, 'egress')

  const inbound = portsFor(pod.ports, ingressBy, 'ingress', clusterPorts(index, pod, 'ingress')).map(({ port, protocol, name }) => {
    const one = sides.port(port, protocol)
    const allowed: Pod[] = []
    ids.classes.forEach((c, ci) => {
      if (one.ingress(ci, mine) && one.egress(ci, mine)) for (const m of c.members) if (m !== self) allowed.push(cluster.pods[m]!)
    })
    const external = externalFor(ingressBy, 'ingress', port, protocol, pod)
    return { port, protocol, ...(name !== undefined ? { name } : {}), considered: cluster.pods.length - (several ? 0 : 1), allowed: podSet(sortPods(allowed)), external }
  })

  const served = cluster.pods.flatMap((p) => (p === pod && !several ? [] : p.ports))
  const outbound = portsFor(served, egressBy, 'egress', clusterPorts(index, pod, 'egress')).map(({ port, protocol }) => {
    const one = sides.port(port, protocol)
    const allowed: Pod[] = []
    let considered = 0
    // the pods serving the port: one verdict per class (any of its members answers for all)
    const verdicts = new Map<number, boolean>()
    for (const m of serversOf(index, `${port}/${protocol}`)) {
      if (m === self) continue
      considered++
      const ci = ids.classOf[m]!
      let v = verdicts.get(ci)
      if (v === undefined) verdicts.set(ci, (v = one.egress(mine, ci) && one.ingress(mine, ci)))
      if (v) allowed.push(cluster.pods[m]!)
    }
    return { port, protocol, considered, allowed: podSet(sortPods(allowed)), external: externalFor(egressBy, 'egress', port, protocol, null) }
  })

  const selectedBy = cluster.policies.filter((p) => policySelects(p, pod)).map(policyRef)
  const tiers = podTiers(index, pod)
  return { pod, family, selectedBy, ingress: { by: ingressBy.map(policyRef) }, egress: { by: egressBy.map(policyRef) }, inbound, outbound, ...(tiers ? { tiers } : {}) }
}

/** The first number of every port range of the cluster policies that select the pod for `dir`. */
function clusterPorts(index: ClusterIndex, pod: Pod, dir: Direction): { port: number; protocol: Protocol }[] {
  if (index.cluster.clusterPolicies.length === 0) return []
  const out: { port: number; protocol: Protocol }[] = []
  for (const tier of ['Admin', 'Baseline'] as const) {
    for (const p of clusterPoliciesFor(index, pod, dir, tier)) {
      for (const r of p[dir]) if (r.ports !== 'any') for (const cp of r.ports) if (cp.kind === 'range') out.push({ port: cp.from, protocol: cp.protocol })
    }
  }
  return out
}

/** Container ports plus the first number of every numeric port entry of the policies' rules, deduplicated, sorted. */
function portsFor(declared: readonly { port: number; protocol: Protocol; name?: string }[], policies: readonly NetworkPolicy[], dir: Direction, more: readonly { port: number; protocol: Protocol }[] = []) {
  const seen = new Map<string, { port: number; protocol: Protocol; name?: string }>()
  const add = (port: number, protocol: Protocol, name?: string) => {
    const key = `${port}/${protocol}`
    if (!seen.has(key)) seen.set(key, name === undefined ? { port, protocol } : { port, protocol, name })
  }
  for (const cp of declared) add(cp.port, cp.protocol, dir === 'ingress' ? cp.name : undefined)
  for (const p of policies) {
    for (const rule of p[dir] ?? []) {
      if (rule.ports === 'any') continue
      for (const spec of rule.ports) if (spec.port.kind === 'range') add(spec.port.from, spec.protocol)
    }
  }
  for (const m of more) add(m.port, m.protocol)
  return [...seen.values()].sort((a, b) => PROTOCOLS.indexOf(a.protocol) - PROTOCOLS.indexOf(b.protocol) || a.port - b.port)
}

/**
 * The addresses outside the pods a direction admits on port/protocol: the peers of every rule of the
 * isolating policies whose ports the engine matches (`dest`: the destination pod, null for an address).
 */
function externalFor(policies: readonly NetworkPolicy[], dir: Direction, port: number, protocol: Protocol, dest: Pod | null): ExternalView {
  if (policies.length === 0) return { kind: 'any' }
  const blocks = new Map<string, IpBlock>()
  for (const p of policies) {
    for (const rule of p[dir]!) {
      if (!matchPorts(rule.ports, port, protocol, dest).ok) continue
      if (rule.peers === 'any') return { kind: 'any' }
      for (const peer of rule.peers) if (peer.kind === 'ipBlock' && !blocks.has(peer.block.key)) blocks.set(peer.block.key, peer.block)
    }
  }
  return { kind: 'blocks', blocks: [...blocks.values()] }
}

export function podSet(pods: readonly Pod[]): PodSet {
  const namespaces = [...new Set(pods.map((p) => p.namespace))].sort()
  return { pods, namespaces }
}

function sortPods(pods: Pod[]): Pod[] {
  return pods.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** The pods of `all` that are in any of `parts`, in the order of `all`. */
function union(all: readonly Pod[], parts: readonly (readonly Pod[])[]): Pod[] {
  if (parts.length === 1) return [...parts[0]!]
  const inAny = new Set<Pod>()
  for (const part of parts) for (const p of part) inAny.add(p)
  return all.filter((p) => inAny.has(p))
}
