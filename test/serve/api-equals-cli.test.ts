/**
 * Each API answer that a CLI command also gives is exactly that command's `-o json` on the same input:
 * examples/three-tier, read by `netpol serve -f` and by the command.
 */
import { cpSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { runCli } from '../cli/cli-harness.js'
import { scratchDir } from '../scratch-dir.js'
import { filesInput, getJson, postJson, serveOn } from './http.js'
import type { RunningServer } from '../../src/web/server/server.js'

const INPUT = 'examples/three-tier/'
let server: RunningServer
beforeAll(async () => {
  server = await serveOn(await filesInput([INPUT]))
})
afterAll(() => server.close())

async function cliJson(argv: string[]): Promise<unknown> {
  const r = await runCli([...argv, '-o', 'json'])
  return JSON.parse(r.out)
}

describe('the API answers what the CLI prints with -o json', () => {
  test.each([
    ['database/postgres-0', undefined],
    ['frontend/web-7d9', '4'],
    ['kube-system/coredns-5d78c', undefined],
  ])('/api/describe/pod?pod=%s = netpol describe pod', async (pod, family) => {
    const body = await getJson(server, `/api/describe/pod?pod=${pod}${family ? `&family=${family}` : ''}`)
    expect(body.describe).toEqual(await cliJson(['describe', '-f', INPUT, 'pod', pod, ...(family ? ['--family', family] : [])]))
    expect(Array.isArray(body.lint)).toBe(true)
  })

  test.each(['backend/api-egress', 'database/postgres-from-api', 'frontend/default-deny-all'])('/api/describe/policy?policy=%s = netpol describe', async (policy) => {
    const body = await getJson(server, `/api/describe/policy?policy=${policy}`)
    expect(body.describe).toEqual(await cliJson(['describe', '-f', INPUT, policy]))
  })

  test('/api/lint = netpol lint', async () => {
    expect(await getJson(server, '/api/lint')).toEqual(await cliJson(['lint', '-f', INPUT]))
  })

  test('the lint findings beside a description are those of netpol lint on that object', async () => {
    const mistakes = await serveOn(await filesInput(['examples/mistakes/shop.yaml']))
    try {
      const lint = (await cliJson(['lint', '-f', 'examples/mistakes/shop.yaml'])) as { findings: { object: { kind: string; namespace?: string; name: string } }[] }
      const body = await getJson(mistakes, '/api/describe/policy?policy=shop/web-ingress')
      const expected = lint.findings.filter((f) => f.object.kind === 'NetworkPolicy' && f.object.namespace === 'shop' && f.object.name === 'web-ingress')
      expect(expected.length).toBeGreaterThan(0)
      expect(body.lint).toEqual(expected)
    } finally {
      await mistakes.close()
    }
  })
})

describe('/api/whatif: its diff is netpol diff between the files and the files with the change', () => {
  const dir = scratchDir('netpol-whatif-')
  test('an edited policy', async () => {
    const after = join(dir.path(), 'after')
    cpSync(INPUT, after, { recursive: true })
    const yaml = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: postgres-from-api\n  namespace: database\nspec:\n  podSelector: {matchLabels: {app: postgres}}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {app: worker}}\n      namespaceSelector: {}\n'
    writeFileSync(join(after, 'policies', 'database.yaml'), yaml)
    const r = await postJson(server, '/api/whatif', { changes: [{ op: 'edit', policy: 'database/postgres-from-api', yaml }] })
    expect(r.body.errors).toEqual([])
    expect(r.body.diff).toEqual(await cliJson(['diff', INPUT, after]))
  })
})

describe('bad questions are 400 with the parameter they are about', () => {
  test.each([
    ['/api/describe/pod', 'pod', /NAMESPACE\/NAME/],
    ['/api/describe/pod?pod=database/postgres', 'pod', /no pod "database\/postgres" in the input; did you mean database\/postgres-0\?/],
    ['/api/describe/pod?pod=database/postgres-0&family=5', 'family', /4 or 6/],
    ['/api/describe/policy?policy=backend/api-egres', 'policy', /did you mean backend\/api-egress\?/],
  ])('%s', async (path, param, message) => {
    const r = await fetch(new URL(path, server.url))
    expect(r.status).toBe(400)
    const body = (await r.json()) as { error: string; path: string }
    expect(body.path).toBe(param)
    expect(body.error).toMatch(message)
  })
})
