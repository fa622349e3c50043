import { Bitset } from '../engine/bitset.js'
import { transposeRows } from '../engine/bit-matrix.js'
import type { Identities } from '../engine/identities.js'
import { PortTiers, type SideTiers } from './class-tiers.js'
import type { ClassMatrix } from './reachability.js'

export function classRows(ids: Identities, m: ClassMatrix): Bitset[] {
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
   * destinations admit its address (the transposed sets, by content). Cluster policy tiers keep that true: egress
   * tiers read the source's selector class, and ingress peers (namespaces, pods) read only that half of it.
   */
  rowKey(s: number): number {
    // cluster ingress rules whose peers read addresses: the tiers may tell apart classes the key below does not
    if (this.m.tiers?.ingressByAddress === true) return s
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
