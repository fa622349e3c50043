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

  test.each([
    ['backend/worker-3a9', 'database/postgres-0', '5432/TCP'],
    ['frontend/web-7d9', 'svc/backend/api:80', undefined],
    ['backend/api-5c4', '10.96.30.54:5432', undefined],
    ['monitoring/prometheus-0', 'backend/api-5c4', '9090'],
  ])('/api/check?from=%s&to=%s&port=%s = netpol check', async (from, to, port) => {
    const q = new URLSearchParams({ from, to, ...(port ? { port } : {}) })
    const body = await getJson(server, `/api/check?${q}`)
    expect(body).toEqual(await cliJson(['check', '-f', INPUT, '--from', from, '--to', to, ...(port ? ['--port', port] : [])]))
  })

  test.each([
    ['', []],
    ['port=5432/TCP', ['--port', '5432/TCP']],
    ['port=5432&port=53/udp&namespace=database&namespace=backend', ['--port', '5432', '--port', '53/udp', '-n', 'database', '-n', 'backend']],
    ['toNamespace=database&port=5432', ['--to-namespace', 'database', '--port', '5432']],
  ])('/api/matrix?%s = netpol matrix', async (query, flags) => {
    const r = await fetch(new URL(`/api/matrix?${query}`, server.url))
    expect(r.status).toBe(200)
    const cli = await runCli(['matrix', '-f', INPUT, ...flags, '-o', 'json'])
    expect(await r.text()).toBe(cli.out)
  })

  test.each([
    ['', {}],
    ['port=5432/TCP', { port: '5432/TCP' }],
    ['port=any&level=namespace', { port: 'any', level: 'namespace' }],
    ['port=8080&level=class&namespace=backend&namespace=frontend', { port: '8080', level: 'class', namespaces: ['backend', 'frontend'] }],
    ['level=pod&label=app=api', { level: 'pod', labels: ['app=api'] }],
  ])('/api/graph?%s = graphReport, the graph `matrix -o dot` draws', async (query, q) => {
    const { graphReport, parseGraphOptions } = await import('../../src/report/index.js')
    const { loadManifests } = await import('../../src/io/load-manifests.js')
    const cluster = (await loadManifests([INPUT])).cluster
    const options = parseGraphOptions(q)
    if (!options.ok) throw new Error(options.error.message)
    expect(await getJson(server, `/api/graph?${query}`)).toEqual(JSON.parse(JSON.stringify(graphReport(cluster, options.value))))
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
    // on the what-if's port, netpol diff --port
    const onPort = await postJson(server, '/api/whatif', { changes: [{ op: 'edit', policy: 'database/postgres-from-api', yaml }], port: '5432/TCP' })
    expect(onPort.body.diff).toEqual(await cliJson(['diff', INPUT, after, '--port', '5432/TCP']))
    expect(onPort.body.diff.ports).toEqual(['5432/TCP'])
  })
})

test('a matrix above 250,000 cells is refused with 413', async () => {
  const { generateCluster, renderCluster } = await import('../../bench/generate-cluster.js')
  const { fixedInput } = await import('../../src/web/server/serve-input.js')
  const { buildCluster } = await import('../../src/model/build-cluster.js')
  const { splitDocuments } = await import('../../src/model/documents.js')
  const { SourceTexts } = await import('../../src/io/source-texts.js')
  const text = renderCluster(generateCluster({ seed: 1, pods: 600, namespaces: 10, policies: 10 }), 'json')
  const cluster = buildCluster(splitDocuments('gen.json', text).docs).cluster
  const big = await serveOn(fixedInput('gen', { cluster, texts: new SourceTexts(), objects: [], issues: [], notes: [] }))
  try {
    const r = await fetch(new URL('/api/matrix', big.url))
    expect(r.status).toBe(413)
    expect(((await r.json()) as { error: string }).error).toMatch(/^the matrix would have [\d,]+ cells \(600 rows × 600 columns × \d+ ports\), more than 250,000: choose namespaces and a port$/)
    expect((await fetch(new URL('/api/matrix?port=8080', big.url))).status).toBe(413)
  } finally {
    await big.close()
  }
})

describe('bad questions are 400 with the parameter they are about', () => {
  test.each([
    ['/api/describe/pod', 'pod', /NAMESPACE\/NAME/],
    ['/api/describe/pod?pod=database/postgres', 'pod', /no pod "database\/postgres" in the input; did you mean database\/postgres-0\?/],
    ['/api/describe/pod?pod=database/postgres-0&family=5', 'family', /4 or 6/],
    ['/api/describe/policy?policy=backend/api-egres', 'policy', /did you mean backend\/api-egress\?/],
    ['/api/check?to=database/postgres-0', 'from', /--from/],
    ['/api/check?from=backend/worker&to=database/postgres-0&port=5432', 'from', /^--from "backend\/worker": no such pod in the input; did you mean backend\/worker-3a9\?$/],
    ['/api/check?from=backend/worker-3a9&to=database/postgres-0', 'port', /--port is required/],
    ['/api/check?from=backend/worker-3a9&to=database/postgres-0&port=http', 'port', /PORT\[\/PROTOCOL\]/],
    ['/api/matrix?port=99999', 'port', /PORT 1-65535/],
    ['/api/graph?port=http', 'port', /PORT\[\/PROTOCOL\]/],
    ['/api/graph?level=galaxy', 'level', /expected auto, namespace, class, workload, pod/],
    ['/api/graph?namespace=nope', 'namespace', /"nope": no such namespace/],
    ['/api/matrix?namespace=nope', 'namespace', /no such namespace in the input \(have: backend, database, frontend, kube-system, monitoring\)/],
  ])('%s', async (path, param, message) => {
    const r = await fetch(new URL(path, server.url))
    expect(r.status).toBe(400)
    const body = (await r.json()) as { error: string; path: string }
    expect(body.path).toBe(param)
    expect(body.error).toMatch(message)
  })
})
