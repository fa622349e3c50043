import { expect, test } from 'vitest'
import { loadManifests } from '../../io/load-manifests.js'
import { auditConnections } from '../../flows/audit-flows.js'
import { readFlows } from '../../flows/read-flows.js'
import { ConnectionCollector } from '../../flows/resolve-flows.js'
import { auditJson, auditJsonChunks, type AuditReport } from './audit-json.js'

test('the JSON written group by group is the document JSON.stringify makes of the whole report', async () => {
  const current = (await loadManifests(['examples/three-tier'])).cluster
  const proposed = (await loadManifests(['examples/three-tier', 'examples/flows/proposed'])).cluster
  const collector = new ConnectionCollector(current)
  const read = await readFlows(['examples/flows/netpol-flows.jsonl'], { onRecord: (r) => collector.add(r) })
  const resolved = collector.result()
  const result = auditConnections(proposed, resolved.connections, current)
  expect(result.wouldBreak.length).toBeGreaterThan(0)
  expect(result.alreadyDenied.length).toBeGreaterThan(0)
  const report: AuditReport = { result, stats: { ...resolved.stats, lines: read.lines, unreadable: 0 }, connections: resolved.connections.length, unresolved: resolved.unresolved, issues: [] }
  const text = [...auditJsonChunks(report)].join('')
  expect(text).toBe(JSON.stringify(auditJson(report), null, 2) + '\n')
})
