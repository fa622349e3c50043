/**
 * The other end of a connection, as the cluster policies' peers see it, for one address family: every address
 * sorted into tier classes that no peer of any cluster policy can tell apart. Pure.
 *
 * Unlike the NetworkPolicy classes (address-classes.ts), which keep selector and network answers in two
 * dimensions because a NetworkPolicy's peers are only ORed, a tier decides by the FIRST rule whose peer matches
 * ("a rule that appears at the top ... would take the highest precedence"), so one class must carry every peer's
 * answer at once: an address's class is what the `namespaces`/`pods` peers say of the pod holding it, what the
 * `networks` and `nodes` peers say of the address, and what named ports mean on it as a destination.
 * - `namespaces` / `pods`: a pod that is not hostNetwork ("host-networked pods are not included"); its namespace's
 *   labels and, for `pods`, its own;
 * - `networks`: the address, pod or not ("cluster-internal traffic will be checked against the rule as well");
 * - `nodes`: the address is one of `status.addresses` of a Node whose labels match (a hostNetwork pod's address
 *   is its node's);
 * - `domainNames`: which addresses a name stands for depends on DNS, which the ruleset cannot see: such a peer
 *   matches no address here (a note says so).
 */
import type { Pod } from '../model/cluster.js'
import type { ClusterPeer, ClusterPolicy } from '../model/cluster-policy.js'
import { canonicalCidr, formatIpValue, type Family } from '../model/ip.js'
import { selectorMatches } from '../model/label-selector.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import type { Endpoint } from '../engine/verdict.js'
import { Bitset } from '../engine/bitset.js'
import { allocateIds, classSegments, pieceOf, type AddressPiece, type ClassSegment, type LabelClasses } from './address-classes.js'

/** A peer's identity: equal keys match the same addresses. null for peers the ruleset cannot decide (domainNames). */
export function clusterPeerKey(peer: ClusterPeer): string | null {
  switch (peer.kind) {
    case 'namespaces': return `ns:${peer.selector.key}`
    case 'pods': return `pods:${peer.namespaceSelector.key}/${peer.podSelector.key}`
    case 'nodes': return `nodes:${peer.selector.key}`
    case 'networks': return `net:${peer.cidrs.map(canonicalCidr).sort().join(',')}`
    case 'domainNames': return null
  }
}

export interface TierClass {
  readonly id: number
  readonly key: string
  /** a member address, as the engine's endpoint */
  readonly rep: Endpoint
  /** the pod of `rep`, or null for an address that is no pod's (a node, a hostNetwork pod, outside) */
  readonly pod: Pod | null
  /** what named ports mean on this class as a destination (see destKeyOf) */
  readonly destKey: string
}

export interface TierClasses {
  readonly family: Family
  /** the largest id in use, plus one */
  readonly size: number
  readonly byId: readonly (TierClass | undefined)[]
  /** the `tclsN` map: a partition of the whole address line */
  readonly segments: readonly ClassSegment[]
  /** key → id, to keep ids on the next compile */
  readonly ids: ReadonlyMap<string, number>
  /** the classes a peer matches (empty for a peer that matches none, such as domainNames) */
  classesOf(peer: ClusterPeer): Bitset
}

const MAX: Record<Family, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n }

/** The distinct peers of every rule of `policies` that an address can match, by key. */
function distinctPeers(policies: readonly ClusterPolicy[]): Map<string, ClusterPeer> {
  const out = new Map<string, ClusterPeer>()
  for (const p of policies) {
    for (const rules of [p.ingress, p.egress]) {
      for (const r of rules) {
        for (const peer of r.peers) {
          const k = clusterPeerKey(peer)
          if (k !== null && !out.has(k)) out.set(k, peer)
        }
      }
    }
  }
  return out
}

/** The address ranges of family `f` a networks or nodes peer matches (single addresses for nodes). */
function addressRanges(index: ClusterIndex, peer: ClusterPeer, f: Family): { lo: bigint; hi: bigint }[] {
  if (peer.kind === 'networks') return peer.cidrs.filter((c) => c.family === f).map((c) => ({ lo: c.first, hi: c.last }))
  if (peer.kind !== 'nodes') return []
  const out: { lo: bigint; hi: bigint }[] = []
  for (const n of index.cluster.nodes) {
    if (!selectorMatches(peer.selector, n.labels)) continue
    for (const a of n.addresses) if (a.family === f) out.push({ lo: a.value, hi: a.value })
  }
  return out
}

/** Does a namespaces/pods peer match this pod (never a hostNetwork one: those are not in `lc`)? */
function selectorPeerMatches(index: ClusterIndex, peer: ClusterPeer, pod: Pod): boolean {
  if (peer.kind === 'namespaces') return selectorMatches(peer.selector, index.namespaceLabels(pod.namespace))
  if (peer.kind === 'pods') return selectorMatches(peer.namespaceSelector, index.namespaceLabels(pod.namespace)) && selectorMatches(peer.podSelector, pod.labels)
  return false
}

/**
 * The tier classes of family `lc.family` for the peers of `policies`. Pod addresses (of `lc`) each get the class
 * of their label class and address piece; every other address the class of its piece.
 */
export function tierClasses(index: ClusterIndex, lc: LabelClasses, policies: readonly ClusterPolicy[], previous: ReadonlyMap<string, number> | undefined): TierClasses {
  const f = lc.family
  const peers = [...distinctPeers(policies)]
  const ordOf = new Map(peers.map(([k], i) => [k, i]))
  // the address line, cut where a networks or nodes peer starts or ends
  const ranges = peers.map(([, peer]) => addressRanges(index, peer, f))
  const cuts = new Set<bigint>([0n])
  for (const rs of ranges) {
    for (const r of rs) {
      cuts.add(r.lo)
      if (r.hi < MAX[f]) cuts.add(r.hi + 1n)
    }
  }
  const points = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const pieces: AddressPiece[] = points.map((lo, i) => ({ lo, hi: i + 1 < points.length ? points[i + 1]! - 1n : MAX[f], rep: { family: f, value: lo, text: formatIpValue(f, lo) } }))
  const pieceSig: number[][] = pieces.map(() => [])
  ranges.forEach((rs, ord) => {
    for (const r of rs) {
      // the pieces inside r: from the one starting at r.lo up to the one ending at r.hi
      for (let j = pieceOf(pieces, r.lo); j < pieces.length && pieces[j]!.lo <= r.hi; j++) {
        const s = pieceSig[j]!
        if (s[s.length - 1] !== ord) s.push(ord)
      }
    }
  })
  for (const s of pieceSig) s.sort((a, b) => a - b)
  const selectorOrds = peers.flatMap(([, peer], ord) => (peer.kind === 'namespaces' || peer.kind === 'pods' ? [ord] : []))
  const labelSig = lc.view.byId.map((c) => selectorOrds.filter((ord) => selectorPeerMatches(index, peers[ord]![1], c!.pod!)))

  interface Group { key: string; rep: Endpoint; pod: Pod | null; destKey: string; sig: readonly number[] }
  const groups = new Map<string, Group>()
  const groupOf = (destKey: string, sig: readonly number[], rep: Endpoint, pod: Pod | null): Group => {
    const key = `${destKey}\n${sig.map((o) => peers[o]![0]).sort().join('\n')}`
    let g = groups.get(key)
    if (g === undefined) {
      g = { key, rep, pod, destKey, sig }
      groups.set(key, g)
    }
    return g
  }
  const pieceGroups = pieces.map((p, j) => groupOf('-', pieceSig[j]!, { kind: 'ip', ip: p.rep }, null))
  const podGroups = lc.pods.map((d) => {
    const c = lc.view.byId[d.labelClass]!
    const sig = [...labelSig[d.labelClass]!, ...pieceSig[pieceOf(pieces, d.ip.value)]!]
    return groupOf(c.destKey, sig, { kind: 'pod', pod: d.pod, ip: d.ip }, d.pod)
  })
  const ordered = [...groups.values()]
  const ids = allocateIds(
    ordered.map((g) => g.key),
    previous,
    0,
  )
  let size = 0
  for (const id of ids.values()) size = Math.max(size, id + 1)
  const byId: (TierClass | undefined)[] = new Array(size).fill(undefined)
  const peerBits = peers.map(() => new Bitset(size))
  for (const g of ordered) {
    const id = ids.get(g.key)!
    byId[id] = { id, key: g.key, rep: g.rep, pod: g.pod, destKey: g.destKey }
    for (const ord of g.sig) peerBits[ord]!.add(id)
  }
  const segments = classSegments(
    pieces.map((p, j) => ({ lo: p.lo, hi: p.hi, id: ids.get(pieceGroups[j]!.key)! })),
    lc.pods.map((d, i) => ({ value: d.ip.value, id: ids.get(podGroups[i]!.key)! })),
  )
  const none = new Bitset(size)
  return {
    family: f,
    size,
    byId,
    segments,
    ids,
    classesOf: (peer) => {
      const k = clusterPeerKey(peer)
      const ord = k === null ? undefined : ordOf.get(k)
      return ord === undefined ? none : peerBits[ord]!
    },
  }
}
