/**
 * The other end of a connection, as the cluster policies' peers see it, for one address family: every address
 * sorted into tier classes that no peer of any cluster policy can tell apart. Pure; every answer is the engine's
 * (its PeerCache over this family's label classes and address pieces, asked by TierDecisions).
 *
 * Unlike the NetworkPolicy classes (address-classes.ts), which keep selector and network answers in two
 * dimensions because a NetworkPolicy's peers are only ORed, a tier decides by the FIRST rule whose peer matches
 * ("a rule that appears at the top ... would take the highest precedence"), so one class carries every peer's
 * answer at once: what the `namespaces`/`pods` peers say of the pod holding the address (never a hostNetwork pod:
 * its address is its node's), what the `networks` and `nodes` peers say of the address, and what named ports
 * mean on it as a destination. `domainNames` match no address here: which addresses a name stands for depends on
 * DNS, which the ruleset cannot see (a compile note says so).
 */
import { formatIpValue, type Family } from '../model/ip.js'
import type { ClusterPeer } from '../model/cluster-policy.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import { Bitset } from '../engine/bitset.js'
import { clusterAddressSets } from '../engine/identities.js'
import { clusterPeerKey, PeerCache } from '../engine/peer-cache.js'
import type { TierEnd } from '../engine/tier-decisions.js'
import { allocateIds, classPeerCache, classSegments, pieceOf, type AddressPiece, type ClassSegment, type LabelClasses } from './address-classes.js'

export interface TierClass {
  readonly id: number
  readonly key: string
  /** a member, as TierDecisions reads it: its label class (null: no pod's address) and address piece */
  readonly end: TierEnd
  /** what named ports mean on this class as a destination (see destKeyOf) */
  readonly destKey: string
}

export interface TierClasses {
  readonly family: Family
  /** the engine's answers over this family's label classes (selector half) and address pieces (address half) */
  readonly peers: PeerCache
  /** the largest id in use, plus one */
  readonly size: number
  readonly byId: readonly (TierClass | undefined)[]
  /** the `tclsN` map: a partition of the whole address line */
  readonly segments: readonly ClassSegment[]
  /** key → id, to keep ids on the next compile */
  readonly ids: ReadonlyMap<string, number>
  /** the classes some peer of these peers admits */
  classesOf(peers: readonly ClusterPeer[]): Bitset
}

const MAX: Record<Family, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n }

/** The address line of `f`, cut where a `networks` CIDR or a `nodes` peer's address starts or ends. */
function tierPieces(index: ClusterIndex, f: Family): AddressPiece[] {
  const cuts = new Set<bigint>([0n])
  for (const set of clusterAddressSets(index.cluster)) {
    for (const r of set.ranges) {
      // the sets hold both families' ranges: a cut past this family's line is not one of its own
      if (r.first > MAX[f]) continue
      cuts.add(r.first)
      if (r.last < MAX[f]) cuts.add(r.last + 1n)
    }
  }
  const points = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return points.map((lo, i) => ({ lo, hi: i + 1 < points.length ? points[i + 1]! - 1n : MAX[f], rep: { family: f, value: lo, text: formatIpValue(f, lo) } }))
}

/**
 * The tier classes of family `lc.family`. A pod address (of `lc`) is the pair of its label class and its address
 * piece; every other address the piece alone. Pairs that every peer of every cluster policy admits alike, with the
 * same named ports, are one class.
 */
export function tierClasses(index: ClusterIndex, lc: LabelClasses, previous: ReadonlyMap<string, number> | undefined): TierClasses {
  const f = lc.family
  const pieces = tierPieces(index, f)
  const peers = classPeerCache(index, lc, pieces)
  // every distinct peer, with what it admits
  const distinct = new Map<string, { peer: ClusterPeer; bits: Bitset }>()
  for (const p of index.cluster.clusterPolicies) {
    for (const r of [...p.ingress, ...p.egress]) {
      for (const peer of r.peers) {
        const k = clusterPeerKey(peer)
        if (!distinct.has(k)) distinct.set(k, { peer, bits: peers.forClusterPeer(peer) })
      }
    }
  }
  const list = [...distinct]
  const admits = (peer: ClusterPeer, end: TierEnd, bits: Bitset): boolean =>
    peer.kind === 'namespaces' || peer.kind === 'pods' ? end.sel !== null && bits.has(end.sel) : end.addr !== null && bits.has(end.addr)

  interface Group { key: string; end: TierEnd; destKey: string; ords: number[] }
  const groups = new Map<string, Group>()
  const sigCache = new Map<string, number[]>()
  const groupOf = (end: TierEnd, destKey: string): Group => {
    const pair = `${end.sel ?? '-'} ${end.addr}`
    let ords = sigCache.get(pair)
    if (ords === undefined) {
      ords = []
      list.forEach(([, { peer, bits }], ord) => {
        if (admits(peer, end, bits)) ords!.push(ord)
      })
      sigCache.set(pair, ords)
    }
    const key = `${destKey}\n${ords.map((o) => list[o]![0]).sort().join('\n')}`
    let g = groups.get(key)
    if (g === undefined) groups.set(key, (g = { key, end, destKey, ords }))
    return g
  }
  const pieceGroups = pieces.map((_, j) => groupOf({ sel: null, addr: j }, '-'))
  const podGroups = lc.pods.map((d) => groupOf({ sel: d.labelClass, addr: pieceOf(pieces, d.ip.value) }, lc.view.byId[d.labelClass]!.destKey))
  const ordered = [...groups.values()]
  const ids = allocateIds(
    ordered.map((g) => g.key),
    previous,
    0,
  )
  let size = 0
  for (const id of ids.values()) size = Math.max(size, id + 1)
  const byId: (TierClass | undefined)[] = new Array(size).fill(undefined)
  const peerClasses = list.map(() => new Bitset(size))
  for (const g of ordered) {
    const id = ids.get(g.key)!
    byId[id] = { id, key: g.key, end: g.end, destKey: g.destKey }
    for (const ord of g.ords) peerClasses[ord]!.add(id)
  }
  const ordOf = new Map(list.map(([k], i) => [k, i]))
  return {
    family: f,
    peers,
    size,
    byId,
    segments: classSegments(
      pieces.map((p, j) => ({ lo: p.lo, hi: p.hi, id: ids.get(pieceGroups[j]!.key)! })),
      lc.pods.map((d, i) => ({ value: d.ip.value, id: ids.get(podGroups[i]!.key)! })),
    ),
    ids,
    classesOf: (ps) => {
      const out = new Bitset(size)
      for (const peer of ps) {
        const ord = ordOf.get(clusterPeerKey(peer))
        if (ord !== undefined) out.orWith(peerClasses[ord]!)
      }
      return out
    },
  }
}
