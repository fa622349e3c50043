/** The legend under the graph: what the node fills, borders and edge colours mean (colours from graph-style.ts). */
import { COLOURS } from './graph-style.js'
import { h } from './dom.js'
import { t, type Key } from './i18n.js'

const swatch = (cls: string, colour: string) => {
  const s = h('span', { class: `swatch ${cls}` })
  s.style.setProperty('--c', colour)
  return s
}

export function renderLegend(): HTMLElement {
  const item = (cls: string, colour: string, key: Key) => h('span', { class: 'item' }, swatch(cls, colour), t(key))
  return h('div', { class: 'legend' },
    item('node', COLOURS.open, 'legend.open'),
    item('node', COLOURS.ingress, 'legend.ingress'),
    item('node', COLOURS.egress, 'legend.egress'),
    item('node', COLOURS.both, 'legend.both'),
    item('node dashed', '#ffffff', 'legend.some'),
    item('node', COLOURS.external, 'legend.external'),
    item('edge', COLOURS.edge, 'legend.edge'),
    item('edge dotted', COLOURS.edge, 'legend.partial'),
    item('edge', COLOURS.out, 'legend.out'),
    item('edge', COLOURS.in, 'legend.in'),
    item('edge', COLOURS.opened, 'legend.opened'),
    item('edge dashed', COLOURS.closed, 'legend.closed'),
  )
}
