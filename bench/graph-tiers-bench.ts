/**
 * The graph with cluster policy tiers: `graphReport` on the generated 10k-pod / 10k-NetworkPolicy cluster plus 500
 * ClusterNetworkPolicies (with the Nodes they name) against the very same cluster without them, one port at
 * namespace level; and, on the tiered cluster, the external part alone (ExternalVerdicts.forPort: every selector
 * class against every region) decided through the tiers against the NetworkPolicy-only answer it replaced.
 *
 *   npx tsx bench/graph-tiers-bench.ts [--cluster-policies 500 --pods 10000 --namespaces 200 --policies 10000 --seed 1 --rounds 3]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { generateCluster, renderCluster } from './generate-cluster.js'
import { CLUSTER_SIZE_OPTIONS, clusterBase, clusterSize } from './cluster-size.js'
import { loadManifests } from '../src/io/load-manifests.js'
import { indexCluster } from '../src/engine/cluster-index.js'
import { clusterAddressSets, computeIdentities } from '../src/engine/identities.js'
import { ClassSides } from '../src/analysis/reachability.js'
import { externalSpace, ExternalVerdicts } from '../src/report/graph-external.js'
import { defaultFamily, graphReport, ipBlocksOf } from '../src/report/graph-report.js'
import type { Cluster } from '../src/model/cluster.js'

const { values } = parseArgs({ options: { ...CLUSTER_SIZE_OPTIONS, 'cluster-policies': { type: 'string', default: '500' }, rounds: { type: 'string', default: '3' } } })
const size = clusterSize(values)
const cnps = Number(values['cluster-policies'])
const rounds = Number(values.rounds)
const tiered = `${clusterBase(size)}-cnp${cnps}.json`
mkdirSync('bench/out', { recursive: true })
if (!existsSync(tiered)) writeFileSync(tiered, renderCluster(generateCluster({ ...size, clusterPolicies: cnps }), 'json'))
const { cluster } = await loadManifests([tiered])
const plain: Cluster = { ...cluster, clusterPolicies: [] }
const port = { port: 8080, protocol: 'TCP' as const }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const time = <T>(f: () => T): { ms: number; out: T } => {
  const ts: number[] = []
  let out!: T
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now()
    out = f()
    ts.push(performance.now() - t0)
  }
  return { ms: median(ts), out }
}

console.log(`cluster: ${cluster.pods.length} pods, ${cluster.namespaces.size} namespaces, ${cluster.policies.length} policies, ${cluster.clusterPolicies.length} cluster policies, ${cluster.nodes.length} Nodes (seed ${size.seed}); Node ${process.version}; median of ${rounds}\n`)
for (const [name, c] of [['without cluster policies', plain], [`with ${cluster.clusterPolicies.length} cluster policies`, cluster]] as const) {
  const { ms, out } = time(() => graphReport(c, { port, level: 'namespace' }))
  console.log(`graphReport, namespace level, 8080/TCP, ${name}: ${ms.toFixed(0)} ms (${out.totals.edges} edges, ${out.nodes.filter((n) => n.kind === 'external').length} external nodes shown)`)
}

const index = indexCluster(cluster)
const family = defaultFamily(cluster.pods)
const ids = computeIdentities(cluster.pods, cluster.policies, family, cluster)
const sides = new ClassSides(index, ids)
const isolating = (c: number, d: 'ingress' | 'egress') => sides.isolating(c, d)
const blocks = ipBlocksOf(cluster.policies)
const space = externalSpace(blocks, family, clusterAddressSets(cluster))
console.log(`\nthe external part on the tiered cluster: ${ids.selectorClasses.length} selector classes × ${space.regions.length} regions`)
for (const [name, withTiers] of [['NetworkPolicies only (before)', false], ['through the tiers', true]] as const) {
  const { ms } = time(() => new ExternalVerdicts(isolating, ids, space, blocks, withTiers ? index : undefined).forPort(port.port, port.protocol))
  console.log(`  ExternalVerdicts.forPort, ${name}: ${ms.toFixed(1)} ms`)
}
