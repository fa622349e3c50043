import type { Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import { peerKey, type NetworkPolicy, type Peer } from '../model/policy.js'
import type { Bitset } from './bitset.js'
import type { ClusterIndex } from './cluster-index.js'
import { computeIdentities, type Identities } from './identities.js'
import { identitySpace, PeerCache } from './peer-cache.js'

/**
 * The pods a peer admits, as pods: the PeerCache's classes (over the pods' Identities) expanded to their members,
 * in the order of the pods given. An ipBlock peer reads each pod's address of `family`.
 */
export class PeerPods {
  readonly ids: Identities
  readonly cache: PeerCache
  private readonly byKey = new Map<string, readonly Pod[]>()
  private readonly selectorMembers: number[][]
  private readonly addressMembers: number[][]

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
