/** The README's `netpol serve` section shows real output: the start line and a curl of /api/check. */
import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { startServe } from './built-serve.js'
import { request } from './http.js'

const readme = readFileSync('README.md', 'utf8')

test('the README shows the start line and what curl gets from /api/check', async () => {
  const s = await startServe(['-f', 'examples/three-tier/', '--port', '0'])
  try {
    // the README's server listens on the default port; this one on a free port
    expect(s.out().replace(/:\d+\/\n$/, ':8080/\n')).toBe('netpol serve: http://127.0.0.1:8080/\n')
    expect(readme).toContain('$ npx netpol serve -f examples/three-tier/\nnetpol serve: http://127.0.0.1:8080/\n')
    const path = '/api/check?from=backend/api-5c4&to=database/postgres-0&port=5432/TCP'
    const r = await request(new URL(path, s.url).toString())
    expect(readme).toContain(`$ curl -s 'http://127.0.0.1:8080${path}'\n${r.text}\n`)
  } finally {
    expect(await s.stop()).toBe(0)
  }
})
