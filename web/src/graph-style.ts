/**
 * How the graph looks: namespaces as boxes, nodes coloured by isolation (legend in legend.ts uses the same
 * colours), allowed connections as arrows; a selected node's outgoing and incoming edges, and a what-if's opened
 * and closed edges, each in their own colour.
 */
import type { StylesheetJson } from 'cytoscape'

export const COLOURS = {
  open: '#eceff1',
  ingress: '#ffcc80',
  egress: '#90caf9',
  both: '#ce93d8',
  external: '#fff59d',
  edge: '#90a4ae',
  out: '#00897b',
  in: '#8e24aa',
  opened: '#2e7d32',
  closed: '#d32f2f',
} as const

export const style: StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'font-size': 11,
      'font-family': 'system-ui, "WenQuanYi Micro Hei", sans-serif',
      'text-valign': 'center',
      'text-halign': 'center',
      shape: 'round-rectangle',
      width: 40,
      height: 22,
      padding: '6px',
      'background-color': COLOURS.open,
      'border-width': 1.5,
      'border-color': '#546e7a',
      // zoomed far out (thousands of nodes fitted to the screen) labels are skipped: unreadable, and costly to draw
      'min-zoomed-font-size': 7,
      'z-index': 1,
    },
  },
  { selector: 'node[w]', style: { width: 'data(w)' } },
  { selector: 'node.iso-ingress', style: { 'background-color': COLOURS.ingress } },
  { selector: 'node.iso-egress', style: { 'background-color': COLOURS.egress } },
  { selector: 'node.iso-both', style: { 'background-color': COLOURS.both } },
  { selector: 'node.iso-some', style: { 'border-style': 'dashed', 'border-width': 2 } },
  { selector: 'node.external', style: { shape: 'cut-rectangle', 'background-color': COLOURS.external } },
  // a collapsed namespace: a click opens it into its classes
  { selector: 'node.collapsed', style: { 'border-style': 'double', 'border-width': 4, 'font-weight': 'bold' } },
  {
    selector: 'node.group',
    style: {
      label: 'data(label)',
      shape: 'round-rectangle',
      'text-valign': 'top',
      'text-halign': 'center',
      'font-weight': 'bold',
      'font-size': 12,
      'background-color': '#f7f9fb',
      'background-opacity': 1,
      'border-color': '#b0bec5',
      'border-width': 1,
      padding: '12px',
      // a namespace box takes no clicks: drawn under the edges that cross it, it would otherwise win the hit test
      // over them (its z-index is the nodes') and a click on such an edge would fall on the box
      events: 'no',
    },
  },
  {
    // a namespace of a large graph: a plain node behind its shelf of nodes, not a compound
    selector: 'node.box',
    style: { width: 'data(bw)', height: 'data(bh)', padding: '0px', 'z-index': 0, events: 'no', 'min-zoomed-font-size': 4 },
  },
  {
    selector: 'edge',
    style: {
      width: 1.5,
      'line-color': COLOURS.edge,
      'target-arrow-color': COLOURS.edge,
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.8,
      'curve-style': 'bezier',
    },
  },
  { selector: 'edge.partial', style: { 'line-style': 'dotted' } },
  { selector: 'edge.same-when-whatif', style: { opacity: 0.3 } },
  { selector: 'edge.opened', style: { width: 3, 'line-color': COLOURS.opened, 'target-arrow-color': COLOURS.opened, 'z-index': 10 } },
  { selector: 'edge.closed', style: { width: 3, 'line-color': COLOURS.closed, 'target-arrow-color': COLOURS.closed, 'line-style': 'dashed', 'z-index': 10 } },
  { selector: 'node.selected', style: { 'border-width': 3, 'border-color': '#263238' } },
  { selector: 'edge.out', style: { width: 2.5, 'line-color': COLOURS.out, 'target-arrow-color': COLOURS.out, 'z-index': 9 } },
  { selector: 'edge.in', style: { width: 2.5, 'line-color': COLOURS.in, 'target-arrow-color': COLOURS.in, 'z-index': 9 } },
  { selector: 'edge.picked', style: { width: 4, 'line-color': '#263238', 'target-arrow-color': '#263238', 'z-index': 11 } },
  { selector: '.faded', style: { opacity: 0.12 } },
  { selector: 'node.group.faded', style: { opacity: 0.35 } },
]
