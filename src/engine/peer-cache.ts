import { selectorMatches, type LabelSelector } from '../model/label-selector.js'
import { peerKey, type NetworkPolicy, type Peer, type Rule } from '../model/policy.js'
import { Bitset } from './bitset.js'
import type { ClusterIndex } from './cluster-index.js'
import type { Identities } from './identities.js'
import { peerMatches } from './match-peer.js'
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
  constructor(readonly index: ClusterIndex, readonly space: PeerSpace) {}

  /** "If this field is empty or missing, this rule matches all sources" — several peers are ORed. */
  forRule(rule: Rule, policy: NetworkPolicy): PeerSets {
    if (rule.peers === 'any') return this.space.all
    let sets = this.ruleCache.get(rule)
    if (sets === undefined) {
      sets = { sel: new Bitset(this.space.selectorSize), addr: new Bitset(this.space.addressSize) }
      for (const peer of rule.peers) (peer.kind === 'ipBlock' ? sets.addr : sets.sel).orWith(this.forPeer(peer, policy.namespace))
      this.ruleCache.set(rule, sets)
    }
    return sets
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
      for (const ns of namespaces) {
        for (const id of space.selectorsByNamespace.get(ns) ?? []) if (selectorMatches(peer.podSelector, space.selectorRep(id).pod.labels)) bits.add(id)
      }
    }
    this.byKey.set(key, bits)
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
