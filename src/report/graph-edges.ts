/**
 * Edges between nodes, folded from the class rows of the matrix (ClassMatrix.rows): every pod pair of two
 * classes has the same verdict, so node A reaches node B when some class of A reaches some class of B, and all
 * of A reaches all of B when every class of A reaches every class of B. Never pod by pod: the cost is the
 * classes' rows (classes² bits per port) plus, per source node, the classes its rows reach.
 */
import { standsForSeveral, type Pod } from '../model/cluster.js'
import type { ClassMatrix } from '../analysis/reachability.js'
import { Bitset } from '../engine/bitset.js'
import type { Identities } from '../engine/identities.js'
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
  /**
   * Pod nodes whose edges (either way) are listed before the others within `maxEdges`: the classes of the
   * namespaces a reader opened. The others follow in order in what is left. Absent: all in order.
   */
  readonly first?: Uint8Array
}

/**
 * A node's classes: as sources (all its pods), or as destinations on one port (its pods the port is considered
 * for). `pairWithin[i]`: two different pods (or replicas) of the node are in class i, the second a destination.
 */
export interface NodeClasses {
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
export interface PortView {
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

/** What a fold found: every edge counted, the listed ones (pod-node edges first, then external ones). */
export interface FoldResult {
  readonly total: number
  readonly edges: FoundEdge[]
  readonly omitted: number
  /** the edges between pod nodes: all counted, those between shown nodes, and the listed ones in (from, to) order */
  readonly pods: { readonly total: number; readonly shown: number; readonly listed: readonly FoundEdge[] }
}

/**
 * Every edge's count (for the totals, before filters), and the edges between shown nodes. Pod nodes are
 * 0..nodes-1, external nodes follow in `external.nodes` order. Listed up to `maxEdges`: the edges between pod
 * nodes by source, then destination (node order), then the external ones by pod node; with `first`, the pod-node
 * edges of those nodes come before the other pod-node edges.
 */
export function foldEdges(input: EdgeInput, folder: SourceFolder = new SourceFolder(input)): FoldResult {
  const { nodes, shown, first } = input
  const budget = new Budget(input.maxEdges)
  const listed: FoundEdge[] = []
  // with `first`: the other pairs, as a b pairs, listed after
  const later: number[] = []
  let total = 0
  let shownPairs = 0
  for (let a = 0; a < nodes.length; a++) {
    const dests = folder.destinations(a)
    total += dests.length
    if (!shown[a]) continue
    for (const b of dests) {
      if (!shown[b]) continue
      shownPairs++
      if (first !== undefined && !first[a] && !first[b]) later.push(a, b)
      else if (budget.take()) listed.push(folder.edge(a, b)!)
    }
  }
  // the opened nodes' edges first, then the other pod-node edges in what is left (then the external ones, as
  // without `first`: at 10,000 pods none is left for them, and a page would draw some 200 external nodes more)
  for (let i = 0; i < later.length; i += 2) if (budget.take()) listed.push(folder.edge(later[i]!, later[i + 1]!)!)
  listed.sort((x, y) => x.from - y.from || x.to - y.to)
  return withExternal(input, folder, { total, shown: shownPairs, listed }, budget.left)
}

/** The fold's result from its pod-node part and the external edges, listed in what is left of the budget. */
export function withExternal(input: EdgeInput, folder: SourceFolder, pods: FoldResult['pods'], left: number): FoldResult {
  const budget = new Budget(left)
  const ext = externalEdges(input, folder.sources, folder.views)
  return { total: pods.total + ext.total, edges: [...pods.listed, ...ext.edges.filter(() => budget.take())], omitted: pods.shown - pods.listed.length + budget.omitted, pods }
}

/**
 * The pod-node edges of one source node at a time: which nodes it reaches on some port (itself included when
 * two of its pods may connect), and the edge to one of them.
 */
export class SourceFolder {
  readonly sources: readonly NodeClasses[]
  readonly views: readonly PortView[]
  private readonly seen: Int32Array
  private readonly any: Bitset[]
  private readonly all: (Bitset | null)[]
  private current = -1

  /** `like`: a folder over the same nodes, classes and considered destinations, whose node classes are these */
  constructor(readonly input: EdgeInput, like?: SourceFolder) {
    this.sources = like?.sources ?? nodeClasses(input, null)
    this.views = like?.views ?? portViews(input, this.sources)
    this.seen = new Int32Array(input.nodes.length).fill(-1)
    this.any = input.results.map(() => new Bitset(input.ids.classes.length))
    this.all = input.results.map(() => null)
  }

  /** Per port, the classes some class of node `a` reaches (kept for the last node asked about). */
  private reach(a: number): void {
    if (this.current === a) return
    this.current = a
    const mine = this.sources[a]!
    this.input.results.forEach((m, p) => {
      const any = this.any[p]!
      any.words.fill(0)
      for (const k of mine.classes) any.orWith(m.rows[k]!)
      this.all[p] = null
    })
  }

  /** The nodes `a` has an edge to, in node order. */
  destinations(a: number): number[] {
    this.reach(a)
    const { results } = this.input
    const out: number[] = []
    const seen = this.seen
    for (let p = 0; p < results.length; p++) {
      const { nodesOfClass, dest } = this.views[p]!
      this.any[p]!.forEach((k) => {
        for (const b of nodesOfClass[k]!) {
          if (b === a || seen[b] === a) continue
          seen[b] = a
          out.push(b)
        }
      })
      if (seen[a] !== a && selfPairs(this.sources[a]!, dest[a]!, results[p]!.rows) !== null) {
        seen[a] = a
        out.push(a)
      }
    }
    return out.sort((x, y) => x - y)
  }

  /** The edge a → b (a pod node each; a === b: pairs within the node), or null when there is none. */
  edge(a: number, b: number): FoundEdge | null {
    this.reach(a)
    const { results, ids } = this.input
    let e: FoundEdge | null = null
    for (let p = 0; p < results.length; p++) {
      const rows = results[p]!.rows
      const to = this.views[p]!.dest[b]!
      let every: boolean
      if (a === b) {
        const self = selfPairs(this.sources[a]!, to, rows)
        if (self === null) continue
        every = self
      } else {
        const any = this.any[p]!
        if (!to.classes.some((k) => any.has(k))) continue
        const all = (this.all[p] ??= allRow(this.sources[a]!.classes, rows, ids.classes.length))
        every = to.classes.every((k) => all.has(k))
      }
      if (e === null) e = { from: a, to: b, ports: [p], all: every }
      else {
        e.ports.push(p)
        e.all &&= every
      }
    }
    return e
  }
}

/** How many more edges may be listed; those past the limit are counted. */
class Budget {
  omitted = 0
  left: number
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

/**
 * Edges between pod nodes and external nodes, both ways, from the regions each selector class may reach: all
 * counted, those of shown pod nodes listed (by pod node; the caller lists what its budget allows).
 */
function externalEdges(input: EdgeInput, per: readonly NodeClasses[], views: readonly PortView[]): { total: number; edges: FoundEdge[] } {
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
      if (shown[a]) edges.push(e)
    }
  })
  return { total, edges }
}
