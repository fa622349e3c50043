/**
 * Where nodes go. Up to FCOSE_MAX nodes: fcose, a force layout that keeps compound nodes (namespaces) as boxes;
 * measured against ELK layered on 500 nodes in 42 namespaces with 1,000 edges: fcose 0.5 s, ELK 6.4 s (see
 * bench/graph-layout-bench.ts and the README). Larger graphs (a 10,000-pod cluster at class level): namespaces
 * packed on shelves, each namespace's nodes in a grid — milliseconds, and legible because above the edge limit
 * only the selected node's edges are drawn.
 */
import type { Core, LayoutOptions } from 'cytoscape'

export const FCOSE_MAX = 600

export function runLayout(cy: Core): Promise<void> {
  const leaves = cy.nodes().filter((n) => !n.isParent())
  if (leaves.length <= FCOSE_MAX) {
    const opts = {
      name: 'fcose',
      quality: leaves.length > 200 ? 'draft' : 'default',
      randomize: true,
      animate: false,
      nodeDimensionsIncludeLabels: true,
      nodeRepulsion: 6000,
      idealEdgeLength: 70,
      nestingFactor: 0.1,
      packComponents: true,
      tile: true,
      fit: true,
      padding: 20,
    } as unknown as LayoutOptions
    return new Promise((done) => {
      const l = cy.layout(opts)
      l.one('layoutstop', () => {
        // a handful of nodes fitted to the screen would be drawn huge
        if (cy.zoom() > 1.25) {
          cy.zoom(1.25)
          cy.center()
        }
        done()
      })
      l.run()
    })
  }
  shelves(cy)
  cy.fit(undefined, 20)
  return Promise.resolve()
}

/** Namespaces as grids of nodes, the grids packed left to right in rows about as wide as tall overall. */
function shelves(cy: Core): void {
  const byParent = new Map<string, { id: string; w: number; h: number }[]>()
  const cell = { w: 170, h: 40 }
  for (const n of cy.nodes()) {
    if (n.isParent()) continue
    const p = n.data('parent') ?? ''
    const list = byParent.get(p) ?? []
    list.push({ id: n.id(), w: cell.w, h: cell.h })
    byParent.set(p, list)
  }
  const boxes = [...byParent.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([parent, nodes]) => {
    const cols = Math.max(1, Math.ceil(Math.sqrt(nodes.length)))
    return { parent, nodes, cols, w: cols * cell.w + 40, h: Math.ceil(nodes.length / cols) * cell.h + 60 }
  })
  const area = boxes.reduce((s, b) => s + b.w * b.h, 0)
  const rowWidth = Math.max(Math.sqrt(area) * 1.4, ...boxes.map((b) => b.w))
  let x = 0
  let y = 0
  let rowH = 0
  cy.batch(() => {
    for (const b of boxes) {
      if (x > 0 && x + b.w > rowWidth) {
        x = 0
        y += rowH
        rowH = 0
      }
      b.nodes.forEach((n, i) => {
        cy.getElementById(n.id).position({ x: x + 20 + (i % b.cols) * cell.w + cell.w / 2, y: y + 40 + Math.floor(i / b.cols) * cell.h })
      })
      x += b.w
      rowH = Math.max(rowH, b.h)
    }
  })
}
