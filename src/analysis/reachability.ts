import { standsForSeveral, type Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import type { PortSpec, Protocol } from '../model/port.js'
import type { Direction, NetworkPolicy } from '../model/policy.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import { matchPort, matchPorts } from '../engine/match-port.js'
import { isolatingPolicies } from '../engine/select.js'
import { Bitset } from '../engine/bitset.js'
import { transposeRows } from '../engine/bit-matrix.js'
import { InternalError } from '../model/issues.js'
import { computeIdentities, type Identities } from '../engine/identities.js'
import { identitySpace, PeerCache } from '../engine/peer-cache.js'
import { TierDecisions, type TierEnds } from '../engine/tier-decisions.js'
import { identityEnds, PortTiers, tierSideAllows, type SideTiers } from './class-tiers.js'

export interface PortProtocol {
  readonly port: number
  readonly protocol: Protocol
}

/** Egress through ipBlock peers: allowed to addresses in `addr` (address classes) on destinations in `dests` (selector classes; null = all). */
interface AddressGrant {
  readonly addr: Bitset
  readonly dests: Bitset | null
}

/**
 * The answers for one port, kept in the two halves of the classes (see Identities):
 * for destination selector class D and source class (S1, S2) the ingress side allows iff D is not isolated,
 * or a rule's selector peers admit S1, or its ipBlock peers admit S2 — on a port that matches on D.
 * For source selector class S and destination class (D1, D2) the egress side allows iff S is not isolated,
 * or a rule's selector peers admit D1 with a port matching on D1, or its ipBlock peers admit D2 likewise.
 */
export class ClassMatrix implements PortProtocol {
  private rowsCache: Bitset[] | null = null
  constructor(
    readonly port: number,
    readonly protocol: Protocol,
    private readonly ids: Identities,
    readonly inIsolated: Uint8Array,
    readonly inSel: readonly Bitset[],
    readonly inAddr: readonly Bitset[],
    readonly outIsolated: Uint8Array,
    readonly outSel: readonly Bitset[],
    readonly outAddr: readonly (readonly AddressGrant[])[],
    /** where the rows come from when a caller keeps them (ClassSides.rows); else computed here */
    private readonly rowsFrom?: (m: ClassMatrix) => Bitset[],
    /** what the cluster policy tiers decide on this port (null: no cluster policy applies on it) */
    readonly tiers: PortTiers | null = null,
  ) {}

  /** May class s open a connection to class d (two different pods of these classes)? */
  allowed(s: number, d: number): boolean {
    if (this.tiers !== null) return this.ingressAllows(s, d) && this.egressAllows(s, d)
    const { selectorOf, addressOf } = this.ids
    const s1 = selectorOf[s]!
    const d1 = selectorOf[d]!
    const ingress = this.inIsolated[d1] === 0 || this.inSel[d1]!.has(s1) || this.inAddr[d1]!.has(addressOf[s]!)
    if (!ingress) return false
    if (this.outIsolated[s1] === 0 || this.outSel[s1]!.has(d1)) return true
    const d2 = addressOf[d]!
    return this.outAddr[s1]!.some((g) => g.addr.has(d2) && (g.dests === null || g.dests.has(d1)))
  }

  /** Does the ingress side of class d admit class s, through the tiers (tiers.md: Admin, NetworkPolicy, Baseline, default)? */
  ingressAllows(s: number, d: number): boolean {
    const { selectorOf, addressOf } = this.ids
    const d1 = selectorOf[d]!
    const np = () => this.inSel[d1]!.has(selectorOf[s]!) || this.inAddr[d1]!.has(addressOf[s]!)
    return tierSideAllows(this.tiers?.ingress[d1] ?? null, s, this.inIsolated[d1] !== 0, np)
  }

  /** Does the egress side of class s admit class d, through the tiers? */
  egressAllows(s: number, d: number): boolean {
    const { selectorOf, addressOf } = this.ids
    const s1 = selectorOf[s]!
    const np = () => {
      const d1 = selectorOf[d]!
      if (this.outSel[s1]!.has(d1)) return true
      const d2 = addressOf[d]!
      return this.outAddr[s1]!.some((g) => g.addr.has(d2) && (g.dests === null || g.dests.has(d1)))
    }
    return tierSideAllows(this.tiers?.egress[s1] ?? null, d, this.outIsolated[s1] !== 0, np)
  }

  /**
   * Per source class, the destination classes it may reach (`allowed` for every pair). Built on first use
   * (classes² bits), in O(selector classes / 32 + allowed destinations) per source class: the decision is taken
   * per destination selector class, and only ipBlock egress grants look at destination addresses.
   */
  get rows(): readonly Bitset[] {
    if (this.rowsCache === null) this.rowsCache = this.rowsFrom ? this.rowsFrom(this) : classRows(this.ids, this)
    return this.rowsCache
  }
}

/**
 * The reachability of every ordered pod pair, for each port. Computed per class (see identities.ts);
 * `podAllowed`/`PodRows` expand it to pods, including "a pod may always reach itself" (except for a template of
 * several replicas, whose pair with itself is one replica to another: the class answer for two different pods).
 */
export interface Reachability {
  readonly pods: readonly Pod[]
  readonly identities: Identities
  readonly results: readonly ClassMatrix[]
}

export function podAllowed(r: Reachability, m: ClassMatrix, from: number, to: number): boolean {
  if (from === to && !standsForSeveral(r.pods[from]!)) return true
  return m.allowed(r.identities.classOf[from]!, r.identities.classOf[to]!)
}

/**
 * Row `from` of the pod matrix into `out` (1 allowed, 0 denied), in O(selector classes + pods): the
 * ingress half is folded into one bitset over destination selector classes first.
 */
export class PodRows {
  private readonly podSel: Int32Array
  private readonly podAddr: Int32Array
  /** 1 for a pod that stands for one pod: its pair with itself is always allowed */
  private readonly single: Uint8Array
  private lastClass = -1
  /** per destination selector class: `yes`, `no`, or MIXED when ipBlock grants decide pod by pod */
  private decision: Uint8Array
  /** per destination selector class: the ipBlock grants (bit i = grant i) that may admit it, by address */
  private destMask: Uint32Array
  /** per destination address class: the grants whose ipBlocks contain it */
  private addrMask: Uint32Array = new Uint32Array(0)
  private transposed: ReturnType<typeof transposeIngress> | null = null
  private readonly addrMasks = new Map<number, Uint32Array>()

  /** Rows hold `yes` where allowed and `no` where denied (1 and 0 unless told); both below 254. */
  constructor(private readonly r: Reachability, private readonly m: ClassMatrix, private readonly yes = 1, private readonly no = 0) {
    const { classOf, selectorOf, addressOf } = r.identities
    this.podClass = classOf
    this.podSel = classOf.map((c) => selectorOf[c]!)
    this.podAddr = classOf.map((c) => addressOf[c]!)
    this.single = Uint8Array.from(r.pods, (p) => (standsForSeveral(p) ? 0 : 1))
    this.decision = new Uint8Array(r.identities.selectorClasses.length)
    this.destMask = new Uint32Array(r.identities.selectorClasses.length)
  }

  /**
   * Row `from` of the pod matrix into `out`, in O(selector classes) per new source class plus O(pods). With
   * `columns` (indexes into the pods, for a matrix whose destinations are not all of its sources), cell k is
   * the destination `columns[k]`.
   */
  fill(from: number, out: Uint8Array, columns?: Int32Array): void {
    const c = this.r.identities.classOf[from]!
    if (c !== this.lastClass) this.prepare(c)
    const { podSel, podAddr, decision, destMask, addrMask, yes, no } = this
    if (columns !== undefined) {
      for (let k = 0; k < columns.length; k++) {
        const j = columns[k]!
        const d1 = podSel[j]!
        const v = decision[d1]!
        out[k] = j === from && this.single[from] === 1 ? yes : v < MIXED ? v : this.mixed(v, j, d1)
      }
      return
    }
    for (let j = 0; j < out.length; j++) {
      const d1 = podSel[j]!
      const v = decision[d1]!
      out[j] = v < MIXED ? v : this.mixed(v, j, d1)
    }
    if (this.single[from] === 1) out[from] = yes
  }

  /** with cluster policy tiers: the classes for a source's egress tiers (see RowMaker.tieredEgress) */
  private tieredRows: RowMaker | null = null
  private byClass: Bitset | null = null
  private readonly podClass: Int32Array

  /** A cell decided pod by pod: by the ipBlock grants of the source's egress (MIXED), or by its tiered egress (BY_CLASS). */
  private mixed(v: number, j: number, d1: number): number {
    if (v === BY_CLASS) return this.byClass!.has(this.podClass[j]!) ? this.yes : this.no
    return (this.addrMask[this.podAddr[j]!]! & this.destMask[d1]!) !== 0 ? this.yes : this.no
  }

  private prepare(c: number): void {
    const { selectorOf, addressOf, selectorClasses, addressClasses } = this.r.identities
    const m = this.m
    const s1 = selectorOf[c]!
    const t = this.transposed ?? (this.transposed = transposeIngress(this.r.identities, m))
    // destinations whose ingress admits this source: not isolated, or admitted by selector or by address
    const ingressOk = Bitset.copy(t.open)
    ingressOk.orWith(t.bySelector[s1]!)
    ingressOk.orWith(t.byAddress[addressOf[c]!]!)
    if (m.tiers !== null) {
      // through the cluster policy tiers, still per destination selector class
      m.tiers.ingressOk(c, t.open, ingressOk)
      const egressTiers = m.tiers.egress[s1]
      if (egressTiers !== null && egressTiers !== undefined) {
        // the source's egress tiers decide by the destination's class
        this.tieredRows ??= new RowMaker(this.r.identities, m)
        this.byClass = this.tieredRows.tieredEgress(s1, egressTiers)
        for (let d1 = 0; d1 < selectorClasses.length; d1++) this.decision[d1] = ingressOk.has(d1) ? BY_CLASS : this.no
        this.lastClass = c
        return
      }
    }
    const destMask = this.destMask.fill(0)
    let direct = ingressOk
    if (m.outIsolated[s1] !== 0) {
      direct = ingressOk.and(m.outSel[s1]!)
      const grants = m.outAddr[s1]!
      if (grants.length > 32) throw new InternalError('more than 32 distinct port sets in one egress profile')
      grants.forEach((g, i) => (g.dests === null ? ingressOk : ingressOk.and(g.dests)).forEach((d1) => (destMask[d1]! |= 1 << i)))
      let masks = this.addrMasks.get(s1)
      if (masks === undefined) {
        masks = new Uint32Array(addressClasses.length)
        grants.forEach((g, i) => g.addr.forEach((d2) => (masks![d2]! |= 1 << i)))
        this.addrMasks.set(s1, masks)
      }
      this.addrMask = masks
    }
    for (let d1 = 0; d1 < selectorClasses.length; d1++) this.decision[d1] = direct.has(d1) ? this.yes : destMask[d1] !== 0 ? MIXED : this.no
    this.lastClass = c
  }
}

/** decision codes above any `yes`/`no` value: decided pod by pod */
const MIXED = 254
const BY_CLASS = 255

function classRows(ids: Identities, m: ClassMatrix): Bitset[] {
  const rows = new RowMaker(ids, m)
  return ids.classes.map((_, s) => {
    const row = new Bitset(ids.classes.length)
    rows.fill(s, row)
    return row
  })
}

/** Rows of the class matrix one at a time (see ClassMatrix.rows), for callers that cannot hold classes² bits. */
export class RowMaker {
  private readonly bySelector: number[][]
  private readonly t: ReturnType<typeof transposeIngress>
  private readonly ingressOk: Bitset
  private readonly scratch: Bitset
  constructor(private readonly ids: Identities, private readonly m: ClassMatrix) {
    this.bySelector = ids.selectorClasses.map(() => [])
    for (let c = 0; c < ids.classes.length; c++) this.bySelector[ids.selectorOf[c]!]!.push(c)
    this.t = transposeIngress(ids, m)
    this.ingressOk = new Bitset(ids.selectorClasses.length)
    this.scratch = new Bitset(ids.classes.length)
  }

  private kinds: Map<Bitset, number> | null = null

  /**
   * Equal for classes whose rows are equal: a row depends only on the source's selector class and on which
   * destinations admit its address (the transposed sets, by content).
   */
  rowKey(s: number): number {
    if (this.kinds === null) {
      this.kinds = new Map()
      const byContent = new Map<string, number>()
      for (const b of this.t.byAddress) {
        if (this.kinds.has(b)) continue
        const key = b.words.join(',')
        let id = byContent.get(key)
        if (id === undefined) byContent.set(key, (id = byContent.size))
        this.kinds.set(b, id)
      }
    }
    const kinds = this.kinds
    return this.ids.selectorOf[s]! * (this.t.byAddress.length + 1) + kinds.get(this.t.byAddress[this.ids.addressOf[s]!]!)!
  }

  /** The row of class s, in a buffer that the next call overwrites. */
  row(s: number): Bitset {
    this.scratch.words.fill(0)
    this.fill(s, this.scratch)
    return this.scratch
  }

  /** Adds to `row` (classes) the destination classes class s may reach. */
  fill(s: number, row: Bitset): void {
    const { ids, m, t, ingressOk, bySelector } = this
    const { selectorOf, addressOf } = ids
    const s1 = selectorOf[s]!
    // destination selector classes whose ingress admits s: not isolated, or admitted by selector or by address
    ingressOk.words.set(t.open.words)
    ingressOk.orWith(t.bySelector[s1]!)
    ingressOk.orWith(t.byAddress[addressOf[s]!]!)
    if (m.tiers !== null) {
      // through the cluster policy tiers: decided per destination selector class too
      m.tiers.ingressOk(s, t.open, ingressOk)
      const egressTiers = m.tiers.egress[s1]
      if (egressTiers !== null && egressTiers !== undefined) return this.fillTieredEgress(s, egressTiers, row)
    }
    const direct = m.outIsolated[s1] === 0 ? ingressOk : ingressOk.and(m.outSel[s1]!)
    direct.forEach((d1) => {
      for (const d of bySelector[d1]!) row.add(d)
    })
    if (m.outIsolated[s1] === 0) return
    // egress through ipBlocks: decided by the destination's address class
    for (const g of m.outAddr[s1]!) {
      const candidates = g.dests === null ? ingressOk : ingressOk.and(g.dests)
      candidates.forEach((d1) => {
        if (direct.has(d1)) return
        for (const d of bySelector[d1]!) if (g.addr.has(addressOf[d]!)) row.add(d)
      })
    }
  }

  private egressScratch: Bitset | null = null
  private egressOf = -1

  /** `fill` for a source whose egress cluster policy tiers decide: its egress over classes, then the ingress side. */
  private fillTieredEgress(s: number, tiers: SideTiers, row: Bitset): void {
    const { ingressOk, bySelector } = this
    const out = this.tieredEgress(this.ids.selectorOf[s]!, tiers)
    ingressOk.forEach((d1) => {
      for (const d of bySelector[d1]!) if (out.has(d)) row.add(d)
    })
  }

  /** The destination classes selector class s1's egress admits through its tiers (kept for the last s1 asked: read it before the next call). */
  tieredEgress(s1: number, tiers: SideTiers): Bitset {
    const { ids, m, bySelector } = this
    const { addressOf } = ids
    const out = (this.egressScratch ??= new Bitset(ids.classes.length))
    if (this.egressOf === s1) return out
    this.egressOf = s1
    const isolated = m.outIsolated[s1] !== 0
    if (!isolated) out.words.fill(0xffffffff)
    else {
      // the NetworkPolicy egress over classes: by selector class, and by address for ipBlock grants
      out.words.fill(0)
      m.outSel[s1]!.forEach((d1) => {
        for (const d of bySelector[d1]!) out.add(d)
      })
      for (const g of m.outAddr[s1]!) {
        for (let d1 = 0; d1 < bySelector.length; d1++) {
          if (g.dests !== null && !g.dests.has(d1)) continue
          for (const d of bySelector[d1]!) if (g.addr.has(addressOf[d]!)) out.add(d)
        }
      }
    }
    PortTiers.egressOk(tiers, isolated, out)
    return out
  }
}

/**
 * The ingress answers turned around: per source half-class, the destination selector classes that admit it.
 * Half-classes that no isolated destination admits share one empty set (read-only, like the others). Transposed
 * 32 × 32 bits at a time, skipping blocks where nothing is admitted.
 */
export function transposeIngress(ids: Identities, m: ClassMatrix) {
  const nSel = ids.selectorClasses.length
  const open = new Bitset(nSel)
  const none = new Bitset(nSel)
  for (let d1 = 0; d1 < nSel; d1++) if (m.inIsolated[d1] === 0) open.add(d1)
  const bySelector = transposeRows(nSel, ids.selectorClasses.length, (d1) => (m.inIsolated[d1] === 0 ? null : m.inSel[d1]!), none)
  const byAddress = transposeRows(nSel, ids.addressClasses.length, (d1) => (m.inIsolated[d1] === 0 ? null : m.inAddr[d1]!), none)
  return { open, bySelector, byAddress }
}

/**
 * Decide reachability for `pods` (pairs among them only: a verdict depends only on its two ends, the
 * policies and the namespaces, never on other pods). Uses the engine's matching functions on one
 * representative per half-class, so it reads the spec exactly as `evaluateFlow` does. `given`: the class sides
 * of these very pods and family in this cluster, when a caller keeps them (a server, a diff's DiffBase).
 */
export function computeReachability(index: ClusterIndex, pods: readonly Pod[], ports: readonly PortProtocol[], family: Family, given?: ClassSides): Reachability {
  const sides = given ?? new ClassSides(index, computeIdentities(pods, index.cluster.policies, family, index.cluster))
  const ids = sides.ids
  const nSel = ids.selectorClasses.length
  const inIsolated = Uint8Array.from({ length: nSel }, (_, d) => (sides.isolating(d, 'ingress').length > 0 ? 1 : 0))
  const outIsolated = Uint8Array.from({ length: nSel }, (_, s) => (sides.isolating(s, 'egress').length > 0 ? 1 : 0))
  const results = ports.map(({ port, protocol }) => {
    const one = sides.port(port, protocol)
    const inSides = Array.from({ length: nSel }, (_, d) => one.ingressOf(d))
    const outSides = Array.from({ length: nSel }, (_, s) => one.egressOf(s))
    return new ClassMatrix(port, protocol, ids, inIsolated, inSides.map((x) => x.sel), inSides.map((x) => x.addr), outIsolated, outSides.map((x) => x.sel), outSides.map((x) => x.grants), (m) => sides.rows(m), sides.tiersOn(port, protocol))
  })
  return { pods, identities: ids, results }
}

/** What a destination selector class's ingress admits on one port: sources by selector class and by address class. */
export interface IngressSide {
  readonly isolated: boolean
  readonly sel: Bitset
  readonly addr: Bitset
}

/** What a source selector class's egress admits on one port: destinations by selector class, and ipBlock grants. */
export interface EgressSide {
  readonly isolated: boolean
  readonly sel: Bitset
  readonly grants: readonly AddressGrant[]
}

/**
 * Each side of the classes' verdicts, decided per selector class and port when first asked for: the isolating
 * policies of a class, and what their rules admit through the one PeerCache. computeReachability asks for every
 * class; a diff asks only for the classes a change can touch (see diff-flips.ts).
 */
export class ClassSides {
  readonly peers: PeerCache
  private readonly empty: { sel: Bitset; addr: Bitset }
  private readonly ports = new Map<string, PortSides>()

  /**
   * `peers`: a PeerCache over the same classes to share, when its answers hold here too (the same identities and
   * the same namespace labels: a peer's answer reads nothing else)
   */
  constructor(readonly index: ClusterIndex, readonly ids: Identities, peers?: PeerCache, private readonly reuse?: SidesReuse) {
    this.peers = peers ?? new PeerCache(index, identitySpace(ids))
    this.empty = { sel: new Bitset(ids.selectorClasses.length), addr: new Bitset(ids.addressClasses.length) }
  }

  private tierDecisions: { tiers: TierDecisions; ends: TierEnds } | null = null

  /** The tier decisions over these classes (null without cluster policies), shared by the matrix and a diff's causes. */
  get tiers(): TierDecisions | null {
    if (this.index.cluster.clusterPolicies.length === 0) return null
    this.tierDecisions ??= { tiers: new TierDecisions(this.peers, this.index.cluster.clusterPolicies), ends: identityEnds(this.ids) }
    return this.tierDecisions.tiers
  }
  private readonly tiersBy = new Map<string, PortTiers | null>()

  /**
   * What the cluster policy tiers decide on one port, per selector class (null when no cluster policy applies on
   * it: then nothing about tiers costs anything). The identities must have been computed with the cluster's tiers.
   */
  tiersOn(port: number, protocol: Protocol): PortTiers | null {
    if (this.index.cluster.clusterPolicies.length === 0) return null
    const key = `${port}/${protocol}`
    let t = this.tiersBy.get(key)
    if (t === undefined) {
      const tiers = this.tiers!
      const pt = new PortTiers(this.ids, tiers, this.tierDecisions!.ends, port, protocol)
      this.tiersBy.set(key, (t = pt.any ? pt : null))
    }
    return t
  }

  /** The policies that isolate selector class `c` for `dir` (isolatingPolicies on its representative, which the engine remembers per pod). */
  isolating(c: number, dir: Direction): readonly NetworkPolicy[] {
    if (this.reuse?.same(c, dir)) return this.reuse.from.isolating(c, dir)
    return isolatingPolicies(this.index, this.ids.selectorClasses[c]!.rep.pod, dir)
  }

  private readonly rowsBy = new Map<string, Bitset[]>()

  /**
   * The class rows of `m` (a ClassMatrix of these sides), kept per port. A row's bit (s, d) reads only the egress
   * side of s's selector class and the ingress side of d's, so with `reuse` a row whose egress side is the same
   * is the row of `reuse.from` with only the columns of changed ingress sides decided again.
   */
  rows(m: ClassMatrix): Bitset[] {
    const key = `${m.port}/${m.protocol}`
    let rows = this.rowsBy.get(key)
    if (rows !== undefined) return rows
    const ids = this.ids
    const reuse = this.reuse
    const old = reuse?.from.rowsBy.get(key)
    if (reuse === undefined || old === undefined || reuse.sameTiers === false) rows = classRows(ids, m)
    else {
      const maker = new RowMaker(ids, m)
      const changedColumns: number[] = []
      for (let d = 0; d < ids.classes.length; d++) if (!reuse.same(ids.selectorOf[d]!, 'ingress')) changedColumns.push(d)
      rows = ids.classes.map((_, s) => {
        if (!reuse.same(ids.selectorOf[s]!, 'egress')) {
          const row = new Bitset(ids.classes.length)
          maker.fill(s, row)
          return row
        }
        const row = Bitset.copy(old[s]!)
        for (const d of changedColumns) {
          if (m.allowed(s, d)) row.add(d)
          else row.words[d >>> 5]! &= ~(1 << (d & 31))
        }
        return row
      })
    }
    this.rowsBy.set(key, rows)
    return rows
  }

  /** The sides on one port, each computed once when first asked for (and kept with this object). */
  port(port: number, protocol: Protocol): PortSides {
    const key = `${port}/${protocol}`
    let sides = this.ports.get(key)
    if (sides === undefined) this.ports.set(key, (sides = this.computePort(port, protocol)))
    return sides
  }

  private computePort(port: number, protocol: Protocol): PortSides {
    const { ids, peers, empty } = this
    const sel = ids.selectorClasses
    const nSel = sel.length
    const nAddr = ids.addressClasses.length
    const named = new Map<string, Bitset>()
    const ins = new Map<number, IngressSide>()
    const outs = new Map<number, EgressSide>()
    // ingress: which sources the destination class's policies admit on this port
    const reuse = this.reuse
    const base = reuse?.from.port(port, protocol)
    const ingressOf = (d: number): IngressSide => {
      let side = ins.get(d)
      if (side !== undefined) return side
      if (reuse?.same(d, 'ingress')) return base!.ingressOf(d)
      const policies = this.isolating(d, 'ingress')
      const s = policies.length > 0 ? new Bitset(nSel) : empty.sel
      const a = policies.length > 0 ? new Bitset(nAddr) : empty.addr
      for (const p of policies) {
        for (const rule of p.ingress!) {
          if (!matchPorts(rule.ports, port, protocol, sel[d]!.rep.pod).ok) continue
          const peerSets = peers.forRule(rule, p)
          s.orWith(peerSets.sel)
          a.orWith(peerSets.addr)
        }
      }
      ins.set(d, (side = { isolated: policies.length > 0, sel: s, addr: a }))
      return side
    }
    // egress: which destinations the source class's policies admit (named ports resolve per destination)
    const egressOf = (c: number): EgressSide => {
      let side = outs.get(c)
      if (side !== undefined) return side
      if (reuse?.same(c, 'egress')) return base!.egressOf(c)
      const policies = this.isolating(c, 'egress')
      // a source not isolated for egress reaches every destination: its admitted sets are never read
      if (policies.length === 0) {
        outs.set(c, (side = { isolated: false, sel: empty.sel, grants: [] }))
        return side
      }
      const s = new Bitset(nSel)
      const grants = new Map<Bitset | null, Bitset>()
      for (const p of policies) {
        for (const rule of p.egress!) {
          const dests = destinationsForPorts(rule.ports, port, protocol, ids, named)
          if (dests !== null && dests.isEmpty()) continue
          const peerSets = peers.forRule(rule, p)
          if (dests === null) s.orWith(peerSets.sel)
          else s.orAnd(peerSets.sel, dests)
          if (peerSets.addr.isEmpty()) continue
          const g = grants.get(dests)
          if (g) g.orWith(peerSets.addr)
          else grants.set(dests, Bitset.copy(peerSets.addr))
        }
      }
      outs.set(c, (side = { isolated: policies.length > 0, sel: s, grants: [...grants].map(([dests, addr]) => ({ addr, dests })) }))
      return side
    }
    const { selectorOf, addressOf } = ids
    const npIngress = (s: number, d: number) => {
      const side = ingressOf(selectorOf[d]!)
      return !side.isolated || side.sel.has(selectorOf[s]!) || side.addr.has(addressOf[s]!)
    }
    const npEgress = (s: number, d: number) => {
      const side = egressOf(selectorOf[s]!)
      if (!side.isolated) return true
      const d1 = selectorOf[d]!
      if (side.sel.has(d1)) return true
      const d2 = addressOf[d]!
      return side.grants.some((g) => g.addr.has(d2) && (g.dests === null || g.dests.has(d1)))
    }
    const tiers = this.tiersOn(port, protocol)
    if (tiers === null) return { ingressOf, egressOf, ingress: npIngress, egress: npEgress }
    // through the tiers: a NetworkPolicy side is consulted only where the Admin tier did not decide
    return {
      ingressOf,
      egressOf,
      ingress: (s, d) => {
        const d1 = selectorOf[d]!
        return tierSideAllows(tiers.ingress[d1]!, s, ingressOf(d1).isolated, () => npIngress(s, d))
      },
      egress: (s, d) => {
        const s1 = selectorOf[s]!
        return tierSideAllows(tiers.egress[s1]!, d, egressOf(s1).isolated, () => npEgress(s, d))
      },
    }
  }
}

/**
 * Sides another ClassSides over the very same classes and peers has or will compute: `same(c, dir)` says that
 * selector class c's side of `dir` is the same here (no changed policy selects it for that direction).
 */
export interface SidesReuse {
  readonly from: ClassSides
  same(c: number, dir: Direction): boolean
  /** the same cluster policies and Nodes on both sides: rows may be copied (else the tiers may differ anywhere) */
  readonly sameTiers?: boolean
}

/** One port's sides, per selector class; `ingress`/`egress` decide one class pair (two different pods) as ClassMatrix.allowed does. */
export interface PortSides {
  ingressOf(d: number): IngressSide
  egressOf(s: number): EgressSide
  /** the ingress of class `d` admits class `s` */
  ingress(s: number, d: number): boolean
  /** the egress of class `s` admits class `d` */
  egress(s: number, d: number): boolean
}

/** The destination selector classes on which some entry of `ports` matches (null: all, independent of the destination). */
function destinationsForPorts(ports: 'any' | readonly PortSpec[], port: number, protocol: Protocol, ids: Identities, cache: Map<string, Bitset>): Bitset | null {
  if (ports === 'any') return null
  const n = ids.selectorClasses.length
  let acc: Bitset | null = null
  for (let i = 0; i < ports.length; i++) {
    const spec = ports[i]!
    if (spec.port.kind !== 'named') {
      if (matchPort(spec, i, port, protocol, null).ok) return null
      continue
    }
    const key = `${spec.port.name}/${spec.protocol}`
    let bits = cache.get(key)
    if (bits === undefined) {
      bits = new Bitset(n)
      for (const c of ids.selectorClasses) if (matchPort(spec, i, port, protocol, c.rep.pod).ok) bits.add(c.index)
      cache.set(key, bits)
    }
    if (acc === null) acc = new Bitset(n)
    acc.orWith(bits)
  }
  // no entry matches on any destination: the rule is skipped (one empty set serves)
  if (acc === null) {
    let none = cache.get('=')
    if (none === undefined) cache.set('=', (none = new Bitset(n)))
    return none
  }
  // interned so grants with equal destination sets merge
  const result = acc
  const key = `=${Array.from(result.words).join(',')}`
  const seen = cache.get(key)
  if (seen) return seen
  cache.set(key, result)
  return result
}
