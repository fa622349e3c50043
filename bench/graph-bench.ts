/**
 * Graph report benchmark: `graphReport` in process on a generated cluster (10k pods / 10k policies by default)
 * for one port at namespace level, at class level shown for one namespace, and at the level "auto" picks; with
 * "any" port at namespace level. In the same run, the baselines: class rows by asking `allowed()` of every class
 * pair (what ClassMatrix.rows did before), and the namespace graph pod pair by pod pair with the engine, timed
 * on a sample and extrapolated. The goal: one port at class and namespace level ≤ 1 s.
 *
 *   npx tsx bench/graph-bench.ts [--pods 10000 --namespaces 200 --policies 10000 --seed 1 --sample 20000 --rounds 3]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { generateCluster, renderCluster } from './generate-cluster.js'
import { loadManifests } from '../src/io/load-manifests.js'
import { indexCluster } from '../src/engine/cluster-index.js'
import { evaluateFlow } from '../src/engine/evaluate.js'
import { podEndpoint } from '../src/engine/endpoint.js'
import { computeReachability } from '../src/analysis/reachability.js'
import { graphReport, type GraphOptions } from '../src/report/graph-report.js'
import { CLUSTER_SIZE_OPTIONS, clusterBase, clusterSize } from './cluster-size.js'

const { values } = parseArgs({
  options: {
    ...CLUSTER_SIZE_OPTIONS,
    sample: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
  },
})
const size = clusterSize(values)
const file = `${clusterBase(size)}.json`
mkdirSync('bench/out', { recursive: true })
if (!existsSync(file)) writeFileSync(file, renderCluster(generateCluster(size), 'json'))
const { cluster } = await loadManifests([file])
const rounds = Number(values.rounds)
const port = { port: 8080, protocol: 'TCP' as const }
const perNs = new Map<string, number>()
for (const p of cluster.pods) perNs.set(p.namespace, (perNs.get(p.namespace) ?? 0) + 1)
const busiest = [...perNs].sort((a, b) => b[1] - a[1])[0]![0]

console.log(`cluster: ${cluster.pods.length} pods, ${cluster.namespaces.size} namespaces, ${cluster.policies.length} policies (seed ${size.seed}); Node ${process.version}\n`)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
function run(name: string, options: GraphOptions, n = rounds) {
  const ms: number[] = []
  let g = graphReport(cluster, options)
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    // the index is part of the work: a server builds it once per cluster version, the CLI once per run
    g = graphReport(cluster, options, indexCluster(cluster))
    ms.push(performance.now() - t)
  }
  console.log(`${name.padEnd(52)} ${String(Math.round(median(ms))).padStart(6)} ms (median of ${n})  level ${g.level}, ${g.nodes.length} nodes, ${g.edges.length} edges shown of ${g.totals.edges}`)
}
run('8080/TCP, namespace level', { port, level: 'namespace' })
run(`8080/TCP, class level, -n ${busiest}`, { port, level: 'class', namespaces: [busiest] })
run('8080/TCP, auto', { port, level: 'auto' })
run('any port, namespace level', { port: 'any', level: 'namespace' }, 1)

// Baselines, same input, same process.
const index = indexCluster(cluster)
const r = computeReachability(index, cluster.pods, [port], 4)
const m = r.results[0]!
const nClasses = r.identities.classes.length
let t = performance.now()
let pairs = 0
for (let s = 0; s < nClasses; s++) for (let d = 0; d < nClasses; d++) if (m.allowed(s, d)) pairs++
const allowedMs = performance.now() - t
t = performance.now()
void m.rows
const rowsMs = performance.now() - t
console.log(`\nclass rows (${nClasses} classes, ${pairs} allowed pairs): allowed() on every pair ${Math.round(allowedMs)} ms; ClassMatrix.rows ${Math.round(rowsMs)} ms`)

let seed = 7
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed / 2147483648)
const n = cluster.pods.length
const sample = Number(values.sample)
const ends = cluster.pods.map((p) => podEndpoint(p, 4))
const picks = Array.from({ length: sample }, () => [Math.floor(rand() * n), Math.floor(rand() * n)] as const)
t = performance.now()
for (const [i, j] of picks) evaluateFlow(index, { from: ends[i]!, to: ends[j]!, ...port })
const pairMs = performance.now() - t
console.log(`pod by pod with the engine: ${((pairMs / sample) * 1000).toFixed(1)} µs/pair → ${(((pairMs / sample) * n * n) / 1000).toFixed(0)} s for the ${n}² pairs any graph of these pods folds`)
