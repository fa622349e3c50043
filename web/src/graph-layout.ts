/**
 * Where nodes go. Up to FCOSE_MAX nodes: fcose, a force layout that keeps compound nodes (namespaces) as boxes;
 * measured against ELK layered on 500 nodes in 42 namespaces with 1,000 edges: fcose 0.5 s, ELK 6.4 s (see
 * bench/graph-layout-bench.ts and the README). Larger graphs (a 10,000-pod cluster at class level): namespaces
 * packed on shelves, each namespace's nodes in a grid, computed before the nodes are added (no layout pass) —
 * legible because above the edge limit only the selected node's edges are drawn.
 */
import type { Core, LayoutOptions } from 'cytoscape'

export const FCOSE_MAX = 600

export function runFcose(cy: Core): Promise<void> {
  const leaves = cy.nodes().filter((n) => !n.isParent()).length
  const opts = {
    name: 'fcose',
    quality: leaves > 200 ? 'draft' : 'default',
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

export interface Box { x1: number; y1: number; x2: number; y2: number }

const CELL = { w: 180, h: 44 }

/**
 * Shelf packing, pure: each group's nodes in a near-square grid, the groups left to right in rows, the rows about
 * 1.4 times as wide as the whole is tall. Returns each node's position and the box around everything.
 */
export interface Shelves {
  readonly positions: Map<string, { x: number; y: number }>
  /** each group's box: centre and size */
  readonly groups: Map<string, { x: number; y: number; w: number; h: number }>
  readonly box: Box
}

export function shelfPositions(nodes: readonly { id: string; group: string }[]): Shelves {
  const byGroup = new Map<string, string[]>()
  for (const n of nodes) byGroup.set(n.group, [...(byGroup.get(n.group) ?? []), n.id])
  const boxes = [...byGroup.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([group, ids]) => {
    const cols = Math.max(1, Math.ceil(Math.sqrt(ids.length)))
    return { group, ids, cols, w: cols * CELL.w + 40, h: Math.ceil(ids.length / cols) * CELL.h + 60 }
  })
  const area = boxes.reduce((s, b) => s + b.w * b.h, 0)
  const rowWidth = Math.max(Math.sqrt(area) * 1.4, ...boxes.map((b) => b.w))
  const positions = new Map<string, { x: number; y: number }>()
  const groups = new Map<string, { x: number; y: number; w: number; h: number }>()
  let x = 0
  let y = 0
  let rowH = 0
  let width = 0
  for (const b of boxes) {
    if (x > 0 && x + b.w > rowWidth) {
      x = 0
      y += rowH
      rowH = 0
    }
    b.ids.forEach((id, i) => positions.set(id, { x: x + 20 + (i % b.cols) * CELL.w + CELL.w / 2, y: y + 40 + Math.floor(i / b.cols) * CELL.h }))
    groups.set(b.group, { x: x + (b.w - 10) / 2, y: y + 10 + (b.h - 30) / 2, w: b.w - 10, h: b.h - 30 })
    x += b.w
    width = Math.max(width, x)
    rowH = Math.max(rowH, b.h)
  }
  return { positions, groups, box: { x1: 0, y1: 0, x2: width, y2: y + rowH } }
}

/** cy.fit for a box known beforehand: no bounding boxes computed over thousands of elements. */
export function fitBox(cy: Core, box: Box, padding = 20): void {
  const w = cy.width() - 2 * padding
  const h = cy.height() - 2 * padding
  const zoom = Math.min(1.25, w / Math.max(1, box.x2 - box.x1), h / Math.max(1, box.y2 - box.y1))
  cy.viewport({ zoom, pan: { x: padding - box.x1 * zoom + (w - (box.x2 - box.x1) * zoom) / 2, y: padding - box.y1 * zoom } })
}
