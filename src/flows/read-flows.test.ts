import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { readFlows } from './read-flows.js'
import type { FlowRecord } from './flow-record.js'

const dir = mkdtempSync(join(tmpdir(), 'netpol-flows-'))
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name)
  writeFileSync(p, content)
  return p
}
const NETPOL = JSON.stringify({ time: '2026-12-07T09:00:00Z', verdict: 'denied', direction: 'ingress', protocol: 'TCP', port: 80, src: { ip: '10.0.0.1' }, dst: { ip: '10.0.0.2' }, reason: 'r' })
const CSV = 'src,dst,port,proto\na/b,c/d,80,TCP\na/b,c/d,53,UDP\n'

describe('readFlows', () => {
  test('detects each input\'s format and reads several files in order', async () => {
    const a = file('a.jsonl', `\n${NETPOL}\n${NETPOL}\n`)
    const b = file('b.csv', CSV)
    const r = await readFlows([a, b])
    expect(r.issues).toEqual([])
    expect(r.lines).toBe(6)
    expect(r.records.map((x) => [x.format, x.line])).toEqual([['netpol', 2], ['netpol', 3], ['csv', 2], ['csv', 3]])
    expect([...r.formats]).toEqual([[a, 'netpol'], [b, 'csv']])
  })

  test('gzip is recognised by its magic bytes, whatever the name', async () => {
    const g = file('flows.log', gzipSync(CSV))
    const r = await readFlows([g])
    expect(r.records).toHaveLength(2)
  })

  test('a truncated gzip file is an issue, not a crash', async () => {
    const whole = gzipSync(CSV.repeat(200))
    const g = file('cut.gz', whole.subarray(0, whole.length - 20))
    const r = await readFlows([g])
    expect(r.issues.some((i) => /gzip/.test(i.message))).toBe(true)
  })

  test('- reads stdin; CRLF line ends and a last line without newline', async () => {
    const r = await readFlows(['-'], { stdin: () => Readable.from([Buffer.from('a/b,c/d,80,TCP\r\na/b,c/'), Buffer.from('d,81,TCP')]) })
    expect(r.records.map((x) => [x.file, x.port])).toEqual([['<stdin>', 80], ['<stdin>', 81]])
  })

  test('a multi-byte character split across chunks is kept whole', async () => {
    const bytes = Buffer.from(`a/b,c/d,80,TCP\n"é",c/d,80,TCP\n`)
    const r = await readFlows(['-'], { stdin: () => Readable.from([bytes.subarray(0, 17), bytes.subarray(17)]) })
    expect(r.issues[0]?.message).toContain('"é"')
  })

  test('onRecord streams records and keeps none', async () => {
    const seen: FlowRecord[] = []
    const r = await readFlows([file('s.csv', CSV)], { onRecord: (x) => seen.push(x) })
    expect(seen).toHaveLength(2)
    expect(r.records).toEqual([])
  })

  test('a missing file and an unknown format are issues', async () => {
    const r = await readFlows([join(dir, 'nope.jsonl'), file('x.txt', 'hello world\n')])
    expect(r.issues).toEqual([
      { file: join(dir, 'nope.jsonl'), line: 0, message: 'no such file' },
      { file: join(dir, 'x.txt'), line: 1, message: expect.stringMatching(/cannot tell the format/) },
    ])
    expect(r.stopped).toEqual(r.issues)
  })

  test('a given format is used without detection', async () => {
    const r = await readFlows([file('n.txt', 'a/b,c/d,80,TCP\n')], { format: 'csv' })
    expect(r.records).toHaveLength(1)
  })

  test('bad lines are issues with their place; reading goes on', async () => {
    const r = await readFlows([file('bad.jsonl', `${NETPOL}\n{"verdict":\n${NETPOL}\n`)])
    expect(r.records).toHaveLength(2)
    expect(r.issues).toEqual([{ file: join(dir, 'bad.jsonl'), line: 2, message: expect.stringMatching(/truncated/) }])
    expect(r.stopped).toEqual([])
  })
})
