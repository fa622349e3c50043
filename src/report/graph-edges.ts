/**
 * Edges between nodes, folded from the class rows of the matrix (ClassMatrix.rows): every pod pair of two
 * classes has the same verdict, so node A reaches node B when some class of A reaches some class of B, and all
 * of A reaches all of B when every class of A reaches every class of B. Never pod by pod: the cost is the
 * classes' rows (classes² bits per port) plus, per source node, the classes its rows reach.
 */
import { standsForSeveral, type Pod } from '../model/cluster.js'
import type { ClassMatrix } from '../analysis/reachability.js'
import { Bitset } from '../analysis/bitset.js'
import type { Identities } from '../analysis/identities.js'
import type { ExternalSpace, ExternalVerdicts } from './graph-external.js'
import type { PodNode } from './graph-nodes.js'

/** An edge found, by node index (pod nodes first, then external nodes), with the ports (indexes) it holds on. */
export interface FoundEdge {
  readonly from: number
  readonly to: number
  readonly ports: number[]
  /** every pair, on every port in `ports` */
  all: boolean
}

export interface EdgeInput {
  readonly pods: readonly Pod[]
  readonly ids: Identities
  readonly nodes: readonly PodNode[]
  readonly results: readonly ClassMatrix[]
  /**
   * Per port: the destination pods it is considered for (1), or null for all. With "any", a port counts only
   * toward pods that serve it or that a policy names it for (as `diff` without --port).
   */
  readonly considered: readonly (Uint8Array | null)[]
  /** per port: whether it is considered for external destinations */
  readonly externalPorts: readonly boolean[]
  readonly external: ExternalSpace
  readonly verdicts: ExternalVerdicts
  /** which nodes (pod nodes, then external) are shown; edges are listed between shown nodes only */
  readonly shown: Uint8Array
  /** list at most this many edges (the rest are counted as omitted); no limit when absent */
  readonly maxEdges?: number
}

/**
 * A node's classes: as sources (all its pods), or as destinations on one port (its pods the port is considered
 * for). `pairWithin[i]`: two different pods (or replicas) of the node are in class i, the second a destination.
 */
interface NodeClasses {
  readonly classes: number[]
  readonly pairWithin: Uint8Array
}

function nodeClasses(input: EdgeInput, considered: Uint8Array | null): NodeClasses[] {
  const { ids, pods } = input
  return input.nodes.map((n) => {
    const weight = new Map<number, number>()
    const dest = new Set<number>()
    for (const i of n.members) {
      const k = ids.classOf[i]!
      weight.set(k, (weight.get(k) ?? 0) + (standsForSeveral(pods[i]!) ? 2 : 1))
      if (considered === null || considered[i] === 1) dest.add(k)
    }
    const classes = [...dest]
    return { classes, pairWithin: Uint8Array.from(classes, (k) => (weight.get(k)! >= 2 ? 1 : 0)) }
  })
}

/** Per port: each node's destination classes, and per class the nodes it is a destination class of. */
interface PortView {
  readonly dest: readonly NodeClasses[]
  readonly nodesOfClass: readonly number[][]
}

function portViews(input: EdgeInput, all: readonly NodeClasses[]): PortView[] {
  const n = input.ids.classes.length
  const cache = new Map<Uint8Array | null, PortView>()
  return input.considered.map((c) => {
    let v = cache.get(c)
    if (v === undefined) {
      const dest = c === null ? all : nodeClasses(input, c)
      const nodesOfClass: number[][] = Array.from({ length: n }, () => [])
      dest.forEach((nc, b) => nc.classes.forEach((k) => nodesOfClass[k]!.push(b)))
      cache.set(c, (v = { dest, nodesOfClass }))
    }
    return v
  })
}

/**
 * Every edge's count (for the totals, before filters), and the edges between shown nodes. Pod nodes are
 * 0..nodes-1, external nodes follow in `external.nodes` order.
 */
export function foldEdges(input: EdgeInput): { total: number; edges: FoundEdge[]; omitted: number } {
  const { ids, nodes, results, shown } = input
  const nClasses = ids.classes.length
  const sources = nodeClasses(input, null)
  const views = portViews(input, sources)
  const seenFrom = new Int32Array(nodes.length).fill(-1)
  const seenPort = new Int32Array(nodes.length).fill(-1)
  const edges: FoundEdge[] = []
  let total = 0
  const budget = new Budget(input.maxEdges)
  // per destination node, the source node whose edge to it is listed (an edge is counted once, listed or not)
  const listed = new Int32Array(nodes.length).fill(-1)
  const any = new Bitset(nClasses)
  for (let a = 0; a < nodes.length; a++) {
    const mine = sources[a]!
    const acc = new Map<number, FoundEdge>()
    for (let p = 0; p < results.length; p++) {
      const rows = results[p]!.rows
      const { dest, nodesOfClass } = views[p]!
      any.words.fill(0)
      for (const k of mine.classes) any.orWith(rows[k]!)
      let all: Bitset | null = null
      const token = a * results.length + p
      any.forEach((k) => {
        for (const b of nodesOfClass[k]!) {
          if (b === a || seenPort[b] === token) continue
          seenPort[b] = token
          if (seenFrom[b] !== a) {
            seenFrom[b] = a
            total++
            if (shown[a] && shown[b] && budget.take()) listed[b] = a
          }
          if (listed[b] !== a) continue
          if (all === null) all = allRow(mine.classes, rows, nClasses)
          add(acc, a, b, p, dest[b]!.classes.every((kb) => all!.has(kb)))
        }
      })
      // within the node: pairs of two different pods (or replicas), from each class to each
      const self = selfPairs(mine, dest[a]!, rows)
      if (self !== null) {
        if (seenFrom[a] !== a) {
          seenFrom[a] = a
          total++
          if (shown[a] && budget.take()) listed[a] = a
        }
        if (listed[a] === a) add(acc, a, a, p, self)
      }
    }
    edges.push(...acc.values())
  }
  const ext = externalEdges(input, sources, views, budget)
  return { total: total + ext.total, edges: [...edges, ...ext.edges], omitted: budget.omitted }
}

/** How many more edges may be listed; those past the limit are counted. */
class Budget {
  omitted = 0
  private left: number
  constructor(limit: number | undefined) {
    this.left = limit ?? Infinity
  }
  take(): boolean {
    if (this.left > 0) {
      this.left--
      return true
    }
    this.omitted++
    return false
  }
}

function add(acc: Map<number, FoundEdge>, a: number, b: number, port: number, every: boolean): void {
  const e = acc.get(b)
  if (e === undefined) acc.set(b, { from: a, to: b, ports: [port], all: every })
  else {
    e.ports.push(port)
    e.all &&= every
  }
}

function allRow(classes: readonly number[], rows: readonly Bitset[], n: number): Bitset {
  const all = Bitset.full(n)
  for (const k of classes) {
    const r = rows[k]!.words
    for (let w = 0; w < all.words.length; w++) all.words[w]! &= r[w]!
  }
  return all
}

/** null: no pair within the node may connect; else whether every pair may. */
function selfPairs(from: NodeClasses, to: NodeClasses, rows: readonly Bitset[]): boolean | null {
  let some = false
  let every = true
  for (const k1 of from.classes) {
    to.classes.forEach((k2, j) => {
      if (k1 === k2 && to.pairWithin[j] === 0) return
      if (rows[k1]!.has(k2)) some = true
      else every = false
    })
  }
  return some ? every : null
}

/** Edges between pod nodes and external nodes, both ways, from the regions each selector class may reach. */
function externalEdges(input: EdgeInput, per: readonly NodeClasses[], views: readonly PortView[], budget: Budget): { total: number; edges: FoundEdge[] } {
  const { ids, nodes, results, external, verdicts, shown, externalPorts } = input
  const edges: FoundEdge[] = []
  let total = 0
  if (external.nodes.length === 0) return { total, edges }
  const xBits = external.nodes.map((x) => verdicts.regionsOf(x))
  const nRegions = external.regions.length
  const full = Bitset.full(nRegions)
  const anyR = new Bitset(nRegions)
  const allR = new Bitset(nRegions)
  const byPort = results.map((m) => verdicts.forPort(m.port, m.protocol))
  const acc: (FoundEdge | null)[] = new Array(2 * external.nodes.length)
  nodes.forEach((_, a) => {
    acc.fill(null)
    const selectors = [...new Set(per[a]!.classes.map((k) => ids.selectorOf[k]!))]
    for (let p = 0; p < results.length; p++) {
      for (const out of [true, false]) {
        if (out && !externalPorts[p]) continue
        // egress: every pod of the node; ingress: the pods the port is considered for
        const sel = out || input.considered[p] === null ? selectors : [...new Set(views[p]!.dest[a]!.classes.map((k) => ids.selectorOf[k]!))]
        if (sel.length === 0) continue
        const side = out ? byPort[p]!.egress : byPort[p]!.ingress
        anyR.words.fill(0)
        allR.words.set(full.words)
        for (const s1 of sel) {
          const bits = side[s1]!.words
          for (let w = 0; w < bits.length; w++) {
            anyR.words[w]! |= bits[w]!
            allR.words[w]! &= bits[w]!
          }
        }
        for (let xi = 0; xi < xBits.length; xi++) {
          const x = xBits[xi]!.words
          let some = false
          let every = true
          for (let w = 0; w < x.length; w++) {
            if ((anyR.words[w]! & x[w]!) !== 0) some = true
            if ((allR.words[w]! & x[w]!) !== x[w]) every = false
          }
          if (!some) continue
          const slot = 2 * xi + (out ? 0 : 1)
          const e = acc[slot]
          const xNode = nodes.length + xi
          if (e) {
            e.ports.push(p)
            e.all &&= every
          } else acc[slot] = out ? { from: a, to: xNode, ports: [p], all: every } : { from: xNode, to: a, ports: [p], all: every }
        }
      }
    }
    for (const e of acc) {
      if (e === null) continue
      total++
      if (shown[a] && budget.take()) edges.push(e)
    }
  })
  return { total, edges }
}
