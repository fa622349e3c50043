/**
 * Matrix benchmark: the whole CLI process on a generated 10k-pod cluster (JSON and YAML input), one `check`
 * on the bundled example, and in the same run the baselines: pairwise evaluation with the engine and with
 * the reference evaluator, timed on a sample of pod pairs and extrapolated to all pairs.
 *
 *   npm run build && npx tsx bench/matrix-bench.ts [--pods 10000 --namespaces 200 --policies 10000 --seed 1 --sample 20000]
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { generateCluster, renderCluster } from './generate-cluster.js'
import { loadManifests } from '../src/io/load-manifests.js'
import { indexCluster } from '../src/engine/cluster-index.js'
import { evaluateFlow } from '../src/engine/evaluate.js'
import { podEndpoint } from '../src/engine/endpoint.js'
import { computeReachability, podAllowed } from '../src/analysis/reachability.js'
import { referenceAllowed } from '../test/reference-evaluator.js'
import { CLUSTER_SIZE_OPTIONS, clusterBase, clusterSize } from './cluster-size.js'

const { values } = parseArgs({
  options: {
    ...CLUSTER_SIZE_OPTIONS,
    sample: { type: 'string', default: '20000' },
  },
})
const size = clusterSize(values)
const base = clusterBase(size)
mkdirSync('bench/out', { recursive: true })
for (const format of ['json', 'yaml'] as const) {
  if (!existsSync(`${base}.${format}`)) writeFileSync(`${base}.${format}`, renderCluster(generateCluster(size), format))
}

interface Run { wallMs: number; phasesMs: Record<string, number>; maxRssMB: number; status: number | null }
function cli(args: string[]): Run {
  const t0 = performance.now()
  const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], { env: { ...process.env, NETPOL_TIMINGS: '1' }, stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'], encoding: 'utf8' })
  const wallMs = Math.round(performance.now() - t0)
  const line = r.stderr.split('\n').find((l) => l.startsWith('NETPOL_TIMINGS '))
  if (!line) throw new Error(`no timings from netpol ${args.join(' ')}: ${r.stderr.slice(0, 500)}`)
  const t = JSON.parse(line.slice('NETPOL_TIMINGS '.length)) as { phasesMs: Record<string, number>; maxRssMB: number }
  return { wallMs, ...t, status: r.status }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
function show(name: string, runs: Run[]) {
  const best = runs.reduce((a, b) => (a.wallMs <= b.wallMs ? a : b))
  console.log(`${name.padEnd(44)} wall ${String(median(runs.map((r) => r.wallMs))).padStart(6)} ms (median of ${runs.length})  parse ${best.phasesMs.parse ?? '-'} ms  analysis ${best.phasesMs.analysis ?? '-'} ms  write ${best.phasesMs.write ?? '-'} ms  peak RSS ${best.maxRssMB} MB`)
}

console.log(`cluster: ${size.pods} pods, ${size.namespaces} namespaces, ${size.policies} policies (seed ${size.seed})\n`)
const rounds = 3
show('matrix -f JSON --port 8080/TCP -o json', Array.from({ length: rounds }, () => cli(['matrix', '-f', `${base}.json`, '--port', '8080/TCP', '-o', 'json'])))
show('matrix -f JSON --port 8080/TCP -o table', Array.from({ length: rounds }, () => cli(['matrix', '-f', `${base}.json`, '--port', '8080/TCP', '-o', 'table'])))
show('matrix -f YAML --port 8080/TCP -o json', [cli(['matrix', '-f', `${base}.yaml`, '--port', '8080/TCP', '-o', 'json'])])
show('check on examples/three-tier', Array.from({ length: 10 }, () => cli(['check', '-f', 'examples/three-tier', '--from', 'frontend/web-7d9', '--to', 'database/postgres-0', '--port', '5432/TCP'])))

// Baselines in this process, on the same input.
const loaded = await loadManifests([`${base}.json`])
const cluster = loaded.cluster
const index = indexCluster(cluster)
const n = cluster.pods.length
let t = performance.now()
const r = computeReachability(index, cluster.pods, [{ port: 8080, protocol: 'TCP' }], 4)
const classMs = performance.now() - t
console.log(`\nclasses: ${r.identities.classes.length} for ${n} pods; class matrix in-process ${Math.round(classMs)} ms`)

let seed = 7
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed / 2147483648)
const sample = Number(values.sample)
const pairs = Array.from({ length: sample }, () => [Math.floor(rand() * n), Math.floor(rand() * n)] as const)
const ends = cluster.pods.map((p) => podEndpoint(p, 4))
t = performance.now()
const engine = pairs.map(([i, j]) => evaluateFlow(index, { from: ends[i]!, to: ends[j]!, port: 8080, protocol: 'TCP' }).allowed)
const engineMs = performance.now() - t
t = performance.now()
const ref = pairs.map(([i, j]) => referenceAllowed(cluster, { pod: cluster.pods[i]!, ip: ends[i]!.ip }, { pod: cluster.pods[j]!, ip: ends[j]!.ip }, 8080, 'TCP'))
const refMs = performance.now() - t
const m = r.results[0]!
const disagree = pairs.filter(([i, j], k) => podAllowed(r, m, i, j) !== ref[k] || engine[k] !== ref[k]).length
const extrapolate = (ms: number) => ((ms / sample) * n * n) / 1000
console.log(`pairwise engine (evaluateFlow): ${(engineMs / sample * 1000).toFixed(1)} µs/pair → ${extrapolate(engineMs).toFixed(0)} s for all ${n}² pairs`)
console.log(`reference evaluator:            ${(refMs / sample * 1000).toFixed(1)} µs/pair → ${extrapolate(refMs).toFixed(0)} s for all ${n}² pairs`)
console.log(`agreement on ${sample} sampled pairs (matrix vs engine vs reference): ${disagree === 0 ? 'all equal' : `${disagree} DISAGREE`}`)
const allowedShare = pairs.filter(([i, j]) => podAllowed(r, m, i, j)).length / sample
console.log(`allowed share in the sample: ${(allowedShare * 100).toFixed(1)} %`)
if (disagree > 0) process.exitCode = 1
