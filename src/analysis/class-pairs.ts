import { Bitset } from '../engine/bitset.js'
import type { ClassMatrix, Reachability } from './reachability.js'
import { RowMaker, transposeIngress } from './reachability.js'

/**
 * The matrix of equivalence classes, for readers that cannot hold the pod matrix (10¹⁰ cells at 100,000 pods):
 * the classes of the reachability (see engine/identities.ts) numbered so that the classes of one selector class
 * are neighbours and the destinations that admit everyone come first, and per port, for each source class, the destination classes it may reach as runs of those
 * numbers. Sources with the same runs are grouped. The answer for a pair of classes is the one for two different
 * pods of them (a pod may always reach itself).
 */
export interface ClassPairs {
  /** class number → the Identities class it is */
  readonly order: Int32Array
  readonly results: readonly PortPairs[]
}

export interface PortPairs {
  readonly port: number
  readonly protocol: string
  /** source class numbers with the same destinations, and those destinations as inclusive runs [first, last] */
  readonly groups: readonly { readonly from: number[]; readonly to: Int32Array }[]
}

/**
 * `rows`/`columns`: the classes (Identities indexes) that may appear as sources / destinations (all when absent).
 * Classes are numbered so that what a source reaches is a few runs (see destinationOrder); then O(selector
 * classes / 32 + destinations admitted otherwise) per source class, and only ipBlock egress grants look at
 * destination addresses.
 */
export function classPairs(r: Reachability, rows?: (c: number) => boolean, columns?: (c: number) => boolean): ClassPairs {
  const ids = r.identities
  const n = ids.classes.length
  const nSel = ids.selectorClasses.length
  const { selectorOf, addressOf } = ids
  const selOrder = destinationOrder(r)
  const rank = new Int32Array(nSel)
  selOrder.forEach((s1, k) => (rank[s1] = k))
  const order = Int32Array.from(ids.classes.keys()).sort((a, b) => rank[selectorOf[a]!]! - rank[selectorOf[b]!]! || addressOf[a]! - addressOf[b]!)
  // the class numbers of selector class s1 are first[rank[s1]] .. first[rank[s1] + 1] - 1
  const first = new Int32Array(nSel + 1)
  for (let k = 0; k < n; k++) first[rank[selectorOf[order[k]!]!]! + 1]!++
  for (let k = 0; k < nSel; k++) first[k + 1]! += first[k]!
  let colOk: Bitset | null = null
  if (columns !== undefined) {
    colOk = new Bitset(n)
    order.forEach((c, k) => columns(c) && colOk!.add(k))
  }
  const space: Space = { order, rank, first, columns: colOk }
  const results = r.results.map((m) => ({ port: m.port, protocol: m.protocol, groups: portPairs(r, m, space, rows) }))
  return { order, results }
}

/**
 * Destination selector classes, those that admit the most sources first: the ones that admit everyone (not
 * isolated), then by the share of sources their ingress admits, and those that admit the same sources next to
 * each other. A source then reaches mostly one long run and a few short ones.
 */
function destinationOrder(r: Reachability): Int32Array {
  const ids = r.identities
  const nSel = ids.selectorClasses.length
  const nAddr = ids.addressClasses.length
  const score = new Float64Array(nSel)
  const hash = new Int32Array(nSel)
  for (const m of r.results) {
    for (let d1 = 0; d1 < nSel; d1++) {
      if (m.inIsolated[d1] === 0) {
        score[d1]! += 2
        continue
      }
      const sel = m.inSel[d1]!.words
      const addr = m.inAddr[d1]!.words
      score[d1]! += popcount(sel) / Math.max(1, nSel) + popcount(addr) / Math.max(1, nAddr)
      let h = hash[d1]!
      for (let w = 0; w < sel.length; w++) h = (Math.imul(h, 31) + sel[w]!) | 0
      for (let w = 0; w < addr.length; w++) h = (Math.imul(h, 31) + addr[w]!) | 0
      hash[d1] = h
    }
  }
  return Int32Array.from(ids.selectorClasses.keys()).sort((a, b) => score[b]! - score[a]! || hash[a]! - hash[b]! || a - b)
}

function popcount(words: Uint32Array): number {
  let n = 0
  for (let w = 0; w < words.length; w++) {
    let v = words[w]!
    v = v - ((v >>> 1) & 0x55555555)
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
    n += (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24)
  }
  return n
}

interface Space {
  readonly order: Int32Array
  readonly rank: Int32Array
  readonly first: Int32Array
  /** the class numbers that may be destinations; null: all */
  readonly columns: Bitset | null
}

function portPairs(r: Reachability, m: ClassMatrix, sp: Space, rows: ((c: number) => boolean) | undefined) {
  const ids = r.identities
  const nSel = ids.selectorClasses.length
  const { selectorOf, addressOf } = ids
  const { order, rank, first } = sp
  const t = transposeIngress(ids, m)
  // destinations that admit every source, as runs of class numbers (one run when one port is asked)
  const openRanks = Int32Array.from(ids.selectorClasses.keys()).filter((d1) => m.inIsolated[d1] === 0).map((d1) => rank[d1]!).sort()
  const open = new Runs()
  for (const k of openRanks) open.push(first[k]!, first[k + 1]! - 1)
  const openRuns = open.done()
  const extra = new Bitset(nSel)
  const cand = new Bitset(nSel)
  const ranks = new Int32Array(nSel)
  const rankSet = new Bitset(nSel)
  const ingressOk = new Bitset(nSel)
  const direct = new Bitset(nSel)
  // what one source reaches, over class numbers
  const row = new Bitset(order.length)
  const addSelector = (d1: number) => setRange(row.words, first[rank[d1]!]!, first[rank[d1]! + 1]! - 1)
  const runs = new Runs()
  const groups = new Map<string, { from: number[]; to: Int32Array }>()
  // a source's row depends on its selector class and on which destinations admit its address: sources alike in
  // both share it (by address: the transposed sets, interned)
  const addressKinds = new Map<Bitset, number>()
  const byContent = new Map<string, number>()
  for (const b of t.byAddress) {
    if (addressKinds.has(b)) continue
    const key = b.words.join(',')
    let id = byContent.get(key)
    if (id === undefined) byContent.set(key, (id = byContent.size))
    addressKinds.set(b, id)
  }
  const known = new Map<number, { from: number[]; to: Int32Array } | null>()
  // with cluster policy tiers rows are RowMaker's (sources alike as above share them, see RowMaker.rowKey)
  const tiered = m.tiers === null ? null : { maker: new RowMaker(ids, m), position: new Int32Array(order.length) }
  if (tiered !== null) order.forEach((c, k) => (tiered.position[c] = k))
  for (let k = 0; k < order.length; k++) {
    const s = order[k]!
    if (rows !== undefined && !rows(s)) continue
    const s1 = selectorOf[s]!
    const alike = m.tiers?.ingressByAddress === true ? s : s1 * byContent.size + addressKinds.get(t.byAddress[addressOf[s]!]!)!
    const seen = known.get(alike)
    if (seen !== undefined) {
      seen?.from.push(k)
      continue
    }
    let to: Int32Array
    if (tiered === null && m.outIsolated[s1] === 0 && sp.columns === null) {
      // every open destination and those whose ingress admits this source: whole selector classes, so the runs
      // are made from their ranks (disjoint ranges of class numbers) without a row
      extra.words.set(t.bySelector[s1]!.words)
      extra.orWith(t.byAddress[addressOf[s]!]!)
      const ew = extra.words
      const ow = t.open.words
      // their ranks, in increasing order: marked in a set over ranks, then read off it
      const rw = rankSet.words
      rw.fill(0)
      for (let w = 0; w < ew.length; w++) {
        let v = ew[w]! & ~ow[w]!
        while (v !== 0) {
          const low = v & -v
          const r = rank[(w << 5) + 31 - Math.clz32(low)]!
          rw[r >>> 5]! |= 1 << (r & 31)
          v ^= low
        }
      }
      let n = 0
      for (let w = 0; w < rw.length; w++) {
        let v = rw[w]!
        while (v !== 0) {
          const low = v & -v
          ranks[n++] = (w << 5) + 31 - Math.clz32(low)
          v ^= low
        }
      }
      to = mergeRuns(openRuns, ranks.subarray(0, n), first, runs)
    } else to = runs.of(pairRow(s, s1))
    if (to.length === 0) {
      known.set(alike, null)
      continue
    }
    const key = to.join(',')
    let g = groups.get(key)
    if (g) g.from.push(k)
    else groups.set(key, (g = { from: [k], to }))
    known.set(alike, g)
  }
  return [...groups.values()]

  /** What source class s (of selector class s1) reaches, as a row over class numbers. */
  function pairRow(s: number, s1: number): Uint32Array {
    row.words.fill(0)
    if (tiered !== null) tiered.maker.row(s).forEach((c) => row.add(tiered.position[c]!))
    else if (m.outIsolated[s1] === 0) {
      // every open destination, and those whose ingress admits this source by selector or by address
      for (let i = 0; i < openRuns.length; i += 2) setRange(row.words, openRuns[i]!, openRuns[i + 1]!)
      extra.words.set(t.bySelector[s1]!.words)
      extra.orWith(t.byAddress[addressOf[s]!]!)
      const ew = extra.words
      const ow = t.open.words
      for (let w = 0; w < ew.length; w++) ew[w]! &= ~ow[w]!
      extra.forEach(addSelector)
    } else {
      ingressOk.words.set(t.open.words)
      ingressOk.orWith(t.bySelector[s1]!)
      ingressOk.orWith(t.byAddress[addressOf[s]!]!)
      direct.words.fill(0)
      direct.orAnd(ingressOk, m.outSel[s1]!)
      direct.forEach(addSelector)
      const grants = m.outAddr[s1]!
      if (grants.length > 0) {
        // destination selector classes where an ipBlock grant decides class by class
        cand.words.fill(0)
        for (const g of grants) cand.orAnd(ingressOk, g.dests ?? ingressOk)
        const cw = cand.words
        const dw = direct.words
        for (let w = 0; w < cw.length; w++) cw[w]! &= ~dw[w]!
        cand.forEach((d1) => {
          for (let c = first[rank[d1]!]!; c < first[rank[d1]! + 1]!; c++) {
            const d2 = addressOf[order[c]!]!
            if (grants.some((g) => g.addr.has(d2) && (g.dests === null || g.dests.has(d1)))) row.add(c)
          }
        })
      }
    }
    if (sp.columns !== null) {
      const rw = row.words
      const cw = sp.columns.words
      for (let w = 0; w < rw.length; w++) rw[w]! &= cw[w]!
    }
    return row.words
  }
}

/**
 * The runs of `open` (runs of class numbers, increasing) together with the class numbers of the selector classes
 * of `ranks` (increasing; first[r] .. first[r + 1] - 1 each, none inside an open run): neighbours merged, as
 * Runs.of would read them off a row holding both.
 */
function mergeRuns(open: Int32Array, ranks: Int32Array, first: Int32Array, runs: Runs): Int32Array {
  runs.clear()
  let i = 0
  for (let j = 0; j < ranks.length; j++) {
    const lo = first[ranks[j]!]!
    while (i < open.length && open[i]! < lo) {
      runs.push(open[i]!, open[i + 1]!)
      i += 2
    }
    runs.push(lo, first[ranks[j]! + 1]! - 1)
  }
  for (; i < open.length; i += 2) runs.push(open[i]!, open[i + 1]!)
  return runs.done()
}

/** Sets bits lo..hi (inclusive). */
function setRange(words: Uint32Array, lo: number, hi: number): void {
  if (hi < lo) return
  const a = lo >>> 5
  const b = hi >>> 5
  const loMask = (0xffffffff << (lo & 31)) >>> 0
  const hiMask = (hi & 31) === 31 ? 0xffffffff : ((1 << ((hi & 31) + 1)) - 1) >>> 0
  if (a === b) {
    words[a]! |= loMask & hiMask
    return
  }
  words[a]! |= loMask
  for (let w = a + 1; w < b; w++) words[w] = 0xffffffff
  words[b]! |= hiMask
}

/** Inclusive runs of class numbers: pushed in increasing order (neighbours merge), or read off a bitset. */
class Runs {
  private buf = new Int32Array(64)
  private len = 0
  push(lo: number, hi: number): void {
    if (this.len > 0 && this.buf[this.len - 1] === lo - 1) {
      this.buf[this.len - 1] = hi
      return
    }
    if (this.len + 2 > this.buf.length) {
      const bigger = new Int32Array(this.buf.length * 2)
      bigger.set(this.buf)
      this.buf = bigger
    }
    this.buf[this.len++] = lo
    this.buf[this.len++] = hi
  }
  clear(): void {
    this.len = 0
  }
  done(): Int32Array {
    return this.buf.slice(0, this.len)
  }
  /** The runs of set bits, word by word: whole words of ones or zeros cost one step. */
  of(words: Uint32Array): Int32Array {
    this.len = 0
    let start = -1
    for (let w = 0; w < words.length; w++) {
      const v = words[w]!
      if (v === 0) {
        if (start >= 0) {
          this.push(start, (w << 5) - 1)
          start = -1
        }
        continue
      }
      if (v === 0xffffffff) {
        if (start < 0) start = w << 5
        continue
      }
      for (let b = 0; b < 32; b++) {
        const on = (v >>> b) & 1
        if (on && start < 0) start = (w << 5) + b
        else if (!on && start >= 0) {
          this.push(start, (w << 5) + b - 1)
          start = -1
        }
      }
    }
    if (start >= 0) this.push(start, (words.length << 5) - 1)
    return this.done()
  }
}
