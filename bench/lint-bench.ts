/**
 * Lint benchmark: the whole check catalog on generated clusters of growing size, in-process, after a warm-up; then
 * at the size of cluster-size.ts (10k pods / 10k policies by default), in the same run:
 * - without cluster policies, the catalog before the tier checks (NP001–NP017) against the whole catalog: the tier
 *   checks must cost nothing when there are no cluster policies;
 * - with `--cluster-policies N` (500 by default) ClusterNetworkPolicies, when the generator can make them: the whole
 *   catalog, and each tier check alone, against the same cluster without them.
 *   npx tsx bench/lint-bench.ts [--pods 10000 --namespaces 200 --policies 10000 --seed 1 --cluster-policies 500]
 */
import { parseArgs } from 'node:util'
import { generateCluster, renderCluster } from './generate-cluster.js'
import { buildCluster } from '../src/model/build-cluster.js'
import type { Cluster } from '../src/model/cluster.js'
import { splitDocuments } from '../src/model/documents.js'
import { CHECKS, EMPTY_CONFIG, lintCluster, type Check } from '../src/analysis/lint/index.js'
import { createContext } from '../src/analysis/lint/context.js'
import { CLUSTER_SIZE_OPTIONS, clusterSize, type ClusterSize } from './cluster-size.js'

const { values } = parseArgs({ options: { ...CLUSTER_SIZE_OPTIONS, 'cluster-policies': { type: 'string', default: '500' }, runs: { type: 'string', default: '5' } } })
const size = clusterSize(values)
const runs = Number(values.runs)
const TIER_IDS = ['NP018', 'NP019', 'NP020', 'NP021', 'NP022', 'NP023']
const BEFORE = CHECKS.filter((c) => !TIER_IDS.includes(c.id))

function build(opts: ClusterSize & { clusterPolicies?: number }): Cluster {
  // the generator's cluster policy option, when it has one (an older generator leaves it out)
  const text = renderCluster(generateCluster(opts as Parameters<typeof generateCluster>[0]), 'json')
  return buildCluster(splitDocuments('gen.json', text).docs).cluster
}

/** Median wall time of `f` over `runs` runs after one warm-up, and its last result. */
function time<T>(f: () => T): { ms: number; result: T } {
  let result = f()
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    result = f()
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  return { ms: times[Math.floor(times.length / 2)]!, result }
}

/** Medians of `a` and `b` run alternately, `runs` times each after a warm-up of both. */
function timePair<T>(a: () => T, b: () => T): [{ ms: number; result: T }, { ms: number; result: T }] {
  let ra = a()
  let rb = b()
  const ta: number[] = []
  const tb: number[] = []
  for (let i = 0; i < runs; i++) {
    let t = performance.now()
    ra = a()
    ta.push(performance.now() - t)
    t = performance.now()
    rb = b()
    tb.push(performance.now() - t)
  }
  const med = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
  return [{ ms: med(ta), result: ra }, { ms: med(tb), result: rb }]
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const lint = (c: Cluster, checks: readonly Check[]) => lintCluster(c, EMPTY_CONFIG, checks).findings.length

for (const [pods, namespaces, policies] of [[200, 10, 100], [2000, 40, 1000]] as const) {
  const cluster = build({ seed: 1, pods, namespaces, policies })
  const r = time(() => lint(cluster, CHECKS))
  console.log(`lint ${pods} pods / ${policies} policies: median ${r.ms.toFixed(0)} ms over ${runs} runs, ${r.result} findings`)
}

const label = `${size.pods} pods / ${size.policies} policies / ${size.namespaces} namespaces (seed ${size.seed})`
const plain = build(size)
// interleaved, so that both see the same load on the machine
const [before, after] = timePair(() => lint(plain, BEFORE), () => lint(plain, CHECKS))
// the tier checks' own runs on one context (no tier classes are made without cluster policies)
const plainCtx = createContext(plain)
const tierOnly = time(() => TIER_IDS.reduce((n, id) => n + (CHECKS.find((c) => c.id === id)!.run(plainCtx) as readonly unknown[]).length, 0))
console.log(`lint ${label}, no cluster policies: NP001–NP017 ${s(before.ms)} (${before.result} findings); whole catalog ${s(after.ms)} (${after.result} findings); the tier checks' runs ${tierOnly.ms.toFixed(3)} ms`)

const n = Number(values['cluster-policies'])
if (n > 0) {
  const tiered = build({ ...size, clusterPolicies: n })
  if (tiered.clusterPolicies.length === 0) {
    console.log(`lint ${label} + ${n} cluster policies: skipped, the generator makes no cluster policies`)
  } else {
    // interleaved with the same cluster without them
    const [without, all] = timePair(() => lint(plain, CHECKS), () => lint(tiered, CHECKS))
    console.log(`lint ${label} + ${tiered.clusterPolicies.length} cluster policies: whole catalog ${s(all.ms)} (${all.result} findings) against ${s(without.ms)} (${without.result} findings) without them`)
    // the tier checks in catalog order on one fresh context per run (the first makes the tier classes), medians
    const per = new Map<string, number[]>(TIER_IDS.map((id) => [id, []]))
    const found = new Map<string, number>()
    for (let i = 0; i <= runs; i++) {
      const ctx = createContext(tiered)
      for (const id of TIER_IDS) {
        const t = performance.now()
        const r = CHECKS.find((c) => c.id === id)!.run(ctx) as readonly unknown[]
        if (i > 0) per.get(id)!.push(performance.now() - t)
        found.set(id, r.length)
      }
    }
    const med = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
    const total = TIER_IDS.reduce((sum, id) => sum + med(per.get(id)!), 0)
    console.log(`  the tier checks on one context: ${s(total)} in all; ${TIER_IDS.map((id) => `${id} ${s(med(per.get(id)!))} (${found.get(id)} findings)`).join(', ')}; ${TIER_IDS[0]} makes the tier classes`)
  }
}
