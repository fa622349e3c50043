/**
 * The namespace and label filters applied to a what-if graph on the page (/api/whatif takes no filters; /api/graph
 * applies the same ones on the server): namespaced nodes outside the chosen namespaces or without every chosen
 * label go, with their edges; external nodes stay.
 */
import type { GraphReport } from '../../src/web/api.js'
import type { GraphQuery } from './api-client.js'

export function filterGraph(g: GraphReport, q: Pick<GraphQuery, 'namespaces' | 'labels'>): GraphReport {
  if (q.namespaces.length === 0 && q.labels.length === 0) return g
  const wants = q.labels.map((l) => {
    const i = l.indexOf('=')
    return i < 0 ? { key: l, value: undefined } : { key: l.slice(0, i), value: l.slice(i + 1) }
  })
  const keep = new Set(g.nodes.filter((n) => {
    if (n.kind === 'external' || n.namespace === undefined) return true
    if (q.namespaces.length && !q.namespaces.includes(n.namespace)) return false
    return wants.every((w) => (w.value === undefined ? w.key in n.labels : n.labels[w.key] === w.value))
  }).map((n) => n.id))
  return { ...g, nodes: g.nodes.filter((n) => keep.has(n.id)), edges: g.edges.filter((e) => keep.has(e.from) && keep.has(e.to)) }
}
