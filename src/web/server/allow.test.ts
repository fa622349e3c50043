import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parse } from 'yaml'
import { runCli } from '../../../test/cli/cli-harness.js'
import { scratchDir } from '../../../test/scratch-dir.js'
import { filesInput, postJson, serveOn } from '../../../test/serve/http.js'
import type { RunningServer } from './server.js'

let threeTier: RunningServer
let dump: RunningServer
beforeAll(async () => {
  threeTier = await serveOn(await filesInput(['examples/three-tier/']))
  dump = await serveOn(await filesInput(['test/fixtures/kubectl-get-all/dump.json']))
})
afterAll(async () => {
  await threeTier.close()
  await dump.close()
})
const dir = scratchDir('netpol-allow-')

/** `netpol check` on the input with the policies written beside it: the engine's word, as a user gets it */
async function checkWith(input: string, policies: readonly { yaml: string }[], from: string, to: string, port: string) {
  const file = dir.write('allow.yaml', policies.map((p) => p.yaml).join('---\n'))
  return runCli(['check', '-f', input, '-f', file, '--from', from, '--to', to, '--port', port])
}

describe('POST /api/allow', () => {
  test('worker → postgres: one ingress policy at the database, which then allows it', async () => {
    const r = await postJson(threeTier, '/api/allow', { from: 'backend/worker-3a9', to: 'database/postgres-0', port: '5432/TCP' })
    expect(r.status).toBe(200)
    expect(r.body.alreadyAllowed).toBe(false)
    // the worker's egress allows it already (api-egress): only the destination needs a policy
    expect(r.body.policies.map((p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`)).toEqual(['database/postgres-from-worker-5432-tcp'])
    const policy = parse(r.body.policies[0].yaml)
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { app: 'postgres' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'worker' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'backend' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    })
    expect(r.body.policies[0].yaml).toMatch(/^# Ingress: allows backend\/worker-3a9 → database\/postgres-0 on 5432\/TCP, which the ingress of postgres denies now/)
    // the what-if of adding it: exactly this connection opens
    expect(r.body.whatif.errors).toEqual([])
    expect(r.body.whatif.diff.summary).toEqual({ allowed: { groups: 1, connections: 1 }, denied: { groups: 0, connections: 0 } })
    const checked = await checkWith('examples/three-tier/', r.body.policies, 'backend/worker-3a9', 'database/postgres-0', '5432/TCP')
    expect(checked.out).toMatch(/^ALLOWED/)
  })

  test('where egress and ingress both deny it: a policy at each end, for the whole workload', async () => {
    const r = await postJson(threeTier, '/api/allow', { from: 'database/postgres-0', to: 'frontend/web-7d9', port: '8080/TCP' })
    expect(r.body.policies.map((p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`).sort()).toEqual(['database/postgres-to-web-8080-tcp', 'frontend/web-from-postgres-8080-tcp'])
    // the policies select the workload (app=web), not the one pod: both replicas of web open
    expect(r.body.whatif.diff.summary.allowed.connections).toBe(2)
  })

  test('already allowed: nothing to add', async () => {
    const r = await postJson(threeTier, '/api/allow', { from: 'backend/api-5c4', to: 'database/postgres-0', port: '5432/TCP' })
    expect(r.body).toMatchObject({ alreadyAllowed: true, policies: [], whatif: { errors: [] } })
    expect(r.body.whatif.diff.changes).toEqual([])
  })

  test('selectors by stable labels: never pod-template-hash or a StatefulSet pod name', async () => {
    const r = await postJson(dump, '/api/allow', { from: 'shop/postgres-0', to: 'shop/web-7d9f8b6c5-b8x4k', port: '53/TCP' })
    expect(r.status).toBe(200)
    expect(r.body.policies.length).toBeGreaterThan(0)
    const text = r.body.policies.map((p: { yaml: string }) => p.yaml).join('\n')
    for (const unstable of ['pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index']) expect(text).not.toContain(unstable)
    // every replica of web is allowed, not only the one asked about
    const checked = await checkWith('test/fixtures/kubectl-get-all/dump.json', r.body.policies, 'shop/postgres-0', 'deploy/shop/web', '53/TCP')
    expect(checked.code).toBe(0)
  })

  test('a workload as the destination: its pods', async () => {
    const r = await postJson(dump, '/api/allow', { from: 'shop/postgres-0', to: 'deploy/shop/web', port: '53/TCP' })
    expect(r.body.whatif.diff.summary.allowed.connections).toBe(3)
  })

  test.each([
    [{ from: 'backend/nope', to: 'database/postgres-0', port: '5432/TCP' }, 'from', /no such pod in the input/],
    [{ from: 'backend/worker-3a9', to: 'database/postgres-0', port: 'any' }, 'port', /one port/],
    [{ from: 'backend/worker-3a9', to: 'database/postgres-0', port: 'http' }, 'port', /PORT\[\/PROTOCOL\]/],
    [{ from: 'backend/worker-3a9', to: 'backend/worker-3a9', port: '80' }, 'to', /always reach itself/],
    [{ from: 'backend/worker-3a9' }, 'to', /endpoint/],
  ])('%j is 400 about %s', async (body, path, message) => {
    const r = await postJson(threeTier, '/api/allow', body)
    expect(r.status).toBe(400)
    expect(r.body.path).toBe(path)
    expect(r.body.error).toMatch(message)
  })
})
