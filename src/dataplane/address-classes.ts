/**
 * Every address of one family, sorted into classes that the policies in force cannot tell apart, along two
 * independent dimensions, because a peer looks at only one of them: selector peers see a pod's namespace and
 * labels, ipBlock peers see an address. Pure.
 * - selector classes (`selN` map, pod address → id): pods that every relevant selector peer matches alike;
 * - network classes (`netN` interval map, any address → id): pieces of the address line that every relevant
 *   ipBlock matches alike.
 * Both also keep apart what named ports mean on a destination. Each step decides with the engine's own
 * functions on one member at a time; only the peers of the rules that reach the ruleset count, so thousands
 * of label sets or ipBlocks cut through the pod range still make few classes.
 */
import type { Pod } from '../model/cluster.js'
import { formatIpValue, type Family, type IpAddress } from '../model/ip.js'
import type { IpBlock } from '../model/ip-block.js'
import { namedPortsKey } from '../engine/identities.js'
import type { Endpoint } from '../engine/verdict.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import { Bitset } from '../engine/bitset.js'
import { PeerCache } from '../engine/peer-cache.js'
import { shortHash } from '../model/short-hash.js'
import { patchMerge, type MergeMemo } from './class-patch.js'

export interface AddressClass {
  readonly id: number
  readonly dim: 'sel' | 'net'
  /** stable across compiles while what the class stands for stays the same */
  readonly key: string
  /** a member; any member gives the same verdicts */
  readonly rep: Endpoint
  /** the pod of `rep`, or null for addresses outside the pods */
  readonly pod: Pod | null
  /** what named ports mean on this class as a destination: '-' outside the pods and on pods without named ports */
  readonly destKey: string
}

/** Classes by id, and the selector classes holding pods of each namespace. */
export interface ClassView {
  /** the largest id in use, plus one */
  readonly size: number
  /** ids that no class holds are undefined */
  readonly byId: readonly (AddressClass | undefined)[]
  readonly byNamespace: ReadonlyMap<string, readonly number[]>
}

/** One element of the class map: addresses lo..hi (inclusive) have class `id`. */
export interface ClassSegment {
  readonly lo: bigint
  readonly hi: bigint
  readonly id: number
}

export type AddressNote =
  | { readonly code: 'host-network-not-filtered'; readonly pod: string }
  | { readonly code: 'address-shared'; readonly ip: string; readonly pods: readonly string[] }

export interface DataplanePod {
  readonly pod: Pod
  readonly ip: IpAddress
  /** index of its class in LabelClasses.view */
  readonly labelClass: number
}

/** Step 1: the pods of one family grouped by namespace, labels and named ports. */
export interface LabelClasses {
  readonly family: Family
  readonly view: ClassView
  readonly pods: readonly DataplanePod[]
  /** the pod holding each address of `pods` */
  readonly owners: ReadonlyMap<bigint, Pod>
  /** set when this is `base` (the last result of the same memo) with some pods removed and added, the classes unchanged */
  readonly delta?: { readonly base: LabelClasses; readonly removed: readonly DataplanePod[]; readonly added: readonly DataplanePod[] }
}

/**
 * What named ports can mean on a pod as a destination. A pod that names no port is like an address outside the
 * pods: a named port never resolves on either.
 */
export const destKeyOf = (pod: Pod): string => {
  const k = namedPortsKey(pod)
  return k === '' ? '-' : `pod:${k}`
}

const MAX: Record<Family, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n }
export const podName = (p: Pod): string => `${p.namespace}/${p.name}`

const byValue = (a: { value: bigint }, b: { value: bigint }): number => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)
const byAddress = (a: { ip: bigint }, b: { ip: bigint }): number => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0)

/** A piece of the address line within which every ipBlock contains all addresses or none. */
export interface AddressPiece {
  readonly lo: bigint
  readonly hi: bigint
  /** its first address, standing for all of it */
  readonly rep: IpAddress
}

/** The address line of `family`, cut at every start and end of the blocks' cidr and except entries. */
export function addressPieces(blocks: readonly IpBlock[], family: Family): AddressPiece[] {
  const max = MAX[family]
  const cuts = new Set<bigint>([0n])
  for (const b of blocks) {
    if (b.cidr.family !== family) continue
    for (const c of [b.cidr, ...b.except]) {
      cuts.add(c.first)
      if (c.last < max) cuts.add(c.last + 1n)
    }
  }
  const points = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return points.map((lo, i) => ({ lo, hi: i + 1 < points.length ? points[i + 1]! - 1n : max, rep: { family, value: lo, text: formatIpValue(family, lo) } }))
}

/** The index of the piece holding `value` (pieces sorted and covering everything). */
export function pieceOf(pieces: readonly AddressPiece[], value: bigint): number {
  let lo = 0
  let hi = pieces.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if (pieces[mid]!.lo <= value) lo = mid
    else hi = mid - 1
  }
  return lo
}

export interface AddressClasses extends ClassView {
  readonly family: Family
  /** the `selN` map: pod address → selector class, for pods that some relevant selector peer matches */
  readonly selElements: readonly { readonly ip: bigint; readonly id: number }[]
  /** the `netN` map: a partition of the whole address line, sorted, neighbours of one class merged */
  readonly netSegments: readonly ClassSegment[]
  /** ids of the network classes (every address has one) */
  readonly netIds: readonly number[]
  /** key → id, to keep ids on the next compile */
  readonly ids: ReadonlyMap<string, number>
}

/**
 * Step 2. `labelSignature(c)` lists the relevant selector peers (by ordinal) that label class c matches,
 * `pieceSignature(j)` the relevant ipBlock peers that address piece j matches. Label classes with equal
 * signatures (and destination keys) become one selector class; pieces and pod addresses with equal signatures
 * (and destination keys) one network class. `peerKey` names an ordinal stably, so that a class keeps its id
 * while it matches the same peers.
 */
export function mergeClasses(
  lc: LabelClasses,
  pieces: readonly AddressPiece[],
  labelSignature: (c: number) => readonly number[],
  pieceSignature: (j: number) => readonly number[],
  peerKey: (ordinal: number) => string,
  previous: ReadonlyMap<string, number> | undefined,
  memo?: MergeMemo,
  samePeers = false,
): AddressClasses {
  const last = memo?.last
  if (memo !== undefined && last != null && samePeers) {
    const patched = patchMerge(last, lc, pieces, previous, labelSignature)
    memo.last = patched
    if (patched !== null) return patched.out
  }
  interface Group { key: string; dim: 'sel' | 'net'; rep: Endpoint; pod: Pod | null; destKey: string; sig: readonly number[]; exact: string; repKey: string }
  const groups = new Map<string, Group>()
  const ordered: Group[] = []
  const stableKeys = new Set<string>()
  // a class's stable key does not depend on ordinals (they change between compiles): combine per-peer hashes
  // in an order-free way; two classes that collide only lose id stability (the `+` below keeps keys distinct)
  const peerHashes = new Map<number, [number, number]>()
  const stableKey = (destKey: string, ords: readonly number[]): string => {
    let sum = 0
    let xor = 0
    for (const o of ords) {
      let h = peerHashes.get(o)
      if (h === undefined) {
        const text = shortHash(peerKey(o))
        h = [parseInt(text.slice(0, 6), 36), parseInt(text.slice(6), 36)]
        peerHashes.set(o, h)
      }
      sum = (sum + h[0]) % 0x7fffffff
      xor ^= h[1]
    }
    return `${shortHash(destKey)}${sum.toString(36)}${xor.toString(36)}${ords.length}`
  }
  const groupOf = (dim: 'sel' | 'net', destKey: string, sig: readonly number[], rep: Endpoint, pod: Pod | null): Group => {
    const sorted = [...sig].sort((a, b) => a - b)
    const exact = `${dim}\n${destKey}\n${sorted.join(',')}`
    let g = groups.get(exact)
    if (g === undefined) {
      let key = `${dim === 'sel' ? 's' : 'n'}${stableKey(destKey, sorted)}`
      while (stableKeys.has(key)) key += '+'
      stableKeys.add(key)
      g = { key, dim, rep, pod, destKey, sig: sorted, exact, repKey: '' }
      groups.set(exact, g)
      ordered.push(g)
    }
    return g
  }
  // selector classes: label classes that match at least one relevant selector peer; a selector class stands for
  // its label class of the least key (whatever the label classes' order)
  const selOfLabel = lc.view.byId.map((c) => {
    const sig = labelSignature(c!.id)
    if (sig.length === 0) return null
    const g = groupOf('sel', c!.destKey, sig, c!.rep, c!.pod)
    if (g.repKey === '' || c!.key < g.repKey) {
      g.rep = c!.rep
      g.pod = c!.pod
      g.repKey = c!.key
    }
    return g
  })
  // network classes: address pieces, and pod addresses where named ports mean something
  const pieceGroups = pieces.map((p, j) => groupOf('net', '-', pieceSignature(j), { kind: 'ip', ip: p.rep }, null))
  const netByPair = new Map<string, Group>()
  const podNet = lc.pods.map((d) => {
    const j = pieceOf(pieces, d.ip.value)
    const destKey = lc.view.byId[d.labelClass]!.destKey
    if (destKey === '-') return pieceGroups[j]!
    const pair = `${destKey}\n${j}`
    let g = netByPair.get(pair)
    if (g === undefined) {
      g = groupOf('net', destKey, pieceSignature(j), { kind: 'pod', pod: d.pod, ip: d.ip }, d.pod)
      netByPair.set(pair, g)
    }
    return g
  })
  // id 0 is no class: what a pod address outside `selN` gets
  const ids = allocateIds(
    runFriendlyOrder(ordered).map((g) => g.key),
    previous,
    1,
  )
  let size = 0
  for (const id of ids.values()) size = Math.max(size, id + 1)
  const byId: (AddressClass | undefined)[] = new Array(size).fill(undefined)
  const netIds: number[] = []
  for (const g of ordered) {
    const id = ids.get(g.key)!
    byId[id] = { id, dim: g.dim, key: g.key, rep: g.rep, pod: g.pod, destKey: g.destKey }
    if (g.dim === 'net') netIds.push(id)
  }
  const byNamespace = new Map<string, number[]>()
  const selElements: { ip: bigint; id: number }[] = []
  lc.pods.forEach((d) => {
    const g = selOfLabel[d.labelClass]
    if (!g) return
    const id = ids.get(g.key)!
    selElements.push({ ip: d.ip.value, id })
    const list = byNamespace.get(d.pod.namespace)
    if (list === undefined) byNamespace.set(d.pod.namespace, [id])
    else if (list[list.length - 1] !== id && !list.includes(id)) list.push(id)
  })
  selElements.sort(byAddress)
  const pieceSegments = pieces.map((p, j) => ({ lo: p.lo, hi: p.hi, id: ids.get(pieceGroups[j]!.key)! }))
  const podSegments = lc.pods.map((d, i) => ({ value: d.ip.value, id: ids.get(podNet[i]!.key)! })).sort(byValue)
  const netSegments = classSegments(pieceSegments, podSegments, true)
  const out: AddressClasses = { family: lc.family, size, byId, byNamespace, selElements, netSegments, netIds, ids }
  if (memo !== undefined) {
    const netPairs = new Map<string, number>()
    for (const [pair, g] of netByPair) netPairs.set(pair, ids.get(g.key)!)
    const selExact = new Map<string, number>()
    for (const g of ordered) if (g.dim === 'sel') selExact.set(g.exact, ids.get(g.key)!)
    memo.last = {
      lc,
      pieces,
      out,
      selExact,
      selOfLabel: selOfLabel.map((g) => (g ? ids.get(g.key)! : null)),
      pieceSegments,
      netPairs,
      podSegments,
    }
  }
  return out
}

/**
 * New ids follow an order in which classes that the same peers match sit next to each other, so that one element
 * of a profile covers a run of them: selector classes first, sorted by the peers they match, the peers that match
 * the most classes weighing most; then network classes in address order.
 */
function runFriendlyOrder<G extends { dim: 'sel' | 'net'; sig: readonly number[]; destKey: string }>(groups: readonly G[]): G[] {
  const sel = groups.filter((g) => g.dim === 'sel')
  const popularity = new Map<number, number>()
  for (const g of sel) for (const o of g.sig) popularity.set(o, (popularity.get(o) ?? 0) + 1)
  const rank = new Map([...popularity].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([o], i) => [o, i]))
  const ranked = new Map(sel.map((g) => [g, g.sig.map((o) => rank.get(o)!).sort((a, b) => a - b)]))
  const cmp = (a: G, b: G): number => {
    const x = ranked.get(a)!
    const y = ranked.get(b)!
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!
    return y.length - x.length || (a.destKey < b.destKey ? -1 : a.destKey > b.destKey ? 1 : 0)
  }
  return [...sel.sort(cmp), ...groups.filter((g) => g.dim === 'net')]
}

/**
 * Gives every key an id: the id it had in `previous` when there is one (so a change to the cluster keeps the
 * ids of what did not change), else the lowest free id from `first` on, in the order of `keys`.
 */
/** The engine's PeerCache over this family's label classes and the given address pieces (one representative each). */
export function classPeerCache(index: ClusterIndex, lc: LabelClasses, pieces: readonly { readonly rep: IpAddress }[]): PeerCache {
  return new PeerCache(index, {
    selectorSize: lc.view.size,
    selectorsByNamespace: lc.view.byNamespace,
    selectorRep: (c) => lc.view.byId[c]!.rep as Endpoint & { kind: 'pod' },
    addressSize: pieces.length,
    addressIds: [...pieces.keys()],
    addressRep: (j): Endpoint => ({ kind: 'ip', ip: pieces[j]!.rep }),
    all: { sel: Bitset.full(lc.view.size), addr: Bitset.full(pieces.length) },
  })
}

/**
 * Ids handed out one key at a time (port sets, tier decision sets): a key keeps the id it had in the previous
 * compile, so unchanged elements stay as they are; a new key takes the lowest id no previous key holds.
 */
export class StableIds {
  private readonly taken: Set<number>
  private next = 1
  constructor(private readonly previous: ReadonlyMap<string, number> | undefined) {
    this.taken = new Set(previous?.values() ?? [])
  }

  /** the id `key` keeps from the previous compile, if it had one */
  would(key: string): number | undefined {
    return this.previous?.get(key)
  }

  /** the id of a key met for the first time in this compile */
  idFor(key: string): number {
    const id = this.previous?.get(key)
    if (id !== undefined) return id
    while (this.taken.has(this.next)) this.next++
    this.taken.add(this.next)
    return this.next
  }
}

/**
 * How the conntrack mark (the ruleset's scratch register) is laid out for one family: the profiles' ids (kept from the previous compile), the
 * largest of them, and the bits the class ids take (never fewer than before, at least 16).
 */
export function markLayout(
  profileKeys: readonly string[],
  prev: { readonly profileIds: ReadonlyMap<string, number>; readonly classBits: number } | undefined,
  classes: number,
): { profileIds: Map<string, number>; maxProfile: number; classBits: number } {
  const profileIds = allocateIds(profileKeys, prev?.profileIds, 1)
  let maxProfile = 0
  for (const n of profileIds.values()) maxProfile = Math.max(maxProfile, n)
  return { profileIds, maxProfile, classBits: Math.max(prev?.classBits ?? 16, bitsFor(classes)) }
}

/** The bits that hold the numbers 0..n-1. */
export function bitsFor(n: number): number {
  let b = 0
  while (2 ** b < n) b++
  return b
}

export function allocateIds(keys: readonly string[], previous: ReadonlyMap<string, number> | undefined, first: number): Map<string, number> {
  const out = new Map<string, number>()
  const used = new Set<number>()
  if (previous !== undefined) {
    for (const k of keys) {
      const id = previous.get(k)
      if (id !== undefined && !used.has(id)) {
        out.set(k, id)
        used.add(id)
      }
    }
  }
  // an id that a key of the previous compile gave up is not handed out again in this one: the change that drops
  // the old key's elements must not have to replace them by the new key's in place (make-before-break.ts)
  for (const id of previous?.values() ?? []) used.add(id)
  let next = first
  for (const k of keys) {
    if (out.has(k)) continue
    while (used.has(next)) next++
    out.set(k, next)
    used.add(next)
  }
  return out
}

/** The address pieces with every pod address cut out as its own segment; neighbours of one class merged. */
export function classSegments(pieces: readonly ClassSegment[], pods: readonly { value: bigint; id: number }[], presorted = false): ClassSegment[] {
  const sorted = presorted ? pods : [...pods].sort(byValue)
  const out: ClassSegment[] = []
  const push = (lo: bigint, hi: bigint, id: number) => {
    const last = out[out.length - 1]
    if (last !== undefined && last.id === id && last.hi + 1n === lo) out[out.length - 1] = { lo: last.lo, hi, id }
    else out.push({ lo, hi, id })
  }
  let k = 0
  for (const seg of pieces) {
    let lo = seg.lo
    while (k < sorted.length && sorted[k]!.value <= seg.hi) {
      const p = sorted[k]!
      if (p.value > lo) push(lo, p.value - 1n, seg.id)
      push(p.value, p.value, p.id)
      lo = p.value + 1n
      k++
    }
    if (lo <= seg.hi) push(lo, seg.hi, seg.id)
  }
  return out
}
