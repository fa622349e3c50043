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
  const was = new Map(before.edges.map((e) => [e.id, e]))
  const edges: GraphEdge[] = []
  for (const e of after.edges) {
    const old = was.get(e.id)
    if (old === undefined) {
      edges.push({ ...e, change: 'opened' })
      continue
    }
    was.delete(e.id)
    const opened = e.ports && old.ports ? e.ports.filter((p) => !old.ports!.includes(p)) : []
    const closed = e.ports && old.ports ? old.ports.filter((p) => !e.ports!.includes(p)) : []
    if (opened.length || closed.length || !sameEdge(markedSame(old), markedSame(e))) {
      edges.push({ ...e, change: 'same', ...(opened.length ? { portsOpened: opened } : {}), ...(closed.length ? { portsClosed: closed } : {}) })
    }
  }
  for (const e of was.values()) edges.push({ ...e, change: 'closed' })
  const nodeIds = new Set(after.nodes.map((n) => n.id))
  const groupIds = new Set(after.groups.map((g) => g.id))
  // as graphChange merges them: the nodes and groups after, then those only before
  const whatIf = { ...after, nodes: [...after.nodes, ...before.nodes.filter((n) => !nodeIds.has(n.id))], groups: [...after.groups, ...before.groups.filter((g) => !groupIds.has(g.id))] }
  const { omittedEdges: _, ...rest } = whatIf
  return withNodes(before, rest, edges)
}

/** The delta of `edges` with the groups and nodes `whatIf` has beyond `base`. */
function withNodes(base: GraphReport, whatIf: GraphReport, edges: GraphEdge[]): GraphDelta {
  const groups = new Set(base.groups.map((g) => JSON.stringify(g)))
  const nodes = new Map(base.nodes.map((n) => [n.id, JSON.stringify(n)]))
  return {
    level: whatIf.level,
    port: whatIf.port,
    groups: whatIf.groups.filter((g) => !groups.has(JSON.stringify(g))),
    nodes: whatIf.nodes.filter((n) => nodes.get(n.id) !== JSON.stringify(n)),
    edges,
    totals: whatIf.totals,
    ...(whatIf.omittedEdges !== undefined ? { omittedEdges: whatIf.omittedEdges } : {}),
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
  }
}

const markedSame = (e: GraphEdge): GraphEdge => ({ ...e, change: 'same' })

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) => (a === undefined || b === undefined ? a === b : a.length === b.length && a.every((x, i) => x === b[i]))

/** Two edges of one id alike in every field. */
function sameEdge(a: GraphEdge, b: GraphEdge): boolean {
  return a.all === b.all && a.change === b.change && sameList(a.ports, b.ports) && sameList(a.portsOpened, b.portsOpened) && sameList(a.portsClosed, b.portsClosed)
}
