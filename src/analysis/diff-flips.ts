/**
 * The flips of a diff: every pair of joint classes compared (findFlips), or only where a change can make them
 * (findTouchedFlips, see diff-touched.ts): the rows of joint classes whose egress may differ, the columns of
 * those whose ingress may differ. Each side is asked of the ClassSides of its cluster, computed per selector
 * class when first needed, so a change that selects a few pods costs their rows and columns, not the whole class
 * matrix of both clusters.
 */
import { Bitset } from '../engine/bitset.js'
import type { JointClasses } from './diff.js'
import type { Touched } from './diff-touched.js'
import type { PortSides } from './reachability.js'

/** A class pair whose verdict differs on port index `port`; `allowed` is the verdict after. */
export interface Flip {
  readonly from: number
  readonly to: number
  readonly port: number
  readonly allowed: boolean
}

/** The rows of one side's class matrix for one port: all of them, or one at a time (see RowMaker). */
export type ClassRows = readonly Bitset[] | { row(c: number): Bitset; rowKey(c: number): number }

/**
 * Compares the class matrices of both sides through the joint classes: `oldRows[k]` gives the row of class c
 * (before) for port index k. A joint class with one pod is skipped against itself: its only pair is the pod with
 * itself, which is always allowed, unless `selfPairs` counts it (a template of several replicas on both sides).
 * Per source, only the destinations either side allows are visited: O(allowed classes) per source and port, not
 * O(classes).
 */
export function findFlips(joint: JointClasses, oldRows: readonly ClassRows[], newRows: readonly ClassRows[], selfPairs?: readonly number[]): Flip[] {
  const flips: Flip[] = []
  const n = joint.members.length
  const ports = oldRows.length
  const before = joint.before
  const after = joint.after
  const rowOf = (rows: ClassRows, c: number): Bitset => ('row' in rows ? rows.row(c) : rows[c]!)
  // joint classes per class of each side
  const nOld = before.reduce((x, c) => Math.max(x, c + 1), 0)
  const nNew = after.reduce((x, c) => Math.max(x, c + 1), 0)
  const ofOld: number[][] = Array.from({ length: nOld }, () => [])
  const ofNew: number[][] = Array.from({ length: nNew }, () => [])
  for (let b = 0; b < n; b++) {
    ofOld[before[b]!]!.push(b)
    ofNew[after[b]!]!.push(b)
  }
  // per destination joint class, bit k: the verdict on port k differs (for ports in groups of 32)
  const mark = new Uint32Array(n)
  const seen = new Int32Array(n).fill(-1)
  const touched = new Int32Array(n)
  const w: Bitset[] = []
  const kept: Bitset[] = []
  // sources whose rows are equal on both sides (one key per side and port) have the same flips, but for the pair
  // of a source with itself, which is left out below
  const keyed = ports > 0 && [...oldRows, ...newRows].every((r) => 'rowKey' in r)
  const known = new Map<string, { b: number; k: number; now: boolean }[]>()
  for (let a = 0; a < n; a++) {
    const single = joint.members[a]!.length < 2 && (selfPairs?.[a] ?? 0) === 0
    let key = ''
    if (keyed) {
      for (let k = 0; k < ports; k++) key += `${(oldRows[k] as { rowKey(c: number): number }).rowKey(before[a]!)},${(newRows[k] as { rowKey(c: number): number }).rowKey(after[a]!)};`
      const seenFlips = known.get(key)
      if (seenFlips !== undefined) {
        for (const f of seenFlips) if (!(f.b === a && single)) flips.push({ from: a, to: f.b, port: f.k, allowed: f.now })
        continue
      }
    }
    const found: { b: number; k: number; now: boolean }[] = []
    for (let k0 = 0; k0 < ports; k0 += 32) {
      let count = 0
      const toggle = (b: number, bit: number) => {
        if (seen[b] !== a) {
          seen[b] = a
          mark[b] = 0
          touched[count++] = b
        }
        mark[b]! ^= bit
      }
      for (let k = k0; k < Math.min(ports, k0 + 32); k++) {
        const bit = (1 << (k - k0)) >>> 0
        rowOf(oldRows[k]!, before[a]!).forEach((c) => {
          for (const b of ofOld[c]!) toggle(b, bit)
        })
        const now = rowOf(newRows[k]!, after[a]!)
        w[k] = now
        now.forEach((c) => {
          for (const b of ofNew[c]!) toggle(b, bit)
        })
        // a row handed out one at a time is gone at the next call: keep a copy
        if ('row' in newRows[k]!) {
          const keep = (kept[k] ??= new Bitset(now.size))
          keep.words.set(now.words)
          w[k] = keep
        }
      }
      for (let x = 0; x < count; x++) {
        const b = touched[x]!
        const m = mark[b]!
        if (m === 0) continue
        for (let k = k0; k < Math.min(ports, k0 + 32); k++) if ((m >>> (k - k0)) & 1) found.push({ b, k, now: w[k]!.has(after[b]!) })
      }
      // the next group of ports starts over
      for (let x = 0; x < count; x++) seen[touched[x]!] = -1
    }
    // pair by pair, ports ascending: the flips of one pair come out together
    found.sort((x, y) => x.b - y.b || x.k - y.k)
    if (keyed) known.set(key, found)
    for (const f of found) if (!(f.b === a && single)) flips.push({ from: a, to: f.b, port: f.k, allowed: f.now })
  }
  return flips
}

/**
 * The same flips, in the same order, as findFlips over the full class matrices: pair by pair (source, then
 * destination ascending), ports ascending. `before`/`after` hold one PortSides per port of each cluster.
 */
export function findTouchedFlips(joint: JointClasses, touched: Touched, before: readonly PortSides[], after: readonly PortSides[], selfPairs?: readonly number[]): Flip[] {
  const flips: Flip[] = []
  const n = joint.members.length
  const ports = before.length
  const { rows, columns, moved } = touched
  const columnList: number[] = []
  for (let b = 0; b < n; b++) if (columns[b] === 1) columnList.push(b)
  const all = Array.from({ length: n }, (_, b) => b)
  for (let a = 0; a < n; a++) {
    const single = joint.members[a]!.length < 2 && (selfPairs?.[a] ?? 0) === 0
    const sa = joint.before[a]!
    const ta = joint.after[a]!
    for (const b of rows[a] === 1 ? all : columnList) {
      if (a === b && single) continue
      const sb = joint.before[b]!
      const tb = joint.after[b]!
      for (let k = 0; k < ports; k++) {
        const o = before[k]!
        const w = after[k]!
        let was: boolean
        let now: boolean
        if (moved[a] === 1 || moved[b] === 1 || (rows[a] === 1 && columns[b] === 1)) {
          was = o.ingress(sa, sb) && o.egress(sa, sb)
          now = w.ingress(ta, tb) && w.egress(ta, tb)
        } else if (rows[a] === 1) {
          // the destination's ingress is the same on both sides: only the source's egress can flip it
          const e0 = o.egress(sa, sb)
          const e1 = w.egress(ta, tb)
          if (e0 === e1 || !w.ingress(ta, tb)) continue
          was = e0
          now = e1
        } else {
          // the source's egress is the same on both sides: only the destination's ingress can flip it
          const i0 = o.ingress(sa, sb)
          const i1 = w.ingress(ta, tb)
          if (i0 === i1 || !w.egress(ta, tb)) continue
          was = i0
          now = i1
        }
        if (was !== now) flips.push({ from: a, to: b, port: k, allowed: now })
      }
    }
  }
  return flips
}
