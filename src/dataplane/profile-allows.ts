/**
 * What each profile allows, as elements of `allowN` (profile|class run → port set) and `ports`: the classes of
 * the other end and the ports, decided by the engine's peerMatches and matchPorts on one member per class.
 * Pure; used by compile-policies.ts.
 */
import type { Namespace, Pod } from '../model/cluster.js'
import type { Direction, NetworkPolicy, Rule } from '../model/policy.js'
import type { PortSpec } from '../model/port.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import { PeerCache, type PeerSets } from '../engine/peer-cache.js'
import type { Endpoint } from '../engine/verdict.js'
import { Bitset } from '../engine/bitset.js'
import { StableIds, type AddressClasses } from './address-classes.js'
import { sameEntries } from './classify.js'
import { allowedPorts, portRangesKey, unionPortRanges, type PortRange } from './allowed-ports.js'
import type { NftElement } from './nft-objects.js'

export interface Profile {
  readonly key: string
  readonly direction: Direction
  readonly policies: readonly NetworkPolicy[]
  /** a member; for ingress, named ports resolve on it */
  readonly rep: Pod
  readonly destKey: string
  readonly pods: string[]
}

/** The port sets in `ports`, by content, and the ids they have (shared by both families). */
export class PortSets {
  private readonly ids = new Map<string, { id: number; ranges: readonly PortRange[] }>()
  private readonly stable: StableIds
  constructor(previous: ReadonlyMap<string, number> | undefined) {
    this.stable = new StableIds(previous)
  }

  /** The id of a port set: its id in the previous compile when it had one, else a fresh one. */
  idOf(key: string, ranges: readonly PortRange[]): number {
    const known = this.ids.get(key)
    if (known !== undefined) return known.id
    const id = this.stable.idFor(key)
    this.ids.set(key, { id, ranges })
    return id
  }

  /** Whether `key` has, or would get, id `id` in this compile. */
  keeps(key: string, id: number): boolean {
    const known = this.ids.get(key)
    return known !== undefined ? known.id === id : this.stable.would(key) === id
  }

  get layout(): ReadonlyMap<string, number> {
    return new Map([...this.ids].map(([k, v]) => [k, v.id]))
  }

  elements(): NftElement[] {
    const out: NftElement[] = []
    for (const { id, ranges } of this.ids.values()) {
      const set = { lo: BigInt(id), hi: BigInt(id) }
      for (const r of ranges) out.push({ key: [set, protoRange(r.proto), portRange(r.lo, r.hi)] })
    }
    return out
  }
}

/** What a profile's elements were computed from, besides its key (see AllowMemo). */
interface Emitted {
  readonly policies: readonly NetworkPolicy[]
  readonly base: bigint
  readonly elements: readonly NftElement[]
  /** the port sets its elements name, in the order they were met */
  readonly ports: readonly { readonly key: string; readonly ranges: PortRange[]; readonly id: number }[]
}

/**
 * What AllowCompiler may keep for the next compile: each profile's elements, valid while the classes (ids, keys,
 * members standing for them, namespaces), the namespaces' labels, the profile's policies and number, and the ids
 * of its port sets stay the same.
 */
export class AllowMemo {
  shape: ClassShape | null = null
  byProfile = new Map<string, Emitted>()
}

interface ClassShape {
  readonly size: number
  readonly keys: readonly (string | undefined)[]
  readonly reps: readonly (Pod | null | undefined)[]
  readonly netIds: readonly number[]
  readonly byNamespace: ReadonlyMap<string, readonly number[]>
  readonly namespaces: ReadonlyMap<string, Namespace>
}

const sameList = <T>(a: readonly T[], b: readonly T[]): boolean => a.length === b.length && a.every((x, i) => x === b[i])

function sameShape(a: ClassShape, b: ClassShape): boolean {
  if (a.size !== b.size || !sameList(a.keys, b.keys) || !sameList(a.reps, b.reps) || !sameList(a.netIds, b.netIds) || !sameEntries(a.namespaces, b.namespaces)) return false
  if (a.byNamespace.size !== b.byNamespace.size) return false
  for (const [ns, ids] of a.byNamespace) {
    const other = b.byNamespace.get(ns)
    if (other === undefined || !sameList(ids, other)) return false
  }
  return true
}

/**
 * Emits the `allowN` elements of each profile of one family. Peer class sets are computed once per distinct peer
 * and kept across profiles; with a memo, a profile whose elements cannot have changed gets the same ones (the
 * same objects) as in the last compile.
 */
export class AllowCompiler {
  private peersOf: PeerClasses | null = null
  private readonly usedBefore: Int32Array
  private readonly scratch: Scratch = { masks: new Uint32Array(0), seen: new Uint8Array(0) }
  private readonly kept: Map<string, Emitted>
  constructor(private readonly index: ClusterIndex, private readonly ac: AddressClasses, private readonly portSets: PortSets, private readonly memo?: AllowMemo) {
    this.usedBefore = usedPrefix(ac)
    this.kept = new Map()
    if (memo !== undefined) {
      const shape: ClassShape = { size: ac.size, keys: ac.byId.map((c) => c?.key), reps: ac.byId.map((c) => (c?.dim === 'sel' ? c.pod : null)), netIds: ac.netIds, byNamespace: ac.byNamespace, namespaces: index.cluster.namespaces }
      if (memo.shape !== null && sameShape(memo.shape, shape)) this.kept = memo.byProfile
      memo.shape = shape
      memo.byProfile = new Map()
    }
  }

  private get peers(): PeerClasses {
    return (this.peersOf ??= new PeerClasses(this.index, this.ac))
  }

  /** Appends to `out` what profile `p` allows; `base` is its number, shifted above the class bits. */
  emit(p: Profile, base: bigint, out: NftElement[]): void {
    const memo = this.memo
    if (memo === undefined) {
      const groups = p.direction === 'ingress' ? ingressGroups(p, this.peers) : egressGroups(p, this.peers)
      emitElements(groups, this.ac, this.usedBefore, base, out, this.scratch, this.portSets)
      return
    }
    const before = this.kept.get(p.key)
    if (before !== undefined && before.base === base && sameList(before.policies, p.policies) && before.ports.every((r) => this.portSets.keeps(r.key, r.id))) {
      for (const r of before.ports) this.portSets.idOf(r.key, r.ranges)
      for (const e of before.elements) out.push(e)
      memo.byProfile.set(p.key, before)
      return
    }
    const ports: { key: string; ranges: PortRange[]; id: number }[] = []
    const recording = {
      idOf: (key: string, ranges: PortRange[]): number => {
        const id = this.portSets.idOf(key, ranges)
        ports.push({ key, ranges, id })
        return id
      },
    }
    const elements: NftElement[] = []
    const groups = p.direction === 'ingress' ? ingressGroups(p, this.peers) : egressGroups(p, this.peers)
    emitElements(groups, this.ac, this.usedBefore, base, elements, this.scratch, recording)
    for (const e of elements) out.push(e)
    memo.byProfile.set(p.key, { policies: p.policies, base, elements, ports })
  }
}

/** Classes that some rule allows on the same ports. */
type Group = { ranges: PortRange[]; bits: Bitset }

function addGroup(groups: Map<string, Group>, ranges: PortRange[], bits: Bitset) {
  if (ranges.length === 0 || bits.isEmpty()) return
  const key = portRangesKey(ranges)
  const g = groups.get(key)
  if (g) g.bits.orWith(bits)
  else {
    const copy = new Bitset(bits.size)
    copy.orWith(bits)
    groups.set(key, { ranges, bits: copy })
  }
}

/**
 * Ingress of the profile's pods: for each rule, the source classes its peers match and the ports it allows on
 * the destination (named ports resolve there; the profile fixes them). Policies and rules are ORed.
 */
function ingressGroups(p: Profile, peers: PeerClasses): Map<string, Group> {
  const dest = p.rep
  const groups = new Map<string, Group>()
  for (const policy of p.policies) {
    for (const rule of policy.ingress ?? []) {
      const ranges = peers.portsOn(rule.ports, dest, p.destKey)
      const sets = peers.forRule(rule, policy)
      // the selector and network classes a rule admits share one id space: both go to the same group
      addGroup(groups, ranges, sets.sel)
      addGroup(groups, ranges, sets.addr)
    }
  }
  return groups
}

/** Egress of the profile's pods: the destination classes of each rule, split by what named ports mean on them. */
function egressGroups(p: Profile, peers: PeerClasses): Map<string, Group> {
  const groups = new Map<string, Group>()
  for (const policy of p.policies) {
    for (const rule of policy.egress ?? []) {
      const sets = peers.forRule(rule, policy)
      // only a named port reads the destination (it resolves on the destination pod)
      if (rule.ports === 'any' || !rule.ports.some((s) => s.port.kind === 'named')) {
        const ranges = peers.portsOn(rule.ports, null, '-')
        addGroup(groups, ranges, sets.sel)
        addGroup(groups, ranges, sets.addr)
        continue
      }
      for (const d of peers.destKinds()) {
        const ranges = peers.portsOn(rule.ports, d.pod, d.key)
        addGroup(groups, ranges, sets.sel.and(d.bits))
        addGroup(groups, ranges, sets.addr.and(d.bits))
      }
    }
  }
  return groups
}

/**
 * One element per run of class ids that share the same allowed ports, naming their port set. Ids no class holds
 * never break a run (no address maps to them).
 */
/** Buffers of emitElements, reused from one profile to the next (they are left all zero). */
interface Scratch {
  masks: Uint32Array
  seen: Uint8Array
}

function emitElements(groups: Map<string, Group>, ac: AddressClasses, usedBefore: Int32Array, base: bigint, out: NftElement[], scratch: Scratch, portSets: Pick<PortSets, 'idOf'>) {
  const list = [...groups.values()]
  if (list.length === 0) return
  // per class, which groups hold it: a bitmask of `words` words; `touched`: the classes some group holds
  const words = (list.length + 31) >>> 5
  if (scratch.masks.length < ac.size * words) scratch.masks = new Uint32Array(ac.size * words)
  if (scratch.seen.length < ac.size) scratch.seen = new Uint8Array(ac.size)
  const { masks, seen } = scratch
  const touched: number[] = []
  list.forEach((g, gi) => {
    const gw = gi >>> 5
    const gb = (1 << (gi & 31)) >>> 0
    const bw = g.bits.words
    for (let w = 0; w < bw.length; w++) {
      let word = bw[w]!
      while (word !== 0) {
        const bit = 31 - Math.clz32(word & -word)
        word &= word - 1
        const c = (w << 5) + bit
        if (c >= ac.size || ac.byId[c] === undefined) continue
        masks[c * words + gw]! |= gb
        if (seen[c] === 0) {
          seen[c] = 1
          touched.push(c)
        }
      }
    }
  })
  // classes in a row that end up with the same ports share elements, whichever rules gave them those ports
  const unions = new Map<string | number, { key: string; ranges: PortRange[] }>()
  const unionOf = (c: number) => {
    let maskKey: string | number
    if (words === 1) maskKey = masks[c]!
    else {
      let k = ''
      for (let w = 0; w < words; w++) k += `${masks[c * words + w]},`
      maskKey = k
    }
    let u = unions.get(maskKey)
    if (u === undefined) {
      const parts: PortRange[][] = []
      for (let gi = 0; gi < list.length; gi++) if ((masks[c * words + (gi >>> 5)]! >>> (gi & 31)) & 1) parts.push(list[gi]!.ranges)
      const ranges = unionPortRanges(parts)
      u = { key: portRangesKey(ranges), ranges }
      unions.set(maskKey, u)
    }
    return u
  }
  const order = Int32Array.from(touched).sort()
  let run = null as { key: string; ranges: PortRange[] } | null
  let runLo = 0
  let runHi = 0
  const flush = () => {
    if (run === null) return
    out.push({ key: [{ lo: base | BigInt(runLo), hi: base | BigInt(runHi) }], value: portSets.idOf(run.key, run.ranges) })
  }
  for (const c of order) {
    const u = unionOf(c)
    // a run goes on while no class in between is left out (ids no class holds do not count)
    if (run !== null && u.key === run.key && usedBefore[c]! - usedBefore[runHi + 1]! === 0) {
      runHi = c
      continue
    }
    flush()
    run = u
    runLo = c
    runHi = c
  }
  flush()
  for (const c of order) {
    seen[c] = 0
    masks.fill(0, c * words, c * words + words)
  }
}

/** usedBefore[i]: how many ids below i some class holds. */
function usedPrefix(ac: AddressClasses): Int32Array {
  const out = new Int32Array(ac.size + 1)
  for (let i = 0; i < ac.size; i++) out[i + 1] = out[i]! + (ac.byId[i] === undefined ? 0 : 1)
  return out
}

/** Port key ranges are shared between elements (there are few distinct ones). */
const PORT_RANGES = new Map<number, { lo: bigint; hi: bigint }>()
function portRange(lo: number, hi: number) {
  const k = lo * 65536 + hi
  let r = PORT_RANGES.get(k)
  if (r === undefined) {
    r = { lo: BigInt(lo), hi: BigInt(hi) }
    PORT_RANGES.set(k, r)
  }
  return r
}

const PROTO_RANGES = new Map<number, { lo: bigint; hi: bigint }>()
function protoRange(proto: number) {
  let r = PROTO_RANGES.get(proto)
  if (r === undefined) {
    r = { lo: BigInt(proto), hi: BigInt(proto) }
    PROTO_RANGES.set(proto, r)
  }
  return r
}

/**
 * What rules admit, as classes of one family's addresses (the engine's PeerCache over the selector and network
 * classes, which share one id space), and what their ports mean on each kind of destination.
 */
class PeerClasses {
  private readonly cache: PeerCache
  private readonly portCache = new Map<readonly PortSpec[] | 'any', Map<string, PortRange[]>>()
  private dests: { key: string; pod: Pod | null; bits: Bitset }[] | null = null

  constructor(index: ClusterIndex, private readonly ac: AddressClasses) {
    // every address has a network class, so "all sources/destinations" is every network class
    const all = new Bitset(ac.size)
    for (const id of ac.netIds) all.add(id)
    this.cache = new PeerCache(index, {
      selectorSize: ac.size,
      selectorsByNamespace: ac.byNamespace,
      selectorRep: (id) => ac.byId[id]!.rep as Endpoint & { kind: 'pod' },
      addressSize: ac.size,
      addressIds: ac.netIds,
      addressRep: (id) => ac.byId[id]!.rep,
      all: { sel: new Bitset(ac.size), addr: all },
    })
  }

  /** "If this field is empty or missing, this rule matches all sources/destinations"; several peers are ORed. */
  forRule(rule: Rule, policy: NetworkPolicy): PeerSets {
    return this.cache.forRule(rule, policy)
  }

  /** The ports `ports` allows on a destination; `destKey` says what named ports mean there (see destKeyOf). */
  portsOn(ports: 'any' | readonly PortSpec[], dest: Pod | null, destKey: string): PortRange[] {
    let byDest = this.portCache.get(ports)
    if (byDest === undefined) {
      byDest = new Map()
      this.portCache.set(ports, byDest)
    }
    let ranges = byDest.get(destKey)
    if (ranges === undefined) {
      ranges = allowedPorts(ports, dest)
      byDest.set(destKey, ranges)
    }
    return ranges
  }

  /** Classes grouped by what named ports mean on them as destinations, with a member pod (null: not a pod). */
  destKinds(): { key: string; pod: Pod | null; bits: Bitset }[] {
    if (this.dests !== null) return this.dests
    const byKey = new Map<string, { key: string; pod: Pod | null; bits: Bitset }>()
    for (const c of this.ac.byId) {
      if (c === undefined) continue
      let d = byKey.get(c.destKey)
      if (d === undefined) {
        d = { key: c.destKey, pod: c.pod, bits: new Bitset(this.ac.size) }
        byKey.set(c.destKey, d)
      }
      d.bits.add(c.id)
    }
    this.dests = [...byKey.values()]
    return this.dests
  }
}
