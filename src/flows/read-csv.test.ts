import { describe, expect, test } from 'vitest'
import { csvReader, splitCsv } from './read-csv.js'
import type { FlowRecord } from './flow-record.js'

describe('splitCsv', () => {
  test.each([
    { text: 'a,b,c', want: ['a', 'b', 'c'] },
    { text: '"a, b",c', want: ['a, b', 'c'] },
    { text: '"say ""hi""",x', want: ['say "hi"', 'x'] },
    { text: 'a,,c', want: ['a', '', 'c'] },
    { text: '"open,x', want: null },
  ])('$text', ({ text, want }) => expect(splitCsv(text)).toEqual(want))
})

describe('CSV flow reader', () => {
  test.each([
    { name: 'pod to pod', text: 'frontend/web-7d9,backend/api-5c4,8080,TCP', want: { protocol: 'TCP', port: 8080, count: 1, verdict: 'unknown' }, src: { namespace: 'frontend', pod: 'web-7d9' } },
    { name: 'with a count', text: 'frontend/web,backend/api,8080,tcp,12', want: { count: 12 } },
    { name: 'quoted fields', text: '"10.0.0.11","frontend/web-8f2","8080","TCP"', want: { port: 8080 }, src: { kind: 'unknown' } },
    { name: 'IPv6 source, bracketed or not', text: '[fd00::1],fd00::2,53,UDP', want: { protocol: 'UDP', port: 53 } },
    { name: 'SCTP', text: 'a/b,c/d,3868,SCTP', want: { protocol: 'SCTP', port: 3868 } },
    { name: 'ICMP is other, without a port', text: 'a/b,10.0.0.1,0,ICMP', want: { protocol: 'other' } },
    { name: 'CRLF line end', text: 'a/b,c/d,80,TCP\r', want: { port: 80 } },
  ])('$name', ({ text, want, src }) => {
    const got = csvReader('o.csv').line(text, 2)
    expect(Array.isArray(got)).toBe(true)
    const r = (got as FlowRecord[])[0]!
    expect(r).toMatchObject({ format: 'csv', file: 'o.csv', line: 2, ...want })
    if (src) expect(r.source).toMatchObject(src)
  })

  test('a header on the first line and comments are no records', () => {
    expect(csvReader('o').line('src,dst,port,proto,count', 1)).toEqual([])
    expect(csvReader('o').line('# observed on Monday', 4)).toEqual([])
  })

  test.each([
    { name: 'too few fields', text: 'a/b,c/d,80', message: /expected src,dst,port,proto/ },
    { name: 'bad endpoint', text: 'not an endpoint,c/d,80,TCP', message: /src: "not an endpoint"/ },
    { name: 'port out of range', text: 'a/b,c/d,70000,TCP', message: /port: "70000"/ },
    { name: 'bad count', text: 'a/b,c/d,80,TCP,-1', message: /count/ },
    { name: 'unclosed quote', text: '"a/b,c/d,80,TCP', message: /not closed/ },
    { name: 'bad protocol', text: 'a/b,c/d,80,T C P', message: /proto/ },
  ])('bad line: $name', ({ text, message }) => {
    expect(csvReader('o.csv').line(text, 9)).toMatchObject({ file: 'o.csv', line: 9, message: expect.stringMatching(message) })
  })
})
