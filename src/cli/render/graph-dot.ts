/**
 * The graph report as Graphviz DOT (`matrix -o dot`): one cluster per namespace, external nodes outside them,
 * isolation as the node's fill, an edge dashed when only some pod pairs may connect. Every id and label is a
 * double-quoted string, so names that are DOT keywords (`node`, `graph`) or hold `-`, `/`, `.` are safe.
 */
import type { GraphNode, GraphReport } from '../../report/graph-types.js'

/** A DOT quoted string: `"` and `\` escaped, line breaks as `\n`. */
export const dotString = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`

/** Fill colours by isolation; the legend printed in the graph's label says the same. */
export const ISOLATION_COLORS = { none: '#ffffff', ingress: '#fde2c4', egress: '#d7e3fc', both: '#f4cccc' } as const

export function isolationOf(n: GraphNode): keyof typeof ISOLATION_COLORS {
  const i = n.isolated.ingress !== false
  const e = n.isolated.egress !== false
  return i && e ? 'both' : i ? 'ingress' : e ? 'egress' : 'none'
}

/** "isolated: ingress, egress (some pods)" — what the fill stands for, spelt out for the tooltip. */
export function isolationText(n: GraphNode): string {
  const dirs = (['ingress', 'egress'] as const).filter((d) => n.isolated[d] !== false)
  if (dirs.length === 0) return 'not isolated'
  const some = dirs.some((d) => n.isolated[d] === 'some')
  return `isolated: ${dirs.join(', ')}${some ? ' (some pods)' : ''}`
}

export function edgeLabel(e: GraphReport['edges'][number]): string {
  return e.ports ? e.ports.join(', ') : ''
}

export function graphTitle(g: GraphReport): string {
  return `${g.port === 'any' ? 'any port' : `port ${g.port}`}, ${g.level} level: ${g.nodes.length} nodes, ${g.edges.length} edges${g.omittedEdges ? ` (${g.omittedEdges} more not drawn)` : ''}`
}

export function renderDot(g: GraphReport): string {
  const out: string[] = []
  const legend = 'fill: white not isolated, orange ingress isolated, blue egress isolated, red both; dashed edge: only some pod pairs'
  out.push('digraph netpol {')
  out.push(`  graph [rankdir=LR, fontname="Helvetica", labelloc=t, label=${dotString(`${graphTitle(g)}\n${legend}`)}];`)
  out.push('  node [shape=box, style="rounded,filled", fontname="Helvetica", fillcolor="#ffffff"];')
  out.push('  edge [fontname="Helvetica", fontsize=10];')
  const node = (n: GraphNode, indent: string) => {
    const attrs = n.kind === 'external' ? 'shape=ellipse, style=dashed' : `fillcolor=${dotString(ISOLATION_COLORS[isolationOf(n)])}${n.isolated.ingress === 'some' || n.isolated.egress === 'some' ? ', style="rounded,filled,dashed"' : ''}`
    const tip = n.kind === 'external' ? 'external addresses' : `${n.pods.length === 1 ? n.pods[0] : `${n.pods.length} pods`}; ${isolationText(n)}`
    out.push(`${indent}${dotString(n.id)} [label=${dotString(n.label)}, ${attrs}, tooltip=${dotString(tip)}];`)
  }
  for (const grp of g.groups) {
    const inside = g.nodes.filter((n) => n.namespace === grp.namespace && n.kind !== 'namespace')
    if (inside.length === 0) continue
    out.push(`  subgraph ${dotString(`cluster_${grp.namespace}`)} {`)
    out.push(`    label=${dotString(grp.namespace)}; style="rounded"; color="#999999";`)
    for (const n of inside) node(n, '    ')
    out.push('  }')
  }
  // a namespace node is its namespace: drawn as a node, not inside a cluster of itself
  for (const n of g.nodes) if (n.namespace === undefined || n.kind === 'namespace') node(n, '  ')
  for (const e of g.edges) {
    const attrs = [...(e.all ? [] : ['style=dashed']), ...(e.ports ? [`label=${dotString(edgeLabel(e))}`] : []), ...(e.change ? [`color=${dotString(e.change === 'opened' ? '#2e7d32' : e.change === 'closed' ? '#c62828' : '#000000')}`] : [])]
    out.push(`  ${dotString(e.from)} -> ${dotString(e.to)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`)
  }
  out.push('}')
  return out.join('\n') + '\n'
}
