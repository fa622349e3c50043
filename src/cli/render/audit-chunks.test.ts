import { expect, test } from 'vitest'
import { loadManifests } from '../../io/load-manifests.js'
import { auditConnections, type AuditResult } from '../../flows/audit-flows.js'
import { readFlows } from '../../flows/read-flows.js'
import { ConnectionCollector } from '../../flows/resolve-flows.js'
import { auditJsonChunks, type AuditReport } from './audit-json.js'
import { auditMarkdownChunks } from './audit-md.js'
import { auditTextChunks } from './audit-text.js'

const current = (await loadManifests(['examples/three-tier'])).cluster
const proposed = (await loadManifests(['examples/three-tier', 'examples/flows/proposed'])).cluster

/** The example's report, with `explain` counting its calls. */
async function report(): Promise<{ r: AuditReport; calls: () => number }> {
  const collector = new ConnectionCollector(current)
  const read = await readFlows(['examples/flows/netpol-flows.jsonl'], { onRecord: (x) => collector.add(x) })
  const resolved = collector.result()
  const result = auditConnections(proposed, resolved.connections, current)
  let n = 0
  const counted: AuditResult = { ...result, explain: (g) => (n++, result.explain(g)) }
  return { r: { result: counted, stats: { ...resolved.stats, lines: read.lines, unreadable: 0 }, connections: resolved.connections.length, unresolved: resolved.unresolved, issues: [] }, calls: () => n }
}

test.each([
  { format: 'text', chunks: (r: AuditReport) => auditTextChunks(proposed, r) },
  { format: 'md', chunks: (r: AuditReport) => auditMarkdownChunks(proposed, r) },
  { format: 'json', chunks: (r: AuditReport) => auditJsonChunks(r) },
])('-o $format: each breaking group is explained as it is written, never all of them first', async ({ chunks }) => {
  const { r, calls } = await report()
  expect(r.result.wouldBreak).toHaveLength(2)
  // how many groups had been explained when each piece was yielded
  const seen: number[] = []
  for (const _ of chunks(r)) seen.push(calls())
  expect(calls()).toBe(2)
  // nothing is explained before the first piece, and some piece is written between the two explanations
  expect(seen[0]).toBe(0)
  expect(seen).toContain(1)
})
