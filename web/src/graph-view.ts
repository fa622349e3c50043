/**
 * The graph: a GraphReport drawn with cytoscape. Updates happen in place (elements diffed by id), so positions
 * survive a port change, a what-if and a live change; only a graph whose nodes are mostly new is laid out again.
 * Above EDGE_LIMIT edges only the selected node's edges (and a what-if's changed ones) are drawn.
 */
import cytoscape, { type Core, type ElementDefinition, type NodeSingular } from 'cytoscape'
import fcose from 'cytoscape-fcose'
import type { GraphEdge, GraphNode, GraphReport } from '../../src/web/api.js'
import { runLayout } from './graph-layout.js'
import { style } from './graph-style.js'

cytoscape.use(fcose)

export const EDGE_LIMIT = 4000

export interface GraphHandlers {
  onNode(node: GraphNode): void
  onEdge(edge: GraphEdge): void
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

function isoClass(n: GraphNode): string {
  const { ingress, egress } = n.isolated
  const cls = [n.kind === 'external' ? 'external' : '']
  if (ingress !== false && egress !== false) cls.push('iso-both')
  else if (ingress !== false) cls.push('iso-ingress')
  else if (egress !== false) cls.push('iso-egress')
  if (ingress === 'some' || egress === 'some') cls.push('iso-some')
  return cls.filter(Boolean).join(' ')
}

const groupId = (namespace: string) => `group:${namespace}`

export function createGraphView(container: HTMLElement, handlers: GraphHandlers): GraphView {
  const cy = cytoscape({ container, style, layout: { name: 'preset' }, minZoom: 0.05, maxZoom: 4, boxSelectionEnabled: false })
  let report: GraphReport | null = null
  let nodes = new Map<string, GraphNode>()
  let edges = new Map<string, GraphEdge>()
  let selected: string | null = null
  let picked: string | null = null
  let limited = false

  cy.on('tap', 'node', (e) => {
    const n = e.target as NodeSingular
    if (n.hasClass('group')) return
    const gn = nodes.get(n.id())
    if (gn) handlers.onNode(gn)
  })
  cy.on('tap', 'edge', (e) => {
    const ge = edges.get(e.target.id())
    if (ge) handlers.onEdge(ge)
  })
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
      cy.elements().removeClass('faded selected out in picked')
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
      if (picked !== null) cy.getElementById(picked).removeClass('faded').addClass('picked')
    })
  }

  return {
    cy,
    async show(next, opts = {}) {
      const before = new Set(cy.nodes().map((n) => n.id()))
      report = next
      nodes = new Map(next.nodes.map((n) => [n.id, n]))
      edges = new Map(next.edges.map((e) => [e.id, e]))
      if (selected !== null && !nodes.has(selected)) selected = null
      if (picked !== null && !edges.has(picked)) picked = null
      const groups = new Set(next.nodes.filter((n) => n.namespace !== undefined && n.kind !== 'namespace').map((n) => n.namespace!))
      const fresh = next.nodes.filter((n) => !before.has(n.id)).length
      const relayout = opts.relayout === true || fresh > next.nodes.length / 2
      cy.batch(() => {
        cy.nodes().forEach((el) => {
          if (el.hasClass('group') ? !groups.has(el.data('label')) : !nodes.has(el.id())) el.remove()
        })
        const add: ElementDefinition[] = []
        for (const g of groups) if (cy.getElementById(groupId(g)).empty()) add.push({ group: 'nodes', data: { id: groupId(g), label: g }, classes: 'group' })
        cy.add(add)
        const addNodes: ElementDefinition[] = []
        for (const n of next.nodes) {
          const parent = n.namespace !== undefined && n.kind !== 'namespace' ? groupId(n.namespace) : undefined
          const el = cy.getElementById(n.id)
          if (el.nonempty()) {
            el.data({ label: n.label, pods: n.pods })
            el.classes(isoClass(n))
            continue
          }
          // a node new to a kept drawing starts beside the other nodes of its namespace
          const near = parent && !relayout ? cy.getElementById(parent).children().first() : null
          const pos = near && near.nonempty() ? { x: near.position('x') + 30 + Math.random() * 40, y: near.position('y') + 40 + Math.random() * 40 } : undefined
          addNodes.push({ group: 'nodes', data: { id: n.id, label: n.label, pods: n.pods, ...(parent ? { parent } : {}) }, classes: isoClass(n), ...(pos ? { position: pos } : {}) })
        }
        cy.add(addNodes)
      })
      syncEdges()
      highlight()
      if (relayout) await runLayout(cy)
      await new Promise((r) => requestAnimationFrame(() => r(undefined)))
    },
    select(id) {
      selected = id
      if (limited) syncEdges()
      highlight()
    },
    pickEdge(id) {
      picked = id
      highlight()
    },
    node: (id) => nodes.get(id),
    hiddenEdges: () => (report ? report.edges.length - cy.edges().length : 0),
  }
}
