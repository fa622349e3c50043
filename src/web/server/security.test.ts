import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { filesInput, request, serveOn } from '../../../test/serve/http.js'
import { hostName } from './guard.js'
import type { RunningServer } from './server.js'

let server: RunningServer
let page: string
let base: string
let host: string

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netpol-serve-'))
  page = join(dir, 'web')
  mkdirSync(join(page, 'assets'), { recursive: true })
  mkdirSync(join(page, 'server'), { recursive: true })
  writeFileSync(join(page, 'index.html'), '<!doctype html><title>page</title><script src="assets/app.js"></script>')
  writeFileSync(join(page, 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(page, 'assets', 'app.css'), 'body{}')
  writeFileSync(join(page, 'server', 'server.js'), '// the server itself')
  writeFileSync(join(page, 'notes.secret'), 'unknown type')
  writeFileSync(join(dir, 'outside.js'), 'outside the page')
  symlinkSync(join(dir, 'outside.js'), join(page, 'assets', 'link.js'))
  server = await serveOn(await filesInput(['examples/three-tier/']), { pageDir: page })
  base = server.url
  host = new URL(base).host
})
afterAll(() => server.close())

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

describe('headers', () => {
  test.each(['/', '/assets/app.js', '/api/cluster', '/nothing-here', '/api/nothing'])('%s carries the CSP, nosniff and no-referrer', async (path) => {
    const r = await request(base, { path })
    expect(r.headers['content-security-policy']).toBe(CSP)
    expect(r.headers['x-content-type-options']).toBe('nosniff')
    expect(r.headers['referrer-policy']).toBe('no-referrer')
  })

  test('a foreign Host header is refused with 403 and a body saying why (DNS rebinding)', async () => {
    const r = await request(base, { path: '/api/cluster', headers: { Host: 'attacker.example:8080' } })
    expect(r.status).toBe(403)
    expect(r.json().error).toMatch(/Host "attacker.example:8080" is not one this server answers to .*--allow-host/)
    expect((await request(base, { path: '/', headers: { Host: 'attacker.example' } })).status).toBe(403)
  })

  test.each(['localhost', 'localhost:1234', '127.0.0.1:9', '[::1]:80', 'LOCALHOST'])('Host %s is answered', async (h) => {
    expect((await request(base, { path: '/api/cluster', headers: { Host: h } })).status).toBe(200)
  })

  test('--allow-host names a further host', async () => {
    const other = await serveOn(await filesInput(['examples/three-tier/']), { allowHost: ['netpol.internal'], pageDir: page })
    try {
      expect((await request(other.url, { path: '/api/cluster', headers: { Host: 'netpol.internal:80' } })).status).toBe(200)
      expect((await request(other.url, { path: '/api/cluster', headers: { Host: 'other.internal' } })).status).toBe(403)
    } finally {
      await other.close()
    }
  })

  test('an Origin of another site is refused; the own origin is not', async () => {
    const body = JSON.stringify({ changes: [] })
    const post = (origin: string) => request(base, { method: 'POST', path: '/api/whatif', headers: { 'Content-Type': 'application/json', Origin: origin }, body })
    const bad = await post('http://attacker.example')
    expect(bad.status).toBe(403)
    expect(bad.json().error).toMatch(/Origin "http:\/\/attacker.example" is not this server's own/)
    expect((await post(`http://${host}`)).status).not.toBe(403)
    expect((await request(base, { path: '/api/cluster', headers: { Origin: 'null' } })).status).toBe(403)
  })
})

describe('POST bodies', () => {
  const post = (body: string | Buffer, type = 'application/json') => request(base, { method: 'POST', path: '/api/whatif', headers: { 'Content-Type': type, Origin: `http://${host}` }, body })

  test('a body above 1 MiB is refused with 413', async () => {
    const big = Buffer.alloc((1 << 20) + 1, 32)
    const r = await post(big)
    expect(r.status).toBe(413)
    expect(r.json().error).toMatch(/larger than 1048576 bytes/)
  })

  test('a body of exactly 1 MiB is read', async () => {
    const json = JSON.stringify({ changes: [] })
    const r = await post(json + ' '.repeat((1 << 20) - json.length))
    expect(r.status).not.toBe(413)
  })

  test('a body that is not application/json is refused with 415', async () => {
    const r = await post('{"changes":[]}', 'text/plain')
    expect(r.status).toBe(415)
    expect(r.json().error).toMatch(/Content-Type: application\/json \(got "text\/plain"\)/)
    expect((await post('{"changes":[]}', 'application/x-www-form-urlencoded')).status).toBe(415)
  })

  test('a body that is not JSON is 400', async () => {
    const r = await post('{changes')
    expect(r.status).toBe(400)
    expect(r.json().error).toMatch(/^the body is not JSON/)
  })

  test('a GET route does not take POST (405 with Allow), nor the page', async () => {
    const r = await request(base, { method: 'POST', path: '/api/cluster', headers: { 'Content-Type': 'application/json' }, body: '{}' })
    expect(r.status).toBe(405)
    expect(r.headers.allow).toBe('GET, HEAD')
    expect((await request(base, { method: 'DELETE', path: '/' })).status).toBe(405)
  })
})

describe('the page', () => {
  test.each([
    ['/', 'text/html; charset=utf-8', '<title>page</title>'],
    ['/index.html', 'text/html; charset=utf-8', '<title>page</title>'],
    ['/assets/app.js', 'text/javascript; charset=utf-8', 'console.log(1)'],
    ['/assets/app.css', 'text/css; charset=utf-8', 'body{}'],
  ])('%s is served as %s', async (path, type, text) => {
    const r = await request(base, { path })
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toBe(type)
    expect(r.text).toContain(text)
  })

  test.each([
    '/../outside.js',
    '/assets/../../outside.js',
    '/%2e%2e/outside.js',
    '/assets/%2e%2e%2f%2e%2e%2foutside.js',
    '/assets/..%5c..%5coutside.js',
    '/assets/link.js',
    '/server/server.js',
    '/notes.secret',
    '/assets/',
    '/assets',
    '/%00',
    '/%zz',
  ])('%s is 404: nothing outside the page, no directory, no unknown type', async (path) => {
    const r = await request(base, { path })
    expect(r.status).toBe(404)
    expect(r.text).not.toContain('outside the page')
  })

  test('without a built page, / says how to build it (no script)', async () => {
    const other = await serveOn(await filesInput(['examples/three-tier/']), { pageDir: join(page, 'missing') })
    try {
      const r = await request(other.url)
      expect(r.status).toBe(200)
      expect(r.text).toContain('npm run build')
      expect(r.text).not.toContain('<script')
    } finally {
      await other.close()
    }
  })
})

test.each([
  ['localhost:8080', 'localhost'],
  ['[::1]:8080', '::1'],
  ['[::1]', '::1'],
  ['Example.COM.', 'example.com'],
  ['a:b:c', null],
  ['evil.com@127.0.0.1', null],
  ['[::1]x', null],
])('Host %s names %s', (header, name) => {
  expect(hostName(header)).toBe(name)
})
