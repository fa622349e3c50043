/**
 * The page's graph layout (web/src/graph-layout.ts) in headless cytoscape: random graphs shaped like a cluster
 * (nodes in namespaces of ~12, two edges per node), 100 to 3,000 nodes. Baseline in the same run: cytoscape's own
 * `cose` force layout. Up to 600 nodes the page uses fcose; above, namespaces on shelves.
 *   npx tsx bench/graph-layout-bench.ts
 * (ELK layered with hierarchy, cytoscape-elk 2.3.0 + elkjs 0.12.2, measured once the same way on the 500-node
 * graph: 6.4 s — why the page does not use it.)
 */
/// <reference path="../web/src/modules.d.ts" />
import cytoscape, { type ElementDefinition } from 'cytoscape'
import fcose from 'cytoscape-fcose'
import { FCOSE_MAX, runFcose, shelfPositions } from '../web/src/graph-layout.js'

cytoscape.use(fcose)

function clusterLike(nodes: number, seed = 1): ElementDefinition[] {
  let s = seed
  const rand = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
  const groups = Math.ceil(nodes / 12)
  const els: ElementDefinition[] = []
  for (let g = 0; g < groups; g++) els.push({ data: { id: `ns${g}` } })
  for (let i = 0; i < nodes; i++) els.push({ data: { id: `n${i}`, parent: `ns${i % groups}` } })
  for (let i = 0; i < nodes * 2; i++) els.push({ data: { id: `e${i}`, source: `n${Math.floor(rand() * nodes)}`, target: `n${Math.floor(rand() * nodes)}` } })
  return els
}

const style = [{ selector: 'node', style: { width: 120, height: 22 } }]
const time = async (f: () => Promise<void>) => {
  const t = performance.now()
  await f()
  return performance.now() - t
}

// warm-up: the first layout of a process pays for compiling the layout code
await runFcose(cytoscape({ headless: true, styleEnabled: true, style, elements: clusterLike(100, 2) }))
console.log(`nodes   page layout                 cose (baseline)`)
for (const n of [100, 500, 3000]) {
  const els = clusterLike(n)
  const page = cytoscape({ headless: true, styleEnabled: true, style, elements: els })
  const leaves = els.filter((e) => e.data.parent !== undefined).map((e) => ({ id: e.data.id!, group: e.data.parent as string }))
  const ours = await time(async () => (n <= FCOSE_MAX ? runFcose(page) : void shelfPositions(leaves)))
  let base = '—'
  if (n <= 500) {
    const cy = cytoscape({ headless: true, styleEnabled: true, style, elements: clusterLike(n) })
    base = `${(await time(() => new Promise<void>((done) => cy.layout({ name: 'cose', animate: false, stop: () => done() } as cytoscape.LayoutOptions).run()))).toFixed(0)} ms`
  }
  console.log(`${String(n).padStart(5)}   ${`${ours.toFixed(0)} ms (${n <= FCOSE_MAX ? 'fcose' : 'shelves'})`.padEnd(26)}  ${base}`)
}
