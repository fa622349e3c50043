/**
 * The graph: a GraphReport drawn with cytoscape. Updates happen in place (elements diffed by id), so positions
 * survive a port change, a what-if and a live change; only a graph whose nodes are mostly new is laid out again.
 * Above EDGE_LIMIT edges only the selected node's edges (and a what-if's changed ones) are drawn. A collapsed namespace (GraphReport.collapsed) is a node marked "▸"; when it opens, its
 * classes start where it was and the layout settles around them (the other nodes move little).
 */
import cytoscape, { type Core, type ElementDefinition, type NodeSingular } from 'cytoscape'
import fcose from 'cytoscape-fcose'
import type { GraphEdge, GraphNode, GraphReport } from '../../src/web/api.js'
import { interceptEdgeClicks } from './edge-clicks.js'
import { FCOSE_MAX, fitBox, runFcose, shelfPositions } from './graph-layout.js'
import { hasOtherExternal, nodeLabel } from './node-label.js'
import { style } from './graph-style.js'

cytoscape.use(fcose)

export const EDGE_LIMIT = 4000
/** up to this many nodes, opening or closing a namespace lays the graph out anew */
const SMALL = 100

export interface GraphHandlers {
  onNode(node: GraphNode): void
  onEdge(edge: GraphEdge): void
  /** the pointer went down on an edge: a tap on it may follow (the page asks its question already) */
  onEdgeDown?(edge: GraphEdge): void
  onBackground(): void
}

export interface GraphView {
  readonly cy: Core
  /** Draws a report; resolves once laid out and painted. */
  show(report: GraphReport, opts?: { relayout?: boolean }): Promise<void>
  select(nodeId: string | null): void
  pickEdge(edgeId: string | null): void
  node(id: string): GraphNode | undefined
  /** edges the report has but the drawing leaves out (above EDGE_LIMIT) */
  hiddenEdges(): number
}

function isoClass(n: GraphNode, collapsed: ReadonlySet<string>): string {
  const { ingress, egress } = n.isolated
  const cls = [n.kind === 'external' ? 'external' : '', n.kind === 'namespace' && collapsed.has(n.id) ? 'collapsed' : '']
  if (ingress !== false && egress !== false) cls.push('iso-both')
  else if (ingress !== false) cls.push('iso-ingress')
  else if (egress !== false) cls.push('iso-egress')
  if (ingress === 'some' || egress === 'some') cls.push('iso-some')
  return cls.filter(Boolean).join(' ')
}

const groupId = (namespace: string) => `group:${namespace}`

const CELL = { w: 230, h: 64 }

/** The grid of `count` nodes: near-square, a cell each; its width and height. */
function gridSize(count: number): { cols: number; rows: number; w: number; h: number } {
  const cols = Math.max(1, Math.ceil(Math.sqrt(count)))
  const rows = Math.ceil(count / cols)
  return { cols, rows, w: cols * CELL.w, h: rows * CELL.h }
}

/** The k-th of `count` nodes arriving where nodes of their namespace left (their centre `c`): a grid around it. */
function gridAround(c: { x: number; y: number; n: number }, count: number, k: number): { x: number; y: number } {
  const { cols, rows } = gridSize(count)
  return { x: c.x / c.n + ((k % cols) - (cols - 1) / 2) * CELL.w, y: c.y / c.n + (Math.floor(k / cols) - (rows - 1) / 2) * CELL.h }
}

const MAX_LABEL = 26
/** A label cut to fit its node, and the node's width for it (computed once here: a style function per node is slow). */
function labelData(label: string): { label: string; w: number } {
  const short = label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 1)}…` : label
  return { label: short, w: 16 + 6.6 * short.length }
}

export function createGraphView(container: HTMLElement, handlers: GraphHandlers): GraphView {
  const cy = cytoscape({ container, style, layout: { name: 'preset' }, autounselectify: true, minZoom: 0.05, maxZoom: 4, boxSelectionEnabled: false })
  let report: GraphReport | null = null
  let nodes = new Map<string, GraphNode>()
  let edges = new Map<string, GraphEdge>()
  let selected: string | null = null
  let picked: string | null = null
  let limited = false
  let mode: 'compound' | 'boxes' = 'compound'
  let collapsed: ReadonlySet<string> = new Set()
  /** the label drawn for a node: a collapsed namespace's says it opens */
  const labelOf = (n: GraphNode, others: boolean) => labelData(`${n.kind === 'namespace' && collapsed.has(n.id) ? '▸ ' : ''}${nodeLabel(n, others)}`)

  cy.on('tap', 'node', (e) => {
    const n = e.target as NodeSingular
    if (n.hasClass('group')) return
    const gn = nodes.get(n.id())
    if (gn) handlers.onNode(gn)
  })
  const edgeDown = (id: string, time: number) => {
    performance.mark('netpol:edge-pressed', { startTime: time })
    const ge = edges.get(id)
    if (ge) handlers.onEdgeDown?.(ge)
  }
  const edgeTap = (id: string) => {
    performance.mark('netpol:edge-tapped')
    const ge = edges.get(id)
    if (ge) handlers.onEdge(ge)
  }
  // mouse clicks on edges skip cytoscape (its redraws on press and release held the explanation); touch taps come here
  interceptEdgeClicks(cy, container, { down: edgeDown, click: edgeTap })
  cy.on('tapstart', 'edge', (e) => edgeDown(e.target.id(), e.originalEvent?.timeStamp ?? performance.now()))
  cy.on('tap', 'edge', (e) => edgeTap(e.target.id()))
  cy.on('tap', (e) => {
    if (e.target === cy) handlers.onBackground()
  })

  function edgeDef(e: GraphEdge): ElementDefinition {
    const cls = [e.all ? '' : 'partial', e.change === 'same' ? 'same-when-whatif' : (e.change ?? '')].filter(Boolean).join(' ')
    return { group: 'edges', data: { id: e.id, source: e.from, target: e.to }, classes: cls }
  }

  /** Which edges to draw: all of them, or past the limit the selected node's and the changed ones. */
  function drawnEdges(): GraphEdge[] {
    const all = [...edges.values()]
    limited = all.length > EDGE_LIMIT
    if (!limited) return all
    return all.filter((e) => (e.change !== undefined && e.change !== 'same') || (selected !== null && (e.from === selected || e.to === selected))).slice(0, EDGE_LIMIT)
  }

  function syncEdges(): void {
    const want = new Map(drawnEdges().map((e) => [e.id, e]))
    cy.batch(() => {
      cy.edges().forEach((el) => {
        if (!want.has(el.id())) el.remove()
      })
      const add: ElementDefinition[] = []
      for (const [id, e] of want) {
        const el = cy.getElementById(id)
        const def = edgeDef(e)
        if (el.nonempty()) el.classes(def.classes as string)
        else add.push(def)
      }
      cy.add(add)
    })
  }

  function highlight(): void {
    cy.batch(() => {
      // only the elements marked now: touching every element costs a style pass over thousands
      cy.elements('.faded, .selected, .out, .in, .picked').removeClass('faded selected out in picked')
      if (picked !== null) cy.getElementById(picked).addClass('picked')
      if (selected === null) return
      const n = cy.getElementById(selected)
      if (n.empty()) return
      cy.elements().addClass('faded')
      n.removeClass('faded').addClass('selected')
      const out = n.outgoers('edge')
      const inc = n.incomers('edge')
      out.removeClass('faded').addClass('out')
      inc.removeClass('faded').addClass('in')
      const near = out.targets().union(inc.sources()).union(n)
      near.removeClass('faded')
      near.parents().removeClass('faded')
      cy.nodes('.box').removeClass('faded')
      if (picked !== null) cy.getElementById(picked).removeClass('faded').addClass('picked')
    })
  }

  return {
    cy,
    async show(next, opts = {}) {
      const before = new Set(cy.nodes().map((n) => n.id()))
      report = next
      collapsed = new Set(next.collapsed ?? [])
      nodes = new Map(next.nodes.map((n) => [n.id, n]))
      // where each namespace's nodes that leave the drawing were (a namespace opened or closed): its arriving
      // nodes start there, on a grid, with the external nodes that arrive with them
      const left = new Map<string, { x: number; y: number; n: number; placed: number }>()
      cy.nodes().forEach((el) => {
        const ns = el.data('ns') as string | undefined
        if (ns === undefined || nodes.has(el.id())) return
        const p = el.position()
        const c = left.get(ns) ?? { x: 0, y: 0, n: 0, placed: 0 }
        left.set(ns, { x: c.x + p.x, y: c.y + p.y, n: c.n + 1, placed: 0 })
      })
      edges = new Map(next.edges.map((e) => [e.id, e]))
      if (selected !== null && !nodes.has(selected)) selected = null
      if (picked !== null && !edges.has(picked)) picked = null
      const groups = new Set(next.nodes.filter((n) => n.namespace !== undefined && n.kind !== 'namespace').map((n) => n.namespace!))
      // small graphs: namespaces are compound nodes that fcose lays out; large ones: namespaces are plain boxes
      // drawn behind shelves of nodes (cytoscape's compound bookkeeping costs seconds at thousands of nodes)
      const nextMode = next.nodes.length > FCOSE_MAX ? 'boxes' : 'compound'
      if (nextMode !== mode) {
        cy.elements().remove()
        before.clear()
        mode = nextMode
      }
      const others = hasOtherExternal(next.nodes)
      const fresh = next.nodes.filter((n) => !before.has(n.id)).length
      // a namespace opened: its classes (and the external nodes they reach) arrive where it was, the others make
      // room; a small graph is laid out anew (in milliseconds, and tidier than room made)
      const opened = next.nodes.find((n) => n.namespace !== undefined && !before.has(n.id) && left.has(n.namespace))?.namespace
      const relayout = opts.relayout === true || (opened === undefined ? fresh > next.nodes.length / 2 : next.nodes.length <= SMALL)
      const shelves = relayout && mode === 'boxes' ? shelfPositions(next.nodes.map((n) => ({ id: n.id, group: n.namespace ?? '' }))) : null
      // per namespace, how many of its nodes arrive (external nodes arrive with the first namespace opened)
      const arriving = new Map<string, number>()
      const anchor = relayout ? undefined : opened
      const homeOf = (n: GraphNode) => n.namespace ?? anchor
      for (const n of next.nodes) {
        const ns = homeOf(n)
        if (ns !== undefined && !before.has(n.id)) arriving.set(ns, (arriving.get(ns) ?? 0) + 1)
      }
      const gaps = relayout ? [] : [...left].flatMap(([ns, c]) => ((arriving.get(ns) ?? 0) > 1 ? [{ c: { x: c.x / c.n, y: c.y / c.n }, ...gridSize(arriving.get(ns)!) }] : []))
      cy.batch(() => {
        cy.nodes().forEach((el) => {
          if (el.hasClass('group') ? !groups.has(el.data('label')) || shelves !== null : !nodes.has(el.id())) el.remove()
        })
        // room for an opened namespace: the nodes around it move away from its centre by half its grid each way
        for (const g of gaps) {
          cy.nodes().forEach((el) => {
            if (el.isParent()) return
            const p = el.position()
            el.position({ x: p.x + (p.x >= g.c.x ? g.w / 2 : -g.w / 2), y: p.y + (p.y >= g.c.y ? g.h / 2 : -g.h / 2) })
          })
        }
        const add: ElementDefinition[] = []
        for (const g of groups) {
          if (mode === 'compound' && !before.has(groupId(g))) add.push({ group: 'nodes', data: { id: groupId(g), label: g }, classes: 'group' })
          const b = shelves?.groups.get(g)
          if (b) add.push({ group: 'nodes', data: { id: groupId(g), label: g, bw: b.w, bh: b.h }, position: { x: b.x, y: b.y }, classes: 'group box', grabbable: false, selectable: false })
        }
        cy.add(add)
        const addNodes: ElementDefinition[] = []
        for (const n of next.nodes) {
          const parent = mode === 'compound' && n.namespace !== undefined && n.kind !== 'namespace' ? groupId(n.namespace) : undefined
          if (before.has(n.id)) {
            const el = cy.getElementById(n.id)
            const d = labelOf(n, others)
            if (el.data('label') !== d.label) el.data(d)
            el.data('pods', n.pods)
            const cls = isoClass(n, collapsed)
            if (el.classes().join(' ') !== cls) el.classes(cls)
            continue
          }
          // a node new to a kept drawing starts beside the other nodes of its namespace
          const box = n.namespace !== undefined && !relayout ? cy.getElementById(groupId(n.namespace)) : null
          const near = box && box.nonempty() ? (mode === 'compound' ? box.children().first() : box) : null
          const home = homeOf(n)
          const from = home !== undefined && !relayout ? left.get(home) : undefined
          const pos = shelves ? shelves.positions.get(n.id) : from ? gridAround(from, arriving.get(home!)!, from.placed++) : near && near.nonempty() ? { x: near.position('x') + 30 + Math.random() * 40, y: near.position('y') + 20 + Math.random() * 40 } : undefined
          addNodes.push({ group: 'nodes', data: { id: n.id, ...labelOf(n, others), pods: n.pods, ...(n.namespace !== undefined ? { ns: n.namespace } : {}), ...(parent ? { parent } : {}) }, classes: isoClass(n, collapsed), ...(pos ? { position: pos } : {}) })
        }
        cy.add(addNodes)
      })
      performance.mark('netpol:graph-added')
      syncEdges()
      highlight()
      if (shelves) {
        // the new nodes were added at their places; the kept ones move there
        cy.batch(() => {
          for (const id of before) {
            const p = shelves.positions.get(id)
            if (p) cy.getElementById(id).position(p)
          }
        })
        fitBox(cy, shelves.box)
      } else if (relayout) await runFcose(cy)
      else if (gaps.length > 0) {
        // the opened namespace in the middle of the view, zoomed out if it would not fit
        const g = gaps[0]!
        const zoom = Math.min(cy.zoom(), (0.9 * cy.width()) / g.w, (0.9 * cy.height()) / g.h)
        cy.viewport({ zoom, pan: { x: cy.width() / 2 - g.c.x * zoom, y: cy.height() / 2 - g.c.y * zoom } })
      }
      performance.mark('netpol:graph-laid-out')
      await new Promise((r) => requestAnimationFrame(() => r(undefined)))
    },
    select(id) {
      selected = id
      if (limited) syncEdges()
      highlight()
    },
    pickEdge(id) {
      // the same edge again: nothing to restyle or redraw
      if (id === picked && (id === null || cy.getElementById(id).hasClass('picked'))) return
      // only the two edges change: a whole highlight pass restyles every element (~0.1 s at 200 nodes)
      if (picked !== null) cy.getElementById(picked).removeClass('picked')
      picked = id
      if (id !== null) cy.getElementById(id).removeClass('faded').addClass('picked')
    },
    node: (id) => nodes.get(id),
    hiddenEdges: () => (report ? report.edges.length - cy.edges().length : 0),
  }
}
