import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parse } from 'yaml'
import { filesInput, getJson, serveOn } from '../../../test/serve/http.js'
import type { PoliciesResponse, PolicySource } from '../api.js'
import { cut, liveYaml } from './policy-texts.js'
import type { RunningServer } from './server.js'
import { runLintJob, type LintOutcome } from './lint-job.js'
import { cached } from './snapshot-cache.js'

let server: RunningServer
let policies: readonly PolicySource[]
beforeAll(async () => {
  server = await serveOn(await filesInput(['examples/three-tier/', 'examples/mistakes/shop.yaml']))
  policies = (await settled(server, '/api/policies')).policies
})

/** The answer once the server's lint is in it (it answers without its findings while the lint runs). */
async function settled(s: RunningServer, path: string): Promise<PoliciesResponse> {
  for (;;) {
    const r = await getJson<PoliciesResponse>(s, path)
    if (!r.lintPending) return r
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
afterAll(() => server.close())

const find = (ref: string) => policies.find((p) => `${p.namespace}/${p.name}` === ref)!

describe('GET /api/policies', () => {
  test("a policy's text is the slice of its file, from the line it starts at", () => {
    const p = find('database/postgres-from-api')
    const file = readFileSync('examples/three-tier/policies/database.yaml', 'utf8')
    expect(p.file).toBe('examples/three-tier/policies/database.yaml')
    expect(p.line).toBe(2)
    expect(p.yaml).toBe(file.split('\n').slice(1).join('\n'))
  })

  test('every policy of a multi-document file is its own document, and parses back to the object', () => {
    for (const p of policies.filter((x) => x.file?.endsWith('.yaml'))) {
      const o = parse(p.yaml)
      expect(o).toMatchObject({ kind: 'NetworkPolicy', metadata: { name: p.name } })
      const lines = readFileSync(p.file!, 'utf8').split('\n')
      expect(lines[p.line! - 1]!.trim()).toBe(p.yaml.split('\n')[0]!.trim())
    }
  })

  test('an item of a List (kubectl get -o json) is its JSON object, unindented', async () => {
    const dump = await serveOn(await filesInput(['test/fixtures/kubectl-get-all/dump.json']))
    try {
      const fromDump = (await getJson<PoliciesResponse>(dump, '/api/policies')).policies
      expect(fromDump.length).toBeGreaterThan(0)
      for (const p of fromDump) {
        expect(p.file).toBe('test/fixtures/kubectl-get-all/dump.json')
        expect(p.yaml.startsWith('{')).toBe(true)
        expect(JSON.parse(p.yaml)).toMatchObject({ kind: 'NetworkPolicy', metadata: { name: p.name, namespace: p.namespace } })
      }
    } finally {
      await dump.close()
    }
  })

  test('lint findings sit at their lines within the policy', () => {
    const p = find('shop/web-ingress')
    expect(p.problems).toEqual([expect.objectContaining({ severity: 'warning', code: 'NP006', path: 'spec.ingress[0].ports[0].port', line: 7, column: 20 })])
    expect(p.yaml.split('\n')[6]).toBe('  - ports: [{port: 80}]')
  })

  test('the describe text beside it', () => {
    expect(find('backend/api-egress').describe).toMatch(/^Name: +api-egress\nNamespace: +backend\n/)
  })

  test('the order of /api/cluster', async () => {
    const summary = await getJson(server, '/api/cluster')
    expect(policies.map((p) => `${p.namespace}/${p.name}`)).toEqual(summary.policies.map((p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`))
  })
})

test('cut: a List item as a block of its own', () => {
  const text = 'items:\n- kind: A\n  spec:\n    x: 1\n- kind: B\n'
  expect(cut(text, text.indexOf('kind: A'), text.indexOf('- kind: B'))).toBe('kind: A\nspec:\n  x: 1\n')
})

test('a live object is shown without status and managedFields, apiVersion and kind first', () => {
  const yaml = liveYaml({
    metadata: { name: 'p', namespace: 'n', managedFields: [{ manager: 'kubectl' }], uid: 'u' },
    spec: { podSelector: {} },
    status: {},
    kind: 'NetworkPolicy',
    apiVersion: 'networking.k8s.io/v1',
  })
  expect(yaml).toBe('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: n\n  uid: u\nspec:\n  podSelector: {}\n')
})

test('?namespace= and ?policy= answer only those policies; a namespace the input lacks is 400', async () => {
  const one = await serveOn(await filesInput(['examples/three-tier/']))
  try {
    const names = async (q: string) => (await getJson<PoliciesResponse>(one, `/api/policies?${q}`)).policies.map((p) => `${p.namespace}/${p.name}`)
    expect(await names('namespace=database')).toEqual(['database/allow-dns', 'database/allow-scrape', 'database/default-deny-all', 'database/postgres-from-api'])
    expect(await names('policy=backend/api-egress&namespace=frontend')).toEqual(['backend/api-egress', 'frontend/allow-dns', 'frontend/allow-scrape', 'frontend/default-deny-all', 'frontend/web-from-internet', 'frontend/web-to-api'])
    const all = await settled(one, '/api/policies')
    expect((await settled(one, '/api/policies?namespace=backend')).policies).toEqual(all.policies.filter((p) => p.namespace === 'backend'))
    const bad = await fetch(new URL('/api/policies?namespace=nope', one.url))
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ error: '"nope": no such namespace', path: 'namespace' })
  } finally {
    await one.close()
  }
})

describe('GET /api/policies while the lint still runs', () => {
  test('answers at once without the lint findings and says so; a later answer has them', async () => {
    const input = await filesInput(['examples/three-tier/', 'examples/mistakes/shop.yaml'])
    const snapshot = input.current()
    // the lint of this snapshot ends when the test says so
    let finish: (o: LintOutcome) => void = () => {}
    cached(snapshot, 'lint', () => new Promise<LintOutcome>((resolve) => { finish = resolve }))
    const held = await serveOn(input)
    try {
      const path = '/api/policies?namespace=shop'
      const first = await getJson<PoliciesResponse>(held, path)
      expect(first.lintPending).toBe(true)
      expect(first.policies.flatMap((p) => p.problems)).toEqual([])
      // every policy at once: an answer kept for the snapshot, but not before the findings are in it
      expect((await getJson<PoliciesResponse>(held, '/api/policies')).lintPending).toBe(true)
      finish(await runLintJob(snapshot.lintJob()))
      const later = await getJson<PoliciesResponse>(held, path)
      expect(later.lintPending).toBeUndefined()
      expect(later.policies).toEqual(policies.filter((p) => p.namespace === 'shop'))
      expect(later.policies.flatMap((p) => p.problems).length).toBeGreaterThan(0)
      expect(await getJson<PoliciesResponse>(held, '/api/policies')).toEqual({ policies })
    } finally {
      await held.close()
    }
  })
})
