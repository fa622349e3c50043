import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { FakeApiServer, writeFakeKubeconfig, type FakeKubeconfigOptions } from '../../../test/fake-apiserver/index.js'
import { scratchDir } from '../../../test/scratch-dir.js'
import { createKubeClient, type KubeClient } from './kube-client.js'
import { loadKubeConfig } from './kube-config.js'
import { formatKubeError } from './kube-error.js'
import { listAll } from './list-all.js'

let fake: FakeApiServer
const dir = scratchDir('netpol-list-')

beforeAll(async () => {
  fake = await FakeApiServer.start({ user: 'system:serviceaccount:netpol:reader' })
})
afterAll(() => fake.close())
afterEach(() => fake.allowAll())

function client(opts: FakeKubeconfigOptions = {}): KubeClient {
  const cfg = loadKubeConfig({ kubeconfig: writeFakeKubeconfig(join(dir.path(), 'config'), fake, { context: 'kind-test', ...opts }), env: {} })
  if (!cfg.ok) throw new Error(formatKubeError(cfg.error))
  return createKubeClient(cfg.value)
}

const pods = (n: number, ns = 'shop') =>
  Array.from({ length: n }, (_, i) => ({ kind: 'Pod', metadata: { namespace: ns, name: `web-${String(i).padStart(3, '0')}`, labels: { app: 'web' } }, spec: { nodeName: `node-${i % 2}` } }))

describe('listAll', () => {
  test('pages through a large list with limit/continue, filling kind and apiVersion', async () => {
    fake.apply(...pods(23))
    const progress: number[] = []
    const before = fake.requests.length
    const r = await listAll(client(), 'Pod', { limit: 5, onProgress: (n) => progress.push(n) })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.items).toHaveLength(23)
    expect(r.value.items[0]).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'web-000' } })
    expect(r.value.resourceVersion).toBe(String(fake.resourceVersion))
    expect(progress).toEqual([5, 10, 15, 20, 23])
    const asked = fake.requests.slice(before)
    expect(asked).toHaveLength(5)
    expect(asked[0]).toMatchObject({ path: '/api/v1/pods', query: { limit: '5' } })
    expect(asked[1]!.query.continue).toBeTruthy()
  })

  test('one namespace, a field selector, another API group', async () => {
    fake.apply(...pods(3, 'other'), { kind: 'NetworkPolicy', metadata: { namespace: 'other', name: 'deny' }, spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] } })
    const r = await listAll(client(), 'Pod', { namespace: 'other', fieldSelector: 'spec.nodeName=node-1' })
    expect(r.ok && r.value.items.map((i) => i.metadata.name)).toEqual(['web-001'])
    const np = await listAll(client(), 'NetworkPolicy', { namespace: 'other' })
    // the raw JSON: `from`, not the typed model's `_from`
    expect(np.ok && np.value.items[0]).toMatchObject({ kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', spec: { ingress: [{ from: [{ podSelector: {} }] }] } })
  })

  test('a continue token that expired mid-list starts the list over', async () => {
    let pages = 0
    const r = await listAll(client(), 'Pod', {
      limit: 10,
      onProgress: () => {
        if (pages++ === 0) fake.compact('Pod')
      },
    })
    expect(r.ok && r.value.items.length).toBe(26)
    expect(pages).toBeGreaterThan(3)
  })
})

describe('errors a user can act on', () => {
  test('403 names the verb, resource, scope and the fix', async () => {
    fake.deny({ resource: 'pods', scope: 'cluster' })
    fake.deny({ resource: 'deployments', scope: 'shop' })
    const c = client()
    const msg = async (r: Promise<{ ok: boolean; error?: unknown }>) => {
      const x = await r
      return x.ok ? 'ok' : formatKubeError((x as { error: Parameters<typeof formatKubeError>[0] }).error)
    }
    expect(await msg(listAll(c, 'Pod'))).toBe(
      'cluster kind-test: user "system:serviceaccount:netpol:reader" cannot list pods at cluster scope: grant get/list/watch on pods; see deploy/20-rbac.yaml',
    )
    expect(await msg(listAll(c, 'Deployment', { namespace: 'shop' }))).toBe(
      'cluster kind-test: user "system:serviceaccount:netpol:reader" cannot list deployments.apps in namespace "shop": grant get/list/watch on deployments.apps; see deploy/20-rbac.yaml',
    )
    const r = await listAll(c, 'Pod')
    expect(!r.ok && r.error).toMatchObject({ code: 'forbidden', subject: 'system:serviceaccount:netpol:reader', request: { verb: 'list' } })
    expect(!r.ok && r.error.code === 'forbidden' && r.error.request.namespace).toBeUndefined()
  })

  test('401 names the context and user', async () => {
    const r = await listAll(client({ token: 'expired' }), 'Namespace')
    expect(r.ok ? 'ok' : formatKubeError(r.error)).toBe(
      `cluster kind-test: the API server ${fake.url} rejected the credentials of user "kind-test-user" (401 Unauthorized): they are missing or expired; log in again or renew the token in the kubeconfig`,
    )
  })

  test('404 for an API group the server does not serve', async () => {
    const other = await FakeApiServer.start()
    other.disableGroup('apps')
    try {
      const cfg = loadKubeConfig({ kubeconfig: writeFakeKubeconfig(join(dir.path(), 'old'), other, { context: 'old' }), env: {} })
      const r = cfg.ok ? await listAll(createKubeClient(cfg.value), 'StatefulSet') : cfg
      expect(r.ok ? 'ok' : formatKubeError(r.error)).toBe(
        `cluster old: the API server ${other.url} does not serve apps/v1 statefulsets (404): netpol needs Kubernetes 1.22 or later`,
      )
    } finally {
      await other.close()
    }
  })

  test('unreachable: the URL and ECONNREFUSED', async () => {
    const gone = await FakeApiServer.start()
    const url = gone.url
    const cfg = loadKubeConfig({ kubeconfig: writeFakeKubeconfig(join(dir.path(), 'gone'), gone, { context: 'gone' }), env: {} })
    await gone.close()
    const r = cfg.ok ? await listAll(createKubeClient(cfg.value), 'Pod') : cfg
    expect(r.ok ? 'ok' : formatKubeError(r.error)).toBe(`cluster gone: cannot reach the API server ${url}: connect ECONNREFUSED ${url.replace('https://', '')}`)
  })

  test('a server that accepts connections and never answers: a timeout', async () => {
    const silent = createServer(() => undefined)
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()))
    const url = `https://127.0.0.1:${(silent.address() as { port: number }).port}`
    try {
      const cfg = loadKubeConfig({ kubeconfig: writeFakeKubeconfig(join(dir.path(), 'silent'), fake, { context: 'silent', server: url }), env: {} })
      const r = cfg.ok ? await listAll(createKubeClient(cfg.value, { requestTimeoutMs: 300 }), 'Pod') : cfg
      expect(r.ok ? 'ok' : formatKubeError(r.error)).toBe(`cluster silent: cannot reach the API server ${url}: no reply within 0.3 s (ETIMEDOUT)`)
    } finally {
      silent.close()
    }
  })

  test('a server certificate not signed by the kubeconfig CA', async () => {
    const r = await listAll(client({ ca: 'other' }), 'Pod')
    expect(r.ok ? 'ok' : formatKubeError(r.error)).toBe(
      `cluster kind-test: cannot verify the API server ${fake.url}: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN) (check certificate-authority in the kubeconfig)`,
    )
  })
})
