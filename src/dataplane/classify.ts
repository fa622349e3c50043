/**
 * The classes of one family's addresses for the profiles of a compile (step 2 of address-classes.ts): the peers
 * of the profiles' rules asked about every label class and address piece, then merged. Pure; with a memo, the
 * answers of the last compile are kept (see SignatureMemo). Used by compile-policies.ts.
 */
import type { Namespace } from '../model/cluster.js'
import type { IpBlock } from '../model/ip-block.js'
import { peerKey, type Peer } from '../model/policy.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import { addressPieces, classPeerCache, mergeClasses, type AddressClasses, type AddressPiece, type LabelClasses } from './address-classes.js'
import { MergeMemo } from './class-patch.js'
import type { Profile } from './profile-allows.js'

/**
 * What classify may keep for the next compile: the answers of the relevant peers per label class (by the label
 * class's key) and per address piece, valid while the peers and the namespaces' labels stay the same.
 */
export class SignatureMemo {
  readonly merge = new MergeMemo()
  last: {
    readonly peers: string
    readonly namespaces: ReadonlyMap<string, Namespace>
    readonly pieces: readonly AddressPiece[]
    readonly pieceSig: readonly (readonly number[])[]
    readonly labelSig: Map<string, readonly number[]>
  } | null = null
}

/** Whether two models' namespaces carry the same labels (a namespace no object names is made anew on each build). */
export const sameEntries = (a: ReadonlyMap<string, Namespace>, b: ReadonlyMap<string, Namespace>): boolean => {
  if (a === b) return true
  if (a.size !== b.size) return false
  for (const [k, v] of a) {
    const w = b.get(k)
    if (w === v) continue
    if (w === undefined) return false
    const keys = Object.keys(v.labels)
    if (keys.length !== Object.keys(w.labels).length || keys.some((l) => v.labels[l] !== w.labels[l])) return false
  }
  return true
}

/**
 * The classes of this family's addresses: label classes and address pieces merged wherever the peers of the
 * profiles' rules (the only peers whose answers reach the ruleset) cannot tell them apart. With a memo, only the
 * label classes it has not seen are asked (all of them when the peers or a namespace changed).
 */
export function classify(index: ClusterIndex, lc: LabelClasses, profiles: readonly Profile[], previous: ReadonlyMap<string, number> | undefined, memo?: SignatureMemo): AddressClasses {
  const selectorPeers = new Map<string, { peer: Peer; ns: string; ord: number }>()
  const blockPeers = new Map<string, { peer: Peer & { kind: 'ipBlock' }; ord: number }>()
  const keys: string[] = []
  for (const p of profiles) {
    for (const policy of p.policies) {
      for (const rule of policy[p.direction] ?? []) {
        if (rule.peers === 'any') continue
        for (const peer of rule.peers) {
          const key = peerKey(peer, policy.namespace)
          if (peer.kind === 'ipBlock') {
            if (!blockPeers.has(key)) blockPeers.set(key, { peer, ord: keys.push(key) - 1 })
          } else if (!selectorPeers.has(key)) selectorPeers.set(key, { peer, ns: policy.namespace, ord: keys.push(key) - 1 })
        }
      }
    }
  }
  const peersKey = keys.join('\u0000')
  const namespaces = index.cluster.namespaces
  let last = memo?.last ?? null
  if (last !== null && (last.peers !== peersKey || !sameEntries(last.namespaces, namespaces))) last = null
  let pieces: readonly AddressPiece[]
  let pieceSig: readonly (readonly number[])[]
  if (last !== null) {
    pieces = last.pieces
    pieceSig = last.pieceSig
  } else {
    const blocks: IpBlock[] = [...blockPeers.values()].map((b) => b.peer.block)
    pieces = addressPieces(blocks, lc.family)
    const peers = classPeerCache(index, lc, pieces)
    const sig: number[][] = pieces.map(() => [])
    for (const { peer, ord } of blockPeers.values()) peers.forPeer(peer, '').forEach((j) => sig[j]!.push(ord))
    pieceSig = sig
  }
  // the label classes not answered yet: every one, or those the memo has not seen
  const known = last?.labelSig ?? new Map<string, readonly number[]>()
  const labelSig: (readonly number[])[] = new Array(lc.view.size)
  const missing = new Map<string, number[]>()
  for (const c of lc.view.byId) {
    const sig = known.get(c!.key)
    if (sig !== undefined) labelSig[c!.id] = sig
    else {
      const ns = c!.pod!.namespace
      const list = missing.get(ns)
      if (list === undefined) missing.set(ns, [c!.id])
      else list.push(c!.id)
    }
  }
  if (missing.size > 0) {
    const fresh: number[][] = lc.view.byId.map(() => [])
    const peers = classPeerCache(index, { ...lc, view: { ...lc.view, byNamespace: missing } }, pieces)
    for (const { peer, ns, ord } of selectorPeers.values()) peers.forPeer(peer, ns).forEach((c) => fresh[c]!.push(ord))
    for (const ids of missing.values()) for (const c of ids) labelSig[c] = fresh[c]!
  }
  if (memo !== undefined) {
    const kept = new Map<string, readonly number[]>()
    for (const c of lc.view.byId) kept.set(c!.key, labelSig[c!.id]!)
    memo.last = { peers: peersKey, namespaces, pieces, pieceSig, labelSig: kept }
  }
  return mergeClasses(
    lc,
    pieces,
    (c) => labelSig[c]!,
    (j) => pieceSig[j]!,
    (ord) => keys[ord]!,
    previous,
    memo?.merge,
    last !== null,
  )
}
