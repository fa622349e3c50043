/**
 * Lint benchmark: the whole check catalog on generated clusters of growing size, in-process, after a warm-up.
 *   npx tsx bench/lint-bench.ts
 */
import { generateCluster, renderCluster } from './generate-cluster.js'
import { buildCluster } from '../src/model/build-cluster.js'
import { splitDocuments } from '../src/model/documents.js'
import { lintCluster } from '../src/analysis/lint/index.js'

for (const [pods, namespaces, policies] of [[200, 10, 100], [2000, 40, 1000]] as const) {
  const text = renderCluster(generateCluster({ seed: 1, pods, namespaces, policies }), 'json')
  const { cluster } = buildCluster(splitDocuments('gen.json', text).docs)
  lintCluster(cluster)
  const times: number[] = []
  let findings = 0
  for (let i = 0; i < 3; i++) {
    const t = performance.now()
    findings = lintCluster(cluster).findings.length
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  console.log(`lint ${pods} pods / ${policies} policies: median ${times[1]!.toFixed(0)} ms over 3 runs, ${findings} findings`)
}
