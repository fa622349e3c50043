import { standsForSeveral } from '../model/cluster.js'
import { InternalError } from '../model/issues.js'
import { Bitset } from '../engine/bitset.js'
import type { ClassMatrix, Reachability } from './reachability.js'
import { RowMaker, transposeIngress } from './class-rows.js'

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
    const { podSel, decision, yes } = this
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
