import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import type { FlowLineReader, FlowRecord } from './flow-record.js'
import { detectFormat } from './detect-format.js'
import { READERS } from './readers.js'

const dir = join(import.meta.dirname, '..', '..', 'examples', 'flows')

function readAll(name: string): { records: FlowRecord[]; issues: number; format: string | null } {
  const lines = readFileSync(join(dir, name), 'utf8').split('\n')
  const format = detectFormat(lines[0]!)
  const reader: FlowLineReader = READERS[format!]!(name)
  const records: FlowRecord[] = []
  let issues = 0
  lines.forEach((l, i) => {
    const r = reader.line(l, i + 1)
    if (Array.isArray(r)) records.push(...r)
    else issues++
  })
  return { records, issues, format }
}

/** who talks to whom: pod names or addresses, protocol, port, and whether any record says denied */
function graph(records: FlowRecord[]): string[] {
  const edges = new Map<string, boolean>()
  const end = (e: FlowRecord['source']) => (e.pod !== undefined ? `${e.namespace}/${e.pod}` : `${e.kind}:${e.ip?.text}`)
  for (const r of records) {
    if (r.notAStart) continue
    const k = `${end(r.source)} -> ${end(r.destination)} ${r.protocol}${r.port !== undefined ? `/${r.port}` : ''}`
    edges.set(k, (edges.get(k) ?? false) || r.verdict === 'denied')
  }
  return [...edges].map(([k, d]) => `${k}${d ? ' denied' : ''}`).sort()
}

test('the example flows in both formats read without issues and describe the same traffic', () => {
  const hubble = readAll('hubble.jsonl')
  const calico = readAll('calico-flows.log')
  expect([hubble.format, calico.format]).toEqual(['hubble', 'calico'])
  expect([hubble.issues, calico.issues]).toEqual([0, 0])
  expect(graph(hubble.records)).toEqual(graph(calico.records))
  expect(graph(hubble.records)).toContain('backend/worker-3a9 -> database/postgres-0 TCP/5432 denied')
  expect(graph(hubble.records)).toContain('world:192.0.2.10 -> frontend/web-7d9 TCP/8080')
  expect(graph(hubble.records)).toContain('backend/worker-3a9 -> backend/api-5c4 other denied')
  expect(graph(hubble.records).length).toBe(26)
})
