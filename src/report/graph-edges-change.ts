/**
 * The edge fold of a graph after a change, from the fold before (graph-edges.ts), when both sides have the same
 * classes and nodes and count each port toward the same destinations (a what-if that keeps the pods and the
 * ipBlocks: the served cluster's classes are reused). An edge A → B reads only the class rows of A's classes at
 * B's classes, so only the node pairs holding a class pair whose bit the change flips are folded again: on the
 * 10,000-pod cluster a few hundred pairs instead of every source's rows. The listing keeps foldEdges' order (by
 * source, then destination, up to `maxEdges`): an opened edge before the old end of the list takes a place (the
 * last listed one leaves), a closed one frees one (the next edges after the old end, folded from there, fill
 * it). The external edges are folded whole (their verdicts are per selector class, not per class pair).
 * Equal to foldEdges of the side after (graph-edges-change.test.ts).
 */
import type { Bitset } from '../engine/bitset.js'
import { SourceFolder, withExternal, type EdgeInput, type FoldResult, type FoundEdge } from './graph-edges.js'

export interface Fold {
  readonly folder: SourceFolder
  readonly found: FoldResult
}

/** foldEdges(after), from the fold before; null when the two sides differ in more than their class rows. */
export function foldEdgesAfter(before: Fold, after: EdgeInput): Fold | null {
  const was = before.folder.input
  if (!sameShape(was, after)) return null
  const n = after.nodes.length
  const folder = new SourceFolder(after, before.folder)
  const pairs = changedPairs(was, after, folder)
  const { shown } = after
  let total = before.found.pods.total
  let shownPairs = before.found.pods.shown
  // per changed pair, its edge after (null: none)
  const changed = new Map<number, FoundEdge | null>()
  for (const key of [...pairs].sort((x, y) => x - y)) {
    const a = Math.floor(key / n)
    const b = key % n
    const then = before.folder.edge(a, b)
    const now = folder.edge(a, b)
    if ((then === null) !== (now === null)) {
      const d = now === null ? -1 : 1
      total += d
      if (shown[a] && shown[b]) shownPairs += d
    }
    changed.set(key, now)
  }
  const limit = after.maxEdges ?? Infinity
  const listedBefore = before.found.pods.listed
  const omittedBefore = before.found.pods.shown - listedBefore.length
  const keyOf = (e: FoundEdge) => e.from * n + e.to
  // listed before: every shown edge up to `end` (all of them when none was left out)
  const end = omittedBefore === 0 ? Infinity : listedBefore.length === 0 ? -1 : keyOf(listedBefore[listedBefore.length - 1]!)
  const listed = listedBefore.filter((e) => !changed.has(keyOf(e)))
  for (const [key, e] of changed) if (e !== null && key <= end && shown[e.from] && shown[e.to]) listed.push(e)
  listed.sort((x, y) => keyOf(x) - keyOf(y))
  if (listed.length > limit) listed.length = limit
  else if (listed.length < limit && end !== Infinity) extend(folder, listed, end, limit)
  return { folder, found: withExternal(after, folder, { total, shown: shownPairs, listed }, limit - listed.length) }
}

/** Lists the shown edges after key `end`, in order, until `listed` holds `limit`. */
function extend(folder: SourceFolder, listed: FoundEdge[], end: number, limit: number): void {
  const { nodes, shown } = folder.input
  const n = nodes.length
  const a0 = end < 0 ? 0 : Math.floor(end / n)
  for (let a = a0; a < n; a++) {
    if (!shown[a]) continue
    for (const b of folder.destinations(a)) {
      if (a * n + b <= end || !shown[b]) continue
      listed.push(folder.edge(a, b)!)
      if (listed.length >= limit) return
    }
  }
}

/**
 * The node pairs (a · nodes + b) holding a class pair whose bit differs between the two sides' rows on some
 * port: a holds the source class, b the destination class (as a destination on that port).
 */
function changedPairs(was: EdgeInput, now: EdgeInput, folder: SourceFolder): Set<number> {
  const n = now.nodes.length
  const sourcesOf: number[][] = Array.from({ length: now.ids.classes.length }, () => [])
  folder.sources.forEach((nc, a) => nc.classes.forEach((k) => sourcesOf[k]!.push(a)))
  const pairs = new Set<number>()
  // the destination nodes of one row's changed bits, each once (a column change flips a bit in every row)
  const seen = new Int32Array(n).fill(-1)
  const dests: number[] = []
  now.results.forEach((m, p) => {
    const { nodesOfClass } = folder.views[p]!
    const before = was.results[p]!.rows
    const after = m.rows
    for (let k = 0; k < after.length; k++) {
      const x = before[k]!
      const y = after[k]!
      if (x === y || sourcesOf[k]!.length === 0) continue
      const token = p * after.length + k
      dests.length = 0
      forEachDifference(x, y, (j) => {
        for (const b of nodesOfClass[j]!) {
          if (seen[b] === token) continue
          seen[b] = token
          dests.push(b)
        }
      })
      for (const a of sourcesOf[k]!) for (const b of dests) pairs.add(a * n + b)
    }
  })
  return pairs
}

function forEachDifference(x: Bitset, y: Bitset, f: (i: number) => void): void {
  const wx = x.words
  const wy = y.words
  for (let w = 0; w < wx.length; w++) {
    let d = (wx[w]! ^ wy[w]!) >>> 0
    while (d !== 0) {
      const low = d & -d
      f(w * 32 + 31 - Math.clz32(low))
      d = (d ^ low) >>> 0
    }
  }
}

/** The same classes, nodes, ports, destinations counted per port, shown nodes and limit: only the rows may differ. */
function sameShape(x: EdgeInput, y: EdgeInput): boolean {
  if (x.ids !== y.ids || x.pods.length !== y.pods.length || x.pods.some((pod, i) => pod !== y.pods[i]) || x.maxEdges !== y.maxEdges || x.nodes.length !== y.nodes.length || x.results.length !== y.results.length) return false
  if (x.external.nodes.length !== y.external.nodes.length || !sameBytes(x.shown, y.shown)) return false
  for (let p = 0; p < x.results.length; p++) {
    const [a, b] = [x.results[p]!, y.results[p]!]
    if (a.port !== b.port || a.protocol !== b.protocol || x.externalPorts[p] !== y.externalPorts[p]) return false
    const [c, d] = [x.considered[p]!, y.considered[p]!]
    if (c === null || d === null ? c !== d : !sameBytes(c, d)) return false
  }
  for (let i = 0; i < x.nodes.length; i++) {
    const [a, b] = [x.nodes[i]!, y.nodes[i]!]
    if (a.id !== b.id || a.members.length !== b.members.length || a.members.some((m, j) => m !== b.members[j])) return false
  }
  return true
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
