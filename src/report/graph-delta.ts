/**
 * A what-if graph as what differs from the graph the page already holds: on the 10,000-pod cluster the whole
 * what-if graph is 3.6 MB (20,000 edges) for a change that opens or closes a handful, and the page spent seconds
 * receiving, parsing and drawing it anew. `graphDelta(base, whatIf)` keeps what `applyGraphDelta` needs to make
 * `whatIf` again from `base` (pure, no policy logic: the page runs it too).
 */
import type { GraphEdge, GraphGroup, GraphNode, GraphReport } from './graph-types.js'

export interface GraphDelta {
  readonly level: GraphReport['level']
  readonly port: GraphReport['port']
  /** groups the base lacks or labels otherwise */
  readonly groups: readonly GraphGroup[]
  /** nodes the base lacks or describes otherwise */
  readonly nodes: readonly GraphNode[]
  /** edges that are not the base's edge marked "same": opened, closed, or changed in `all` or ports */
  readonly edges: readonly GraphEdge[]
  readonly totals: GraphReport['totals']
  readonly omittedEdges?: number
  /** the namespaces collapsed in the what-if graph (GraphReport.collapsed) */
  readonly collapsed?: readonly string[]
}

/**
 * What `whatIf` (graphChange of `base`'s cluster and the cluster after a change, so every node and edge of `base`
 * is in it) has beyond `base` with its edges marked "same".
 */
export function graphDelta(base: GraphReport, whatIf: GraphReport): GraphDelta {
  const edges = new Map(base.edges.map((e) => [e.id, e]))
  return withNodes(base, whatIf, whatIf.edges.filter((e) => {
    const b = edges.get(e.id)
    return b === undefined || !sameEdge(markedSame(b), e)
  }))
}

/**
 * graphDelta(before, graphChange(before, after)) of two graphs of one level and port, in one pass over the edges
 * (the what-if graph itself, 20,000 edges at 10k pods, is never made).
 */
export function graphChangeDelta(before: GraphReport, after: GraphReport): GraphDelta {
  const { at, seen } = indexOf(before)
  // which edges before have one after (by position); an edge object of both graphs (graphReport hands out the
  // same object for an edge its fold kept) is the same edge without a look
  const hit = new Uint8Array(before.edges.length)
  const edges: GraphEdge[] = []
  for (const e of after.edges) {
    const i = at.get(e.id)
    if (i === undefined) {
      edges.push({ ...e, change: 'opened' })
      continue
    }
    hit[i] = 1
    const old = before.edges[i]!
    if (old === e) continue
    const opened = e.ports && old.ports ? e.ports.filter((p) => !old.ports!.includes(p)) : []
    const closed = e.ports && old.ports ? old.ports.filter((p) => !e.ports!.includes(p)) : []
    if (opened.length || closed.length || !sameFields(old, e)) {
      edges.push({ ...e, change: 'same', ...(opened.length ? { portsOpened: opened } : {}), ...(closed.length ? { portsClosed: closed } : {}) })
    }
  }
  before.edges.forEach((e, i) => hit[i] === 0 && edges.push({ ...e, change: 'closed' }))
  const nodeIds = new Set(after.nodes.map((n) => n.id))
  const groupIds = new Set(after.groups.map((g) => g.id))
  // as graphChange merges them: the nodes and groups after, then those only before
  const whatIf = { ...after, nodes: [...after.nodes, ...before.nodes.filter((n) => !nodeIds.has(n.id))], groups: [...after.groups, ...before.groups.filter((g) => !groupIds.has(g.id))] }
  const { omittedEdges: _, ...rest } = whatIf
  return withNodes(before, rest, edges, seen)
}

/**
 * A graph's edges by id (their positions) and its groups and nodes as JSON, once per graph: the graph before is
 * the one /api/graph cached, compared with every what-if on it.
 */
function indexOf(g: GraphReport): { at: Map<string, number>; seen: Seen } {
  let x = indexes.get(g)
  if (x === undefined) indexes.set(g, (x = { at: new Map(g.edges.map((e, i) => [e.id, i])), seen: seenOf(g) }))
  return x
}
const indexes = new WeakMap<GraphReport, { at: Map<string, number>; seen: Seen }>()

interface Seen {
  readonly groups: Set<string>
  readonly nodes: Map<string, { node: GraphNode; json: string }>
}
const seenOf = (g: GraphReport): Seen => ({ groups: new Set(g.groups.map((x) => JSON.stringify(x))), nodes: new Map(g.nodes.map((n) => [n.id, { node: n, json: JSON.stringify(n) }])) })

/** The delta of `edges` with the groups and nodes `whatIf` has beyond `base` (`seen`: base's, when kept). */
function withNodes(base: GraphReport, whatIf: GraphReport, edges: GraphEdge[], seen: Seen = seenOf(base)): GraphDelta {
  const { groups, nodes } = seen
  return {
    level: whatIf.level,
    port: whatIf.port,
    groups: whatIf.groups.filter((g) => !groups.has(JSON.stringify(g))),
    nodes: whatIf.nodes.filter((n) => {
      const b = nodes.get(n.id)
      return b === undefined || (b.node !== n && b.json !== JSON.stringify(n))
    }),
    edges,
    totals: whatIf.totals,
    ...(whatIf.omittedEdges !== undefined ? { omittedEdges: whatIf.omittedEdges } : {}),
    ...(whatIf.collapsed !== undefined ? { collapsed: whatIf.collapsed } : {}),
  }
}

/** The what-if graph again: `base` with its edges marked "same", the delta's groups, nodes and edges in place. */
export function applyGraphDelta(base: GraphReport, d: GraphDelta): GraphReport {
  const nodes = new Map(d.nodes.map((n) => [n.id, n]))
  const edges = new Map(d.edges.map((e) => [e.id, e]))
  const groups = new Set(base.groups.map((g) => g.id))
  const groupsIn = new Map(d.groups.map((g) => [g.id, g]))
  const baseNodes = new Set(base.nodes.map((n) => n.id))
  const baseEdges = new Set(base.edges.map((e) => e.id))
  return {
    level: d.level,
    port: d.port,
    groups: [...base.groups.map((g) => groupsIn.get(g.id) ?? g), ...d.groups.filter((g) => !groups.has(g.id))],
    nodes: [...base.nodes.map((n) => nodes.get(n.id) ?? n), ...d.nodes.filter((n) => !baseNodes.has(n.id))],
    edges: [...base.edges.map((e) => edges.get(e.id) ?? markedSame(e)), ...d.edges.filter((e) => !baseEdges.has(e.id))],
    totals: d.totals,
    ...(d.omittedEdges !== undefined ? { omittedEdges: d.omittedEdges } : {}),
    ...(d.collapsed !== undefined ? { collapsed: d.collapsed } : {}),
  }
}

const markedSame = (e: GraphEdge): GraphEdge => ({ ...e, change: 'same' })

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) => (a === undefined || b === undefined ? a === b : a.length === b.length && a.every((x, i) => x === b[i]))

/** Two edges of one id alike in every field. */
function sameEdge(a: GraphEdge, b: GraphEdge): boolean {
  return a.change === b.change && sameFields(a, b)
}

/** Two edges of one id alike in every field but `change`. */
function sameFields(a: GraphEdge, b: GraphEdge): boolean {
  return a.all === b.all && sameList(a.ports, b.ports) && sameList(a.portsOpened, b.portsOpened) && sameList(a.portsClosed, b.portsClosed)
}
