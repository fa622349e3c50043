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
  /** groups the base lacks */
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
  const groups = new Set(base.groups.map((g) => JSON.stringify(g)))
  const nodes = new Map(base.nodes.map((n) => [n.id, JSON.stringify(n)]))
  const edges = new Map(base.edges.map((e) => [e.id, e]))
  return {
    level: whatIf.level,
    port: whatIf.port,
    groups: whatIf.groups.filter((g) => !groups.has(JSON.stringify(g))),
    nodes: whatIf.nodes.filter((n) => nodes.get(n.id) !== JSON.stringify(n)),
    edges: whatIf.edges.filter((e) => {
      const b = edges.get(e.id)
      return b === undefined || !sameEdge(markedSame(b), e)
    }),
    totals: whatIf.totals,
    ...(whatIf.omittedEdges !== undefined ? { omittedEdges: whatIf.omittedEdges } : {}),
  }
}

/** The what-if graph again: `base` with its edges marked "same", the delta's nodes, groups and edges in place. */
export function applyGraphDelta(base: GraphReport, d: GraphDelta): GraphReport {
  const nodes = new Map(d.nodes.map((n) => [n.id, n]))
  const edges = new Map(d.edges.map((e) => [e.id, e]))
  const groups = new Set(base.groups.map((g) => g.id))
  const baseNodes = new Set(base.nodes.map((n) => n.id))
  const baseEdges = new Set(base.edges.map((e) => e.id))
  return {
    level: d.level,
    port: d.port,
    groups: [...base.groups, ...d.groups.filter((g) => !groups.has(g.id))],
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
