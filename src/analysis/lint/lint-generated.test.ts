import { expect, test } from 'vitest'
import { generateCluster, renderCluster } from '../../../bench/generate-cluster.js'
import { buildCluster } from '../../model/build-cluster.js'
import { splitDocuments } from '../../model/documents.js'
import { CHECKS, lintCluster } from './index.js'

// A realistic 200-pod input (the benchmark generator's mix of policy shapes): every check runs to the end.
// Its speed is measured by bench/lint-bench.ts, not here.
test('the whole catalog runs on a generated 200-pod cluster', () => {
  const text = renderCluster(generateCluster({ seed: 1, pods: 200, namespaces: 10, policies: 100 }), 'json')
  const { cluster, issues } = buildCluster(splitDocuments('gen.json', text).docs)
  expect(issues).toEqual([])
  const r = lintCluster(cluster)
  expect(r.ran).toHaveLength(CHECKS.length)
  expect(r.findings.length).toBeGreaterThan(0)
})
