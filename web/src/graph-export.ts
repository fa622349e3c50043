/**
 * The graph as a file: PNG from cytoscape's own renderer; SVG written here from the drawn positions and computed
 * styles (namespace boxes, nodes with their labels, edges with arrowheads), so it matches the screen and opens
 * in any viewer.
 */
import type { Core } from 'cytoscape'

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const f = (n: number) => Math.round(n * 10) / 10

export function graphPng(cy: Core): Blob {
  return cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff' }) as unknown as Blob
}

export function graphSvg(cy: Core): string {
  const bb = cy.elements().boundingBox({})
  const pad = 20
  const x0 = bb.x1 - pad
  const y0 = bb.y1 - pad
  const w = bb.w + 2 * pad
  const h = bb.h + 2 * pad
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${f(x0)} ${f(y0)} ${f(w)} ${f(h)}" width="${f(w)}" height="${f(h)}" font-family="system-ui, 'WenQuanYi Micro Hei', sans-serif">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>',
    `<rect x="${f(x0)}" y="${f(y0)}" width="${f(w)}" height="${f(h)}" fill="#ffffff"/>`,
  ]
  for (const g of cy.nodes('.group')) {
    const b = g.boundingBox({ includeLabels: false, includeOverlays: false })
    out.push(`<g class="group" data-id="${esc(g.id())}"><rect x="${f(b.x1)}" y="${f(b.y1)}" width="${f(b.w)}" height="${f(b.h)}" rx="6" fill="${g.style('background-color')}" stroke="${g.style('border-color')}"/>`,
      `<text x="${f(b.x1 + b.w / 2)}" y="${f(b.y1 - 4)}" text-anchor="middle" font-size="12" font-weight="bold">${esc(String(g.data('label')))}</text></g>`)
  }
  for (const e of cy.edges()) {
    const s = e.source()
    const tg = e.target()
    const colour = e.style('line-color')
    const opacity = Number(e.style('opacity'))
    const dash = e.style('line-style') === 'dashed' ? ' stroke-dasharray="6 4"' : e.style('line-style') === 'dotted' ? ' stroke-dasharray="2 3"' : ''
    const common = `stroke="${colour}" stroke-width="${parseFloat(e.style('width'))}" fill="none" opacity="${opacity}"${dash} marker-end="url(#arrow)"`
    if (s.id() === tg.id()) {
      const p = s.position()
      const r = s.height() / 2
      out.push(`<path class="edge" data-id="${esc(e.id())}" d="M${f(p.x + r)},${f(p.y - r)} c20,-30 40,0 ${f(4)},${f(r + 2)}" ${common}/>`)
      continue
    }
    const a = s.position()
    const b = tg.position()
    const end = clip(b, a, tg.outerWidth() / 2, tg.outerHeight() / 2)
    const start = clip(a, b, s.outerWidth() / 2, s.outerHeight() / 2)
    out.push(`<line class="edge" data-id="${esc(e.id())}" x1="${f(start.x)}" y1="${f(start.y)}" x2="${f(end.x)}" y2="${f(end.y)}" ${common}/>`)
  }
  for (const n of cy.nodes(':childless').not('.group')) {
    const p = n.position()
    const w = n.outerWidth()
    const ht = n.outerHeight()
    const border = n.style('border-style') === 'dashed' ? ' stroke-dasharray="4 3"' : ''
    out.push(`<g class="node" data-id="${esc(n.id())}" opacity="${Number(n.style('opacity'))}"><rect x="${f(p.x - w / 2)}" y="${f(p.y - ht / 2)}" width="${f(w)}" height="${f(ht)}" rx="5" fill="${n.style('background-color')}" stroke="${n.style('border-color')}" stroke-width="${parseFloat(n.style('border-width'))}"${border}/>`,
      `<text x="${f(p.x)}" y="${f(p.y + 4)}" text-anchor="middle" font-size="11">${esc(String(n.data('label')))}</text></g>`)
  }
  out.push('</svg>')
  return out.join('\n')
}

/** The point where the segment from `c` (a box's centre, half sizes hw, hh) towards `o` leaves the box. */
function clip(c: { x: number; y: number }, o: { x: number; y: number }, hw: number, hh: number): { x: number; y: number } {
  const dx = o.x - c.x
  const dy = o.y - c.y
  if (dx === 0 && dy === 0) return c
  const k = Math.min(dx === 0 ? Infinity : hw / Math.abs(dx), dy === 0 ? Infinity : hh / Math.abs(dy))
  return { x: c.x + dx * Math.min(k, 1), y: c.y + dy * Math.min(k, 1) }
}
