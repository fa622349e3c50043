/**
 * The what-if of bench/serve-bench.ts in one process, without HTTP: the generated 10k-pod / 10k-policy cluster
 * read as `netpol serve -f` reads it, the graph the page opens on prepared, then one policy edited (every ingress
 * rule removed) on 8080/TCP, `--runs` times: the whole answer (whatIf, then JSON.stringify), and its parts (the
 * diff, the graph after the change, the graph's changes as the page asks for them). Baselines in the same run:
 * the same answer with the export YAML (`export: true`), which every answer carried before it became on demand;
 * the graph after with its edges folded whole, against only the node pairs the change flips.
 *
 *   npx tsx bench/whatif-timing.ts [--pods 10000 --namespaces 200 --policies 10000 --seed 1 --runs 3]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { stringify } from 'yaml'
import { generateCluster, renderCluster } from './generate-cluster.js'
import { CLUSTER_SIZE_OPTIONS, clusterBase, clusterSize } from './cluster-size.js'
import { loadManifests } from '../src/io/load-manifests.js'
import { formatRef } from '../src/model/policy.js'
import { fixedInput } from '../src/web/server/serve-input.js'
import { policyTexts } from '../src/web/server/policy-texts.js'
import { applyChanges, whatIf } from '../src/web/server/whatif.js'
import { defaultLevel, diffBaseOf, diffOf, graphChangeDeltaOf, graphChangeOf, graphOf, graphOptionsOf, prepareDefaultGraph } from '../src/web/server/reports.js'
import { graphReport, ipBlocksOf } from '../src/report/graph-report.js'
import { indexCluster } from '../src/engine/cluster-index.js'

const { values } = parseArgs({ options: { ...CLUSTER_SIZE_OPTIONS, runs: { type: 'string', default: '3' } } })
const size = clusterSize(values)
const base = clusterBase(size)
mkdirSync('bench/out', { recursive: true })
if (!existsSync(`${base}.json`)) writeFileSync(`${base}.json`, renderCluster(generateCluster(size), 'json'))
const r = await loadManifests([`${base}.json`], { keepText: true })
const s = fixedInput('bench', { cluster: r.cluster, texts: r.texts, objects: [], issues: [], notes: [] }).current()
prepareDefaultGraph(s)

const texts = policyTexts(s)
const target = s.cluster.policies.find((p) => (p.ingress ?? []).length > 0 && texts.has(formatRef(p)))!
const doc = JSON.parse(texts.get(formatRef(target))!.yaml)
doc.spec.ingress = []
const change = { op: 'edit' as const, policy: formatRef(target), yaml: stringify(doc) }
const o = graphOptionsOf(s, { port: '8080/TCP', level: 'auto' })
if (!o.ok) throw new Error(o.error)

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const time = async (f: () => unknown | Promise<unknown>) => {
  const t = performance.now()
  const v = await f()
  return { ms: performance.now() - t, v }
}
const rows: Record<string, number[]> = {}
const add = (k: string, ms: number) => (rows[k] ??= []).push(ms)
let bytes = { plain: 0, exported: 0 }
for (let i = 0; i < Number(values.runs); i++) {
  for (const exported of [true, false]) {
    const a = await time(async () => JSON.stringify(((await whatIf(s, { changes: [change], port: '8080/TCP', ...(exported ? { export: true } : {}) })) as { body: unknown }).body))
    add(exported ? 'whatif (with export YAML: the baseline)' : 'whatif', a.ms)
    bytes[exported ? 'exported' : 'plain'] = (a.v as string).length
  }
  const applied = await applyChanges(s, [change])
  if (!applied.ok) throw new Error(JSON.stringify(applied.errors))
  add('  of which: the diff', (await time(() => diffOf(s, applied.after, o.value.port))).ms)
  add('  of which: the graph after the change', (await time(() => graphChangeOf(s, applied.after, o.value))).ms)
  add('  the graph\'s changes as the page asks', (await time(() => graphChangeDeltaOf(s, applied.after, o.value))).ms)
  // the graph after alone, its edges folded whole (the baseline) and only where the change flips class pairs
  const sides = diffBaseOf(s).after(diffBaseOf(s).classes(s.cluster.pods, 4), applied.after, indexCluster(applied.after), applied.after.pods).sides
  const same = { ...o.value, level: defaultLevel(s) }
  const before = graphOf(s, o.value)
  add('  the graph after, edges folded whole', (await time(() => graphReport(applied.after, same, sides.index, ipBlocksOf(s.cluster.policies), sides))).ms)
  add('  the graph after, changed pairs folded', (await time(() => graphReport(applied.after, same, sides.index, ipBlocksOf(s.cluster.policies), sides, before))).ms)
  add('  the export YAML', (await time(() => applied.yaml())).ms)
}
console.log(`cluster: ${size.pods} pods, ${size.policies} policies; what-if: ${change.policy} with no ingress rule left, 8080/TCP; Node ${process.version}`)
for (const [k, xs] of Object.entries(rows)) console.log(`${k.padEnd(42)} median ${median(xs).toFixed(0).padStart(5)} ms  (${xs.map((x) => x.toFixed(0)).join(', ')})`)
console.log(`answer: ${(bytes.plain / 1e6).toFixed(1)} MB (with export YAML ${(bytes.exported / 1e6).toFixed(1)} MB)`)
