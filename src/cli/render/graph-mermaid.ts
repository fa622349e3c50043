/**
 * The graph report as a Mermaid flowchart (`matrix -o mermaid`, for Markdown that renders it, e.g. GitHub): one
 * subgraph per namespace, isolation as a class (fill), an edge dotted when only some pod pairs may connect.
 * Mermaid ids are plain words (`n0`, `g0`), never the names: a namespace called `end` or a pod called
 * `graph` would otherwise end a block or start a new one. Names go into quoted labels.
 */
import type { GraphNode, GraphReport } from '../../report/graph-types.js'
import { edgeLabel, graphTitle, ISOLATION_COLORS, isolationOf } from './graph-dot.js'

/** A Mermaid quoted label: `"` and `#` as entity codes (Mermaid reads `#...;` as one), no line breaks. */
export const mermaidString = (s: string): string => `"${s.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/\r?\n/g, ' ')}"`

export function renderMermaid(g: GraphReport): string {
  const out: string[] = []
  const id = new Map(g.nodes.map((n, i) => [n.id, `n${i}`]))
  out.push(`%% ${graphTitle(g)}`)
  out.push('%% fill: white not isolated, orange ingress isolated, blue egress isolated, red both; dotted edge: only some pod pairs')
  out.push('flowchart LR')
  const node = (n: GraphNode, indent: string) => out.push(`${indent}${id.get(n.id)}${n.kind === 'external' ? `([${mermaidString(n.label)}])` : `[${mermaidString(n.label)}]`}`)
  g.groups.forEach((grp, i) => {
    const inside = g.nodes.filter((n) => n.namespace === grp.namespace && n.kind !== 'namespace')
    if (inside.length === 0) return
    out.push(`  subgraph g${i}[${mermaidString(grp.namespace)}]`)
    for (const n of inside) node(n, '    ')
    out.push('  end')
  })
  for (const n of g.nodes) if (n.namespace === undefined || n.kind === 'namespace') node(n, '  ')
  for (const e of g.edges) {
    const arrow = e.all ? '-->' : '-.->'
    const label = e.ports ? `|${mermaidString(edgeLabel(e))}|` : ''
    out.push(`  ${id.get(e.from)} ${arrow}${label} ${id.get(e.to)}`)
  }
  for (const [k, color] of Object.entries(ISOLATION_COLORS)) {
    const members = g.nodes.filter((n) => n.kind !== 'external' && isolationOf(n) === k).map((n) => id.get(n.id))
    if (members.length === 0) continue
    out.push(`  classDef iso_${k} fill:${color},stroke:#555555`)
    out.push(`  class ${members.join(',')} iso_${k}`)
  }
  const changed = g.edges.map((e, i) => [e.change, i] as const).filter(([c]) => c === 'opened' || c === 'closed')
  for (const [c, i] of changed) out.push(`  linkStyle ${i} stroke:${c === 'opened' ? '#2e7d32' : '#c62828'}`)
  return out.join('\n') + '\n'
}
