import type { Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import { peerKey, type NetworkPolicy, type Peer, type Rule } from '../model/policy.js'
import type { Bitset } from './bitset.js'
import type { ClusterIndex } from './cluster-index.js'
import { computeIdentities, type Identities } from './identities.js'
import { identitySpace, PeerCache, type PeerSets } from './peer-cache.js'

/**
 * The pods a peer admits, as pods: the PeerCache's classes (over the pods' Identities) expanded to their members,
 * in the order of the pods given. An ipBlock peer reads each pod's address of `family`.
 */
export class PeerPods {
  readonly ids: Identities
  readonly cache: PeerCache
  private readonly byKey = new Map<string, readonly Pod[]>()
  private readonly counts = new Map<string, ReadonlyMap<string, number>>()
  private readonly selectorMembers: number[][]
  private readonly addressMembers: number[][]
  /** classes per selector class and per address class */
  private readonly bySelector: number[][]
  private readonly byAddress: number[][]
  private indexes: Map<Pod, number> | null = null
  private stamp: Uint32Array
  private stamped = 0

  constructor(index: ClusterIndex, readonly pods: readonly Pod[], policies: readonly NetworkPolicy[], family: Family) {
    this.ids = computeIdentities(pods, policies, family)
    this.cache = new PeerCache(index, identitySpace(this.ids))
    const { classOf, selectorOf, addressOf, selectorClasses, addressClasses } = this.ids
    this.selectorMembers = selectorClasses.map(() => [])
    this.addressMembers = addressClasses.map(() => [])
    for (let i = 0; i < pods.length; i++) {
      const c = classOf[i]!
      this.selectorMembers[selectorOf[c]!]!.push(i)
      this.addressMembers[addressOf[c]!]!.push(i)
    }
    this.bySelector = selectorClasses.map(() => [])
    this.byAddress = addressClasses.map(() => [])
    for (let c = 0; c < this.ids.classes.length; c++) {
      this.bySelector[selectorOf[c]!]!.push(c)
      this.byAddress[addressOf[c]!]!.push(c)
    }
    this.stamp = new Uint32Array(pods.length)
  }

  /** How many pods one peer admits, per namespace (namespaces in no particular order). */
  countByNamespace(peer: Peer, policyNamespace: string): ReadonlyMap<string, number> {
    const key = peerKey(peer, policyNamespace)
    let out = this.counts.get(key)
    if (out === undefined) {
      const m = new Map<string, number>()
      out = m
      const bits = this.cache.forPeer(peer, policyNamespace)
      if (peer.kind === 'ipBlock') {
        bits.forEach((c) => {
          for (const i of this.addressMembers[c]!) {
            const ns = this.pods[i]!.namespace
            m.set(ns, (m.get(ns) ?? 0) + 1)
          }
        })
      } else {
        bits.forEach((c) => {
          const ns = this.ids.selectorClasses[c]!.rep.pod.namespace
          m.set(ns, (m.get(ns) ?? 0) + this.selectorMembers[c]!.length)
        })
      }
      this.counts.set(key, out)
    }
    return out
  }

  /** How many pods selector class `c` holds. */
  selectorCount(c: number): number {
    return this.selectorMembers[c]!.length
  }

  /** The pods of address class `c`, as indexes into `pods`, increasing. */
  addressMembersOf(c: number): readonly number[] {
    return this.addressMembers[c]!
  }

  /** How many pods admitted by some selector classes (a PeerCache answer for selector peers, or a union of them). */
  countSelectors(bits: Bitset): number {
    let n = 0
    bits.forEach((c) => (n += this.selectorMembers[c]!.length))
    return n
  }

  /** The selector class of one of the pods (its namespace, labels and named ports). */
  selectorClassOf(pod: Pod): number {
    this.indexes ??= new Map(this.pods.map((p, i) => [p, i]))
    return this.ids.selectorOf[this.ids.classOf[this.indexes.get(pod)!]!]!
  }

  /** What a rule's peers admit, as classes ("If this field is empty or missing, this rule matches all"). */
  ofRuleClasses(rule: Rule, policy: NetworkPolicy): PeerSets {
    return this.cache.forRule(rule, policy)
  }

  /** The pods some peer of a rule admits (all pods for a rule without peers), in the order of `pods`. */
  ofRule(rule: Rule, policy: NetworkPolicy): readonly Pod[] {
    if (rule.peers === 'any') return this.pods
    const sets = this.cache.forRule(rule, policy)
    // a pod may be admitted by its selector class and by its address class: stamp each once
    const mark = ++this.stamped
    const picked: number[] = []
    const take = (members: readonly number[]) => {
      for (const i of members) {
        if (this.stamp[i] === mark) continue
        this.stamp[i] = mark
        picked.push(i)
      }
    }
    sets.sel.forEach((c) => take(this.selectorMembers[c]!))
    sets.addr.forEach((c) => take(this.addressMembers[c]!))
    return Array.from(Int32Array.from(picked).sort(), (i) => this.pods[i]!)
  }

  /**
   * Does `b` admit every pod `a` admits? Decided on classes: a class a admits by its selector half and b does not
   * must be admitted by b by its address half, and the other way round.
   */
  admitsAll(a: PeerSets, b: PeerSets): boolean {
    const { selectorOf, addressOf } = this.ids
    const as = a.sel.words
    const bs = b.sel.words
    for (let w = 0; w < as.length; w++) {
      let only = as[w]! & ~bs[w]!
      while (only !== 0) {
        const low = only & -only
        const s1 = (w << 5) + 31 - Math.clz32(low)
        only ^= low
        for (const c of this.bySelector[s1]!) if (!b.addr.has(addressOf[c]!)) return false
      }
    }
    const aa = a.addr.words
    const ba = b.addr.words
    for (let w = 0; w < aa.length; w++) {
      let only = aa[w]! & ~ba[w]!
      while (only !== 0) {
        const low = only & -only
        const s2 = (w << 5) + 31 - Math.clz32(low)
        only ^= low
        for (const c of this.byAddress[s2]!) if (!b.sel.has(selectorOf[c]!)) return false
      }
    }
    return true
  }

  /** The pods one peer of a rule in a policy of `policyNamespace` admits, in the order of `pods`. */
  of(peer: Peer, policyNamespace: string): readonly Pod[] {
    const key = peerKey(peer, policyNamespace)
    let out = this.byKey.get(key)
    if (out === undefined) {
      const bits = this.cache.forPeer(peer, policyNamespace)
      out = this.expand(bits, peer.kind === 'ipBlock' ? this.addressMembers : this.selectorMembers)
      this.byKey.set(key, out)
    }
    return out
  }

  private expand(bits: Bitset, members: readonly (readonly number[])[]): Pod[] {
    const picked: number[] = []
    let runs = 0
    bits.forEach((c) => {
      runs++
      for (const i of members[c]!) picked.push(i)
    })
    const indexes = runs > 1 ? Int32Array.from(picked).sort() : picked
    const out: Pod[] = new Array(indexes.length)
    for (let k = 0; k < indexes.length; k++) out[k] = this.pods[indexes[k]!]!
    return out
  }
}
