import type { ClusterPeer, ClusterPolicy, ClusterRule, ClusterSubject } from '../model/cluster-policy.js'
import { cidrContains, type IpAddress } from '../model/ip.js'
import { selectorMatches, type LabelSelector } from '../model/label-selector.js'
import { peerKey, type NetworkPolicy, type Peer, type Rule } from '../model/policy.js'
import { Bitset } from './bitset.js'
import type { ClusterIndex } from './cluster-index.js'
import type { Identities } from './identities.js'
import { peerMatches } from './match-peer.js'
import { SelectorLabelIndex } from './selector-label-index.js'
import type { Endpoint } from './verdict.js'

/**
 * Classes of endpoints that peers are decided on, one member standing for each. A peer reads only one half of
 * an endpoint: selector peers its namespace and labels, ipBlock peers its address; so each half has its own
 * classes (they may share one id space, as the dataplane's do).
 */
export interface PeerSpace {
  /** the size of selector peers' answers */
  readonly selectorSize: number
  /** the classes selector peers are decided on, per namespace (selector peers match pods of some namespaces only) */
  readonly selectorsByNamespace: ReadonlyMap<string, readonly number[]>
  /** a member of selector class `id`: a pod */
  selectorRep(id: number): Endpoint & { kind: 'pod' }
  /** the size of ipBlock peers' answers */
  readonly addressSize: number
  /** the classes ipBlock peers are decided on */
  readonly addressIds: readonly number[]
  /** a member of address class `id` */
  addressRep(id: number): Endpoint
  /** what a rule without peers admits ("matches all sources/destinations") */
  readonly all: PeerSets
}

/** What one rule's peers admit: selector classes (selector peers) and address classes (ipBlock peers). */
export interface PeerSets {
  readonly sel: Bitset
  readonly addr: Bitset
}

/**
 * "Which endpoints does this peer admit", answered once per distinct peer (peers interned by peerKey) and once per
 * rule, as classes of a PeerSpace. The one selector cache that reachability, describe, lint and the dataplane
 * compiler ask (cilium's SelectorCache). Each answer is the engine's peerMatches on one member per class: a
 * selector peer's namespace half is decided once per namespace, its pod half once per class of those namespaces.
 */
export class PeerCache {
  private readonly byKey = new Map<string, Bitset>()
  private readonly nsBySelector = new Map<string, string[]>()
  private readonly ruleCache = new WeakMap<Rule, PeerSets>()
  private readonly clusterRuleCache = new WeakMap<ClusterRule, PeerSets>()
  private readonly subjectCache = new Map<string, Bitset>()
  private readonly subjectByObject = new WeakMap<ClusterSubject, Bitset>()
  private nodeAddresses: Map<string, ReadonlySet<string>> | null = null
  /**
   * `resolve`: the addresses a domain name stands for, when the user said (`--resolve`); without it a domainNames
   * peer admits no class (whether it matches depends on DNS, which a class answer cannot know).
   */
  constructor(readonly index: ClusterIndex, readonly space: PeerSpace, private readonly resolve?: (name: string) => readonly IpAddress[]) {}

  /** "If this field is empty or missing, this rule matches all sources" — several peers are ORed. */
  forRule(rule: Rule, policy: NetworkPolicy): PeerSets {
    if (rule.peers === 'any') return this.space.all
    let sets = this.ruleCache.get(rule)
    if (sets === undefined) {
      // answers are never changed by those who read them: a rule with one peer of a kind shares that peer's answer
      const sel: Bitset[] = []
      const addr: Bitset[] = []
      for (const peer of rule.peers) (peer.kind === 'ipBlock' ? addr : sel).push(this.forPeer(peer, policy.namespace))
      sets = { sel: this.union(sel, this.space.selectorSize), addr: this.union(addr, this.space.addressSize) }
      this.ruleCache.set(rule, sets)
    }
    return sets
  }

  private readonly empty = new Map<number, Bitset>()
  /** The union of some answers of one size: the answer itself when there is one, one shared empty set when none. */
  private union(answers: readonly Bitset[], size: number): Bitset {
    if (answers.length === 1) return answers[0]!
    if (answers.length === 0) {
      let none = this.empty.get(size)
      if (none === undefined) this.empty.set(size, (none = new Bitset(size)))
      return none
    }
    const out = Bitset.copy(answers[0]!)
    for (let i = 1; i < answers.length; i++) out.orWith(answers[i]!)
    return out
  }

  /** The classes one peer of a rule in a policy of `policyNamespace` admits: address classes for an ipBlock, else selector classes. */
  forPeer(peer: Peer, policyNamespace: string): Bitset {
    const key = peerKey(peer, policyNamespace)
    let bits = this.byKey.get(key)
    if (bits !== undefined) return bits
    const { space } = this
    if (peer.kind === 'ipBlock') {
      bits = new Bitset(space.addressSize)
      for (const id of space.addressIds) if (peerMatches(this.index, peer, policyNamespace, space.addressRep(id))) bits.add(id)
    } else {
      bits = new Bitset(space.selectorSize)
      // peerMatches in two halves: the namespaces it names (decided per namespace), then the pod selector per class
      const namespaces = peer.namespaces.kind === 'own' ? [policyNamespace] : this.namespacesMatching(peer.namespaces.selector)
      if (peer.namespaces.kind === 'selector' && namespaces.length > 1) {
        // many namespaces: the classes (of any namespace) the pod selector matches, among those of the namespaces named
        bits = this.podSelectorClasses(peer.podSelector).and(this.namespaceClasses(peer.namespaces.selector, namespaces))
      } else {
        for (const ns of namespaces) {
          for (const id of space.selectorsByNamespace.get(ns) ?? []) if (selectorMatches(peer.podSelector, space.selectorRep(id).pod.labels)) bits.add(id)
        }
      }
    }
    this.byKey.set(key, bits)
    return bits
  }

  /**
   * Does a cluster policy's subject select selector class `sel`? "host-networked pods are not included in
   * subject selection"; `namespaces`: every pod of the namespaces picked; `pods`: the podSelector's pods of them.
   */
  subjectSelects(policy: ClusterPolicy, sel: number): boolean {
    return this.forSubject(policy.subject).has(sel)
  }

  /** The selector classes a cluster subject selects. */
  forSubject(subject: ClusterSubject): Bitset {
    const seen = this.subjectByObject.get(subject)
    if (seen !== undefined) return seen
    const key = subject.kind === 'namespaces' ? `ns\n${subject.selector.key}` : `pods\n${subject.namespaceSelector.key}\n${subject.podSelector.key}`
    let bits = this.subjectCache.get(key)
    if (bits === undefined) {
      bits = this.podsOf(subject.kind === 'namespaces' ? subject.selector : subject.namespaceSelector, subject.kind === 'pods' ? subject.podSelector : null)
      this.subjectCache.set(key, bits)
    }
    this.subjectByObject.set(subject, bits)
    return bits
  }

  /** What a cluster rule's peers admit (several peers are ORed): selector classes and address classes. */
  forClusterRule(rule: ClusterRule): PeerSets {
    let sets = this.clusterRuleCache.get(rule)
    if (sets === undefined) {
      sets = { sel: new Bitset(this.space.selectorSize), addr: new Bitset(this.space.addressSize) }
      for (const peer of rule.peers) (peer.kind === 'namespaces' || peer.kind === 'pods' ? sets.sel : sets.addr).orWith(this.forClusterPeer(peer))
      this.clusterRuleCache.set(rule, sets)
    }
    return sets
  }

  /**
   * The classes one cluster peer admits: selector classes for namespaces/pods (never a hostNetwork pod), address
   * classes for networks ("cluster-internal traffic will be checked against the rule as well": pod addresses
   * count), nodes (the addresses of `status.addresses` of the Nodes picked) and domainNames (only through `resolve`).
   */
  forClusterPeer(peer: ClusterPeer): Bitset {
    const key = clusterPeerKey(peer)
    let bits = this.byKey.get(key)
    if (bits !== undefined) return bits
    const { space } = this
    if (peer.kind === 'namespaces') bits = this.podsOf(peer.selector, null)
    else if (peer.kind === 'pods') bits = this.podsOf(peer.namespaceSelector, peer.podSelector)
    else {
      const hit = this.addressTest(peer)
      bits = new Bitset(space.addressSize)
      for (const id of space.addressIds) {
        const rep = space.addressRep(id)
        // "Pod addresses never match domainNames"
        if (peer.kind === 'domainNames' && rep.kind === 'pod') continue
        if (rep.ip !== null && hit(rep.ip)) bits.add(id)
      }
    }
    this.byKey.set(key, bits)
    return bits
  }

  private addressTest(peer: ClusterPeer & { kind: 'networks' | 'nodes' | 'domainNames' }): (ip: IpAddress) => boolean {
    if (peer.kind === 'networks') return (ip) => peer.cidrs.some((c) => cidrContains(c, ip))
    if (peer.kind === 'nodes') {
      const set = this.nodeAddressesOf(peer.selector)
      return (ip) => set.has(`${ip.family}:${ip.value}`)
    }
    const resolved = new Set<string>()
    if (this.resolve !== undefined) for (const name of peer.names) for (const ip of this.resolve(name)) resolved.add(`${ip.family}:${ip.value}`)
    return (ip) => resolved.has(`${ip.family}:${ip.value}`)
  }

  private nodeAddressesOf(selector: LabelSelector): ReadonlySet<string> {
    this.nodeAddresses ??= new Map()
    let set = this.nodeAddresses.get(selector.key)
    if (set === undefined) {
      const out = new Set<string>()
      for (const n of this.index.cluster.nodes) if (selectorMatches(selector, n.labels)) for (const ip of n.addresses) out.add(`${ip.family}:${ip.value}`)
      this.nodeAddresses.set(selector.key, (set = out))
    }
    return set
  }

  /** Selector classes of the namespaces `nsSelector` picks whose pods `podSelector` (null: any) picks, hostNetwork pods left out. */
  private podsOf(nsSelector: LabelSelector, podSelector: LabelSelector | null): Bitset {
    const bits = new Bitset(this.space.selectorSize)
    for (const ns of this.namespacesMatching(nsSelector)) {
      for (const id of this.space.selectorsByNamespace.get(ns) ?? []) {
        const pod = this.space.selectorRep(id).pod
        if (pod.hostNetwork) continue
        if (podSelector === null || selectorMatches(podSelector, pod.labels)) bits.add(id)
      }
    }
    return bits
  }

  private labelIndex: SelectorLabelIndex | null = null
  private readonly byPodSelector = new Map<string, Bitset>()
  private readonly byNamespaceSelector = new Map<string, Bitset>()

  /** The selector classes, of any namespace, whose labels `sel` matches (kept per selector). */
  private podSelectorClasses(sel: LabelSelector): Bitset {
    let bits = this.byPodSelector.get(sel.key)
    if (bits === undefined) {
      const { space } = this
      bits = new Bitset(space.selectorSize)
      const candidates = (this.labelIndex ??= new SelectorLabelIndex(space)).candidates(sel)
      if (candidates !== null) {
        for (const id of candidates) if (selectorMatches(sel, space.selectorRep(id).pod.labels)) bits.add(id)
      } else {
        for (const ids of space.selectorsByNamespace.values()) for (const id of ids) if (selectorMatches(sel, space.selectorRep(id).pod.labels)) bits.add(id)
      }
      this.byPodSelector.set(sel.key, bits)
    }
    return bits
  }

  /** The selector classes of `namespaces`, those `sel` matches (kept per selector). */
  private namespaceClasses(sel: LabelSelector, namespaces: readonly string[]): Bitset {
    let bits = this.byNamespaceSelector.get(sel.key)
    if (bits === undefined) {
      bits = new Bitset(this.space.selectorSize)
      for (const ns of namespaces) for (const id of this.space.selectorsByNamespace.get(ns) ?? []) bits.add(id)
      this.byNamespaceSelector.set(sel.key, bits)
    }
    return bits
  }

  /** The namespaces of the space's pods whose labels `selector` matches. */
  namespacesMatching(selector: LabelSelector): readonly string[] {
    let list = this.nsBySelector.get(selector.key)
    if (list === undefined) {
      list = [...this.space.selectorsByNamespace.keys()].filter((ns) => selectorMatches(selector, this.index.namespaceLabels(ns)))
      this.nsBySelector.set(selector.key, list)
    }
    return list
  }
}

/** The two halves of Identities as a PeerSpace; a rule without peers admits every class of both. */
export function identitySpace(ids: Identities): PeerSpace {
  const nSel = ids.selectorClasses.length
  const nAddr = ids.addressClasses.length
  return {
    selectorSize: nSel,
    selectorsByNamespace: ids.selectorsByNamespace,
    selectorRep: (id) => ids.selectorClasses[id]!.rep,
    addressSize: nAddr,
    addressIds: ids.addressClasses.map((c) => c.index),
    addressRep: (id) => ids.addressClasses[id]!.rep,
    all: { sel: Bitset.full(nSel), addr: Bitset.full(nAddr) },
  }
}

/** Equal for cluster peers that admit the same endpoints (kept apart from NetworkPolicy peers' keys). */
export function clusterPeerKey(peer: ClusterPeer): string {
  switch (peer.kind) {
    case 'namespaces': return `c-ns\n${peer.selector.key}`
    case 'pods': return `c-pods\n${peer.namespaceSelector.key}\n${peer.podSelector.key}`
    case 'nodes': return `c-nodes\n${peer.selector.key}`
    case 'networks': return `c-net\n${peer.cidrs.map((c) => `${c.family}:${c.first}-${c.last}`).join(',')}`
    case 'domainNames': return `c-dns\n${peer.names.join(',')}`
  }
}
