import { describe, expect, test } from 'vitest'
import { netpolReader } from './read-netpol.js'
import type { FlowRecord } from './flow-record.js'

const line = (o: Record<string, unknown>) => JSON.stringify(o)
const base = { time: '2026-12-07T09:00:00Z', verdict: 'denied', direction: 'ingress', protocol: 'TCP', port: 5432, src: { ip: '10.244.2.20', namespace: 'backend', pod: 'worker-3a9' }, dst: { ip: '10.244.3.10', namespace: 'database', pod: 'postgres-0' }, reason: 'isolated' }

describe('netpol agent flow log reader', () => {
  test.each([
    { name: 'a denied connection with both pods', text: line(base), want: { verdict: 'denied', protocol: 'TCP', port: 5432, count: 1, time: Date.parse('2026-12-07T09:00:00Z') } },
    { name: 'repeated adds to the count', text: line({ ...base, verdict: 'audited', repeated: 4 }), want: { verdict: 'audited', count: 5 } },
    { name: 'an accepted connection (--flow-log-all)', text: line({ ...base, verdict: 'allowed' }), want: { verdict: 'allowed' } },
    { name: 'IPv6 ends', text: line({ ...base, src: { ip: 'fd00::1' }, dst: { ip: 'fd00::2', namespace: 'db', pod: 'p' } }), want: { port: 5432 } },
    { name: 'SCTP', text: line({ ...base, protocol: 'SCTP', port: 3868 }), want: { protocol: 'SCTP', port: 3868 } },
    { name: 'ICMP is read as other, without a port', text: line({ ...base, protocol: 'ICMP', port: 0 }), want: { protocol: 'other' } },
    { name: 'unknown fields are ignored', text: line({ ...base, node: 'n1', extra: [1] }), want: { verdict: 'denied' } },
  ])('$name', ({ text, want }) => {
    const got = netpolReader('f.jsonl').line(text, 3)
    expect(Array.isArray(got)).toBe(true)
    const r = (got as FlowRecord[])[0]!
    expect(r).toMatchObject({ format: 'netpol', file: 'f.jsonl', line: 3, ...want })
  })

  test('an address without a pod is of kind unknown; a named pod is a pod', () => {
    const r = (netpolReader('f').line(line({ ...base, src: { ip: '203.0.113.9' } }), 1) as FlowRecord[])[0]!
    expect(r.source).toMatchObject({ kind: 'unknown' })
    expect(r.source.ip?.text).toBe('203.0.113.9')
    expect(r.destination).toMatchObject({ kind: 'pod', namespace: 'database', pod: 'postgres-0' })
  })

  test.each([
    { name: 'truncated line', text: line(base).slice(0, 40), message: /truncated/ },
    { name: 'not JSON', text: 'hello', message: /not JSON/ },
    { name: 'an array', text: '[1]', message: /not a JSON object/ },
    { name: 'unknown verdict', text: line({ ...base, verdict: 'maybe' }), message: /unknown verdict "maybe"/ },
    { name: 'no port', text: line({ ...base, port: undefined }), message: /no destination port/ },
    { name: 'bad address', text: line({ ...base, dst: { ip: '10.1' } }), message: /dst: not an IP address/ },
    { name: 'bad time', text: line({ ...base, time: 'yesterday' }), message: /time: not a date/ },
  ])('bad line: $name', ({ text, message }) => {
    const got = netpolReader('f.jsonl').line(text, 7)
    expect(Array.isArray(got)).toBe(false)
    expect(got).toMatchObject({ file: 'f.jsonl', line: 7, message: expect.stringMatching(message) })
  })

  test('a blank line is no record', () => expect(netpolReader('f').line('  ', 1)).toEqual([]))
})
