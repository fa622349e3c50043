import { describe, expect, test } from 'vitest'
import { isDomainName, parseResolution, splitNamePort } from './resolve-text.js'

describe('--resolve and --resolve-file', () => {
  test('NAME=IP[,IP], repeatable; a name given twice has every address; names are case-insensitive, a trailing dot ignored', () => {
    const r = parseResolution(['Example.com.=93.184.216.34,2606:2800:220:1::1', 'example.com=93.184.216.35'], [{ path: 'hosts', text: '# a comment\n\napi.example.com 10.1.2.3 10.1.2.4  # trailing\n' }])
    expect(r.ok && [...r.value].map(([n, ips]) => [n, ips.map((i) => i.text)])).toEqual([
      ['example.com', ['93.184.216.34', '2606:2800:220:1::1', '93.184.216.35']],
      ['api.example.com', ['10.1.2.3', '10.1.2.4']],
    ])
  })
  test.each([
    { args: ['example.com'], want: '--resolve "example.com": expected NAME=IP[,IP] (e.g. example.com=93.184.216.34)' },
    { args: ['*.example.com=1.2.3.4'], want: '--resolve "*.example.com=1.2.3.4": "*.example.com" is not a domain name (a resolution names one host, e.g. api.example.com; no wildcards)' },
    { args: ['example.com=1.2.3'], want: '--resolve "example.com=1.2.3": "1.2.3" is not an IP address' },
  ])('$args', ({ args, want }) => {
    expect(parseResolution(args, [])).toEqual({ ok: false, errors: [want] })
  })
  test('file mistakes name file:line:col', () => {
    expect(parseResolution([], [{ path: 'h.txt', text: 'ok.io 1.1.1.1\n  lonely.io\nx.io 1.1.1.1 nope\n' }])).toEqual({
      ok: false,
      errors: ['h.txt:2:3: expected NAME IP [IP...] (e.g. example.com 93.184.216.34)', 'h.txt:3:14: "nope" is not an IP address'],
    })
  })
  test('what reads as a domain name', () => {
    expect(['example.com', 'a.b-c.io.', 'x.y'].map(isDomainName)).toEqual([true, true, true])
    expect(['web', '10.0.0.1', 'a..b', '-a.io', 'a.123'].map(isDomainName)).toEqual([false, false, false, false, false])
    expect([splitNamePort('example.com:443'), splitNamePort('Example.com'), splitNamePort('ns/pod'), splitNamePort('10.0.0.1:80')]).toEqual([
      { name: 'example.com', port: '443' },
      { name: 'example.com', port: null },
      null,
      null,
    ])
  })
})
