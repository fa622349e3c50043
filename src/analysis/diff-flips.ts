/**
 * The flips of a diff: every pair of joint classes compared (findFlips), or only where a change can make them
 * (findTouchedFlips, see diff-touched.ts): the rows of joint classes whose egress may differ, the columns of
 * those whose ingress may differ. Each side is asked of the ClassSides of its cluster, computed per selector
 * class when first needed, so a change that selects a few pods costs their rows and columns, not the whole class
 * matrix of both clusters.
 */
import type { Bitset } from '../engine/bitset.js'
import type { JointClasses } from './diff.js'
import type { Touched } from './diff-touched.js'
import type { PortSides } from './reachability.js'

/**
 * The same flips, in the same order, as findFlips over the full class matrices: pair by pair (source, then
 * destination ascending), ports ascending. `before`/`after` hold one PortSides per port of each cluster.
 */
/** A class pair whose verdict differs on port index `port`; `allowed` is the verdict after. */
export interface Flip {
  readonly from: number
  readonly to: number
  readonly port: number
  readonly allowed: boolean
}

/**
 * Compares the class matrices of both sides through the joint classes: `oldRows[k][c]` is the row of class c
 * (before) for port index k. A joint class with one pod is skipped against itself: its only pair is the pod with
 * itself, which is always allowed, unless `selfPairs` counts it (a template of several replicas on both sides).
 */
export function findFlips(joint: JointClasses, oldRows: readonly (readonly Bitset[])[], newRows: readonly (readonly Bitset[])[], selfPairs?: readonly number[]): Flip[] {
  const flips: Flip[] = []
  const n = joint.members.length
  const ports = oldRows.length
  const before = joint.before
  const after = joint.after
  const o: Uint32Array[] = []
  const w: Uint32Array[] = []
  // pair by pair, ports ascending: the flips of one pair come out together
  for (let a = 0; a < n; a++) {
    for (let k = 0; k < ports; k++) {
      o[k] = oldRows[k]![before[a]!]!.words
      w[k] = newRows[k]![after[a]!]!.words
    }
    const single = joint.members[a]!.length < 2 && (selfPairs?.[a] ?? 0) === 0
    for (let b = 0; b < n; b++) {
      if (a === b && single) continue
      const cb = before[b]!
      const ca = after[b]!
      const ob = cb >>> 5
      const os = cb & 31
      const nb = ca >>> 5
      const ns = ca & 31
      for (let k = 0; k < ports; k++) {
        const was = (o[k]![ob]! >>> os) & 1
        const now = (w[k]![nb]! >>> ns) & 1
        if (was !== now) flips.push({ from: a, to: b, port: k, allowed: now === 1 })
      }
    }
  }
  return flips
}

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
