import { expect, test } from 'vitest'
import { generateCluster, renderCluster } from '../../bench/generate-cluster.js'
import { buildCluster } from '../model/build-cluster.js'
import { splitDocuments } from '../model/documents.js'
import { lintCluster } from '../analysis/lint/index.js'
import { lintReport, lintReportText } from './lint-report.js'

test('the report written a piece at a time is JSON.stringify of it with an indent of 2, and a newline', () => {
  const { cluster } = buildCluster(splitDocuments('gen.json', renderCluster(generateCluster({ seed: 3, pods: 120, namespaces: 6, policies: 60 }), 'json')).docs)
  const full = lintReport(lintCluster(cluster))
  const none = lintReport(lintCluster(cluster, { disable: [], severity: {}, minSeverity: 'error', ignore: [] }))
  const empty = { ...full, findings: [], suppressed: [], skipped: [] }
  for (const report of [full, none, empty]) expect([...lintReportText(report)].join('')).toBe(JSON.stringify(report, null, 2) + '\n')
})
