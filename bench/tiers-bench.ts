/**
 * The matrix with cluster policy tiers: the generated 10k-pod / 10k-NetworkPolicy cluster plus 500
 * ClusterNetworkPolicies (both tiers, with the Node objects they name), against the very same cluster without them,
 * in one run: the class matrix, the whole pod matrix row by row (what `matrix -o json` writes), the class pairs
 * (`matrix -o classes`), and the CLI process end to end.
 *
 *   npm run build && npx tsx bench/tiers-bench.ts [--cluster-policies 500 --pods 10000 --namespaces 200 --policies 10000 --seed 1]
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { generateCluster, renderCluster } from './generate-cluster.js'
import { CLUSTER_SIZE_OPTIONS, clusterBase, clusterSize } from './cluster-size.js'
import { loadManifests } from '../src/io/load-manifests.js'
import { indexCluster } from '../src/engine/cluster-index.js'
import { computeReachability, PodRows } from '../src/analysis/reachability.js'
import { classPairs } from '../src/analysis/class-pairs.js'

const { values } = parseArgs({ options: { ...CLUSTER_SIZE_OPTIONS, 'cluster-policies': { type: 'string', default: '500' }, rounds: { type: 'string', default: '3' } } })
const size = clusterSize(values)
const cnps = Number(values['cluster-policies'])
const rounds = Number(values.rounds)
const base = clusterBase(size)
const tiered = `${base}-cnp${cnps}`
mkdirSync('bench/out', { recursive: true })
if (!existsSync(`${base}.json`)) writeFileSync(`${base}.json`, renderCluster(generateCluster(size), 'json'))
if (!existsSync(`${tiered}.json`)) writeFileSync(`${tiered}.json`, renderCluster(generateCluster({ ...size, clusterPolicies: cnps }), 'json'))

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const time = <T>(f: () => T): [T, number] => {
  const t = performance.now()
  const out = f()
  return [out, performance.now() - t]
}

interface Figures { classes: number; reachMs: number; rowsMs: number; pairsMs: number; allowedShare: number }

function inProcess(file: string): Promise<Figures & { clusterPolicies: number; nodes: number }> {
  return loadManifests([file]).then(({ cluster }) => {
    const runs: Figures[] = []
    for (let k = 0; k < rounds; k++) {
      const index = indexCluster(cluster)
      const [r, reachMs] = time(() => computeReachability(index, cluster.pods, [{ port: 8080, protocol: 'TCP' }], 4))
      const n = cluster.pods.length
      const [allowed, rowsMs] = time(() => {
        const rows = new PodRows(r, r.results[0]!)
        const out = new Uint8Array(n)
        let ones = 0
        for (let i = 0; i < n; i++) {
          rows.fill(i, out)
          for (let j = 0; j < n; j++) ones += out[j]!
        }
        return ones
      })
      const [, pairsMs] = time(() => classPairs(r))
      runs.push({ classes: r.identities.classes.length, reachMs, rowsMs, pairsMs, allowedShare: allowed / (n * n) })
    }
    const pick = (f: (x: Figures) => number) => median(runs.map(f))
    return { clusterPolicies: cluster.clusterPolicies.length, nodes: cluster.nodes.length, classes: runs[0]!.classes, reachMs: pick((x) => x.reachMs), rowsMs: pick((x) => x.rowsMs), pairsMs: pick((x) => x.pairsMs), allowedShare: runs[0]!.allowedShare }
  })
}

interface Run { wallMs: number; phasesMs: Record<string, number>; maxRssMB: number }
function cli(args: string[]): Run {
  const t0 = performance.now()
  const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], { env: { ...process.env, NETPOL_TIMINGS: '1' }, stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'], encoding: 'utf8' })
  const wallMs = Math.round(performance.now() - t0)
  const line = r.stderr.split('\n').find((l) => l.startsWith('NETPOL_TIMINGS '))
  if (!line) throw new Error(`no timings from netpol ${args.join(' ')}: ${r.stderr.slice(0, 500)}`)
  return { wallMs, ...(JSON.parse(line.slice('NETPOL_TIMINGS '.length)) as Omit<Run, 'wallMs'>) }
}
function cliFigures(file: string, output: string): string {
  const runs = Array.from({ length: rounds }, () => cli(['matrix', '-f', file, '--port', '8080/TCP', '-o', output]))
  const best = runs.reduce((a, b) => (a.wallMs <= b.wallMs ? a : b))
  return `wall ${String(median(runs.map((r) => r.wallMs))).padStart(6)} ms (median of ${rounds})  analysis ${best.phasesMs.analysis ?? '-'} ms  write ${best.phasesMs.write ?? '-'} ms  peak RSS ${best.maxRssMB} MB`
}

console.log(`cluster: ${size.pods} pods, ${size.namespaces} namespaces, ${size.policies} NetworkPolicies (seed ${size.seed}); with and without ${cnps} ClusterNetworkPolicies\n`)
const row = (name: string, f: Figures) =>
  `${name.padEnd(30)} classes ${String(f.classes).padStart(6)}  class matrix ${String(Math.round(f.reachMs)).padStart(6)} ms  pod rows ${String(Math.round(f.rowsMs)).padStart(6)} ms  class pairs ${String(Math.round(f.pairsMs)).padStart(6)} ms  allowed ${(f.allowedShare * 100).toFixed(1)} %`
console.log(`in-process, port 8080/TCP (median of ${rounds}):`)
console.log(row('without cluster policies', await inProcess(`${base}.json`)))
const withTiers = await inProcess(`${tiered}.json`)
if (withTiers.clusterPolicies !== cnps) {
  console.log(`the loader read ${withTiers.clusterPolicies} of ${cnps} cluster policies: nothing to compare`)
  process.exit(1)
}
console.log(row(`with ${cnps} (+ ${withTiers.nodes} Nodes)`, withTiers))
console.log('\nnetpol matrix --port 8080/TCP:')
for (const output of ['json', 'classes']) {
  console.log(`  -o ${output.padEnd(8)} without: ${cliFigures(`${base}.json`, output)}`)
  console.log(`  -o ${output.padEnd(8)} with:    ${cliFigures(`${tiered}.json`, output)}`)
}
