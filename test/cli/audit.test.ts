import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { run } from '../../src/cli/cli.js'
import { runCli } from './cli-harness.js'

const EX = 'examples/three-tier'
const JSONL = 'examples/flows/netpol-flows.jsonl'
const CSV = 'examples/flows/observed.csv'
const BREAKS = 'examples/flows/proposed'
const SAME = 'examples/three-tier/policies/database.yaml'

describe('netpol audit on the three-tier example', () => {
  test.each([
    { name: "netpol's own log", flows: [JSONL] },
    { name: 'CSV', flows: [CSV] },
    { name: 'both at once', flows: [JSONL, CSV] },
  ])('a proposal that keeps the policies breaks nothing ($name): exit 0', async ({ flows }) => {
    const r = await runCli(['audit', ...flows.flatMap((f) => ['--flows', f]), '-f', EX, '--proposed', SAME])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^No observed connection would be denied by the proposed policies\./)
  })

  test.each([{ flows: JSONL }, { flows: CSV }])('the proposed tightening breaks API → postgres ($flows): exit 1 with the reason', async ({ flows }) => {
    const r = await runCli(['audit', '--flows', flows, '-f', EX, '--proposed', BREAKS])
    expect(r.code).toBe(1)
    expect(r.out).toContain('WOULD BREAK  backend/api-5c4 → database/postgres-0  port 5432/TCP')
    expect(r.out).toContain('WOULD BREAK  backend/api-6d1 → database/postgres-0  port 5432/TCP')
    expect(r.out).toContain('✗ pod backend/api-5c4 has labels {app=api, tier=backend}; podSelector wants role=writer')
    expect(r.out).not.toContain('WOULD BREAK  backend/worker')
  })

  test('the JSON contract', async () => {
    const r = await runCli(['audit', '--flows', JSONL, '-f', EX, '--proposed', BREAKS, '-o', 'json'])
    expect(r.code).toBe(1)
    const j = JSON.parse(r.out)
    expect(j.breaks).toBe(true)
    expect(j.summary).toMatchObject({ lines: 13, records: 13, collapsed: 0, unreadable: 0, unresolvable: 0, undecidable: 0, otherProtocol: 0, outsideWindow: 0, connections: 12, groups: 12, wouldBreak: 2, alreadyDenied: 1 })
    expect(j.wouldBreak[0]).toMatchObject({ from: 'backend/api-5c4', to: 'database/postgres-0', port: 5432, protocol: 'TCP', observed: 'allowed', count: 60, firstSeen: '2026-12-07T09:00:04.000Z', lastSeen: '2026-12-07T09:30:00.000Z' })
    expect(j.wouldBreak[0].checked).toMatchObject({ from: 'backend/api-5c4', to: 'database/postgres-0', allowed: false, egress: { kind: 'allowed' }, ingress: { kind: 'denied' } })
    expect(j.alreadyDenied.map((g: { from: string }) => g.from)).toEqual(['backend/worker-3a9'])
  })

  test('Markdown for a pull request', async () => {
    const r = await runCli(['audit', '--flows', CSV, '-f', EX, '--proposed', BREAKS, '-o', 'md'])
    expect(r.code).toBe(1)
    expect(r.out).toContain('| `backend/api-5c4` | `database/postgres-0` | 5432/TCP | unknown |')
    expect(r.out).toContain('<details><summary><code>backend/api-5c4</code> → <code>database/postgres-0</code> port 5432/TCP: why</summary>')
    expect(r.out).toMatch(/<sub>read 13 lines: 12 records, .* 1 other-protocol/)
  })

  test('--since/--until limit the window; stdin', async () => {
    const r = await runCli(['audit', '--flows', JSONL, '-f', EX, '--proposed', BREAKS, '--since', '2026-12-07T09:10:00Z', '-o', 'json'])
    const j = JSON.parse(r.out)
    expect(j.summary).toMatchObject({ outsideWindow: 12, connections: 1, wouldBreak: 1 })
    const until = JSON.parse((await runCli(['audit', '--flows', JSONL, '-f', EX, '--proposed', BREAKS, '--until', '2026-12-07T09:00:04Z', '-o', 'json'])).out)
    expect(until.summary).toMatchObject({ wouldBreak: 0 })
    const piped = await runCli(['audit', '--flows', '-', '-f', EX, '--proposed', BREAKS], readFileSync(CSV, 'utf8'))
    expect(piped.code).toBe(1)
  })

  test.each([
    { name: 'no --flows', argv: ['audit', '-f', EX, '--proposed', BREAKS], err: /--flows/ },
    { name: 'no --proposed', argv: ['audit', '--flows', CSV, '-f', EX], err: /--proposed/ },
    { name: 'a missing flow file', argv: ['audit', '--flows', 'nope.jsonl', '-f', EX, '--proposed', BREAKS], err: /error: nope.jsonl: no such file/ },
    { name: 'a bad --since', argv: ['audit', '--flows', CSV, '-f', EX, '--proposed', BREAKS, '--since', 'yesterday'], err: /--since "yesterday": expected an RFC 3339 time/ },
    { name: 'a file whose format cannot be told', argv: ['audit', '--flows', 'README.md', '-f', EX, '--proposed', BREAKS], err: /README.md:1: cannot tell the format/ },
    { name: 'two stdins', argv: ['audit', '--flows', '-', '-f', '-', '--proposed', BREAKS], err: /only one of/ },
  ])('bad input: $name → exit 2', async ({ argv, err }) => {
    const r = await runCli(argv)
    expect(r.code).toBe(2)
    expect(r.err).toMatch(err)
  })

  test('unreadable lines are warnings with their place, counted in the summary', async () => {
    const r = await runCli(['audit', '--flows', '-', '-f', EX, '--proposed', SAME], 'frontend/web-7d9,backend/api-5c4,8080,TCP\nbroken line\n')
    expect(r.code).toBe(0)
    expect(r.err).toBe('warning: <stdin>:2: expected src,dst,port,proto[,count] (1 field) (line skipped)\n')
    expect(r.out).toContain('1 unreadable')
  })
})

test('gzip bytes on stdin are read through the streamed stdin', async () => {
  const stdout = new PassThrough()
  let out = ''
  stdout.on('data', (c: Buffer) => (out += c.toString()))
  const gz = gzipSync(readFileSync(JSONL))
  const io = { stdout, stderr: new PassThrough(), readStdin: async () => '', stdinStream: () => Readable.from([gz.subarray(0, 10), gz.subarray(10)]) }
  const code = await run(['audit', '--flows', '-', '-f', EX, '--proposed', BREAKS, '-o', 'json'], io)
  await new Promise((r) => setImmediate(r))
  expect(code).toBe(1)
  expect(JSON.parse(out).summary).toMatchObject({ lines: 13, records: 13, wouldBreak: 2 })
})

test('workloads: flows named by workload (CSV ns/workload) or by a pod gone since are grouped per workload; without a verdict, denied today is apart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netpol-audit-'))
  writeFileSync(join(dir, 'flows.csv'), 'shop/web,shop/db,5432,TCP,7\nshop/web-6b7f9c4d8-abcde,shop/db-2,5432,TCP,3\nshop/web,shop/web,8080,TCP\n')
  writeFileSync(
    join(dir, 'proposed.yaml'),
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db-from-web, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {app: web, tier: gold}}\n',
  )
  const r = await runCli(['audit', '--flows', join(dir, 'flows.csv'), '-f', 'examples/replicas/', '--proposed', join(dir, 'proposed.yaml'), '-o', 'json'])
  expect(r.code).toBe(1)
  const j = JSON.parse(r.out)
  const rows = (gs: { from: string; to: string; count: number }[]) => gs.map((g) => [g.from, g.to, g.count])
  expect(rows(j.wouldBreak)).toEqual([['deploy/shop/web', 'sts/shop/db', 10]])
  // one web replica to another: denied by default-deny today too, so not something the proposal breaks
  expect(rows(j.alreadyDenied)).toEqual([['deploy/shop/web', 'deploy/shop/web', 1]])
})
