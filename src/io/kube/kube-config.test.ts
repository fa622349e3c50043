import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FakeApiServer, fakeKubeconfigYaml, writeFakeKubeconfig } from '../../../test/fake-apiserver/index.js'
import { scratchDir } from '../../../test/scratch-dir.js'
import { createKubeClient } from './kube-client.js'
import { loadKubeConfig, type KubeConfigOptions } from './kube-config.js'
import { formatKubeError } from './kube-error.js'
import { listAll } from './list-all.js'

let fake: FakeApiServer
const dir = scratchDir('netpol-kubeconfig-')

beforeAll(async () => {
  fake = await FakeApiServer.start()
  fake.apply({ kind: 'Namespace', metadata: { name: 'shop' } })
})
afterAll(() => fake.close())

/** Loads the kubeconfig and lists namespaces through it; the context and names read, or the error message. */
async function readThrough(opts: KubeConfigOptions): Promise<string> {
  const cfg = loadKubeConfig(opts)
  if (!cfg.ok) return formatKubeError(cfg.error)
  const list = await listAll(createKubeClient(cfg.value), 'Namespace')
  if (!list.ok) return formatKubeError(list.error)
  return `${cfg.value.context} ${cfg.value.user}${cfg.value.namespace ? ` ns=${cfg.value.namespace}` : ''}: ${list.value.items.map((i) => i.metadata.name).join(',')}`
}

describe('loadKubeConfig', () => {
  test('--kubeconfig with a bearer token', async () => {
    const file = writeFakeKubeconfig(join(dir.path(), 'config'), fake, { context: 'dev', namespace: 'shop' })
    expect(await readThrough({ kubeconfig: file, env: {} })).toBe('dev dev-user ns=shop: shop')
  })

  test('a CA file named relative to the kubeconfig, and a client certificate', async () => {
    const file = writeFakeKubeconfig(join(dir.path(), 'sub', 'config'), fake, { context: 'certs', caFile: true, clientCert: true })
    expect(await readThrough({ kubeconfig: file, env: {} })).toBe('certs certs-user: shop')
  })

  test('KUBECONFIG merges files: the first to set current-context or a name wins; --context picks another', async () => {
    const a = writeFakeKubeconfig(join(dir.path(), 'a'), fake, { context: 'a' })
    // b defines context b, and a second "a" context with a wrong token, which must lose to the first file's
    const b = dir.write('b', fakeKubeconfigYaml(fake, { context: 'b' }))
    const bad = dir.write('c', fakeKubeconfigYaml(fake, { context: 'a', token: 'wrong' }).replace('current-context: a', 'current-context: c'))
    const env = { KUBECONFIG: [a, join(dir.path(), 'missing'), b, bad].join(':') }
    expect(await readThrough({ env })).toBe('a a-user: shop')
    expect(await readThrough({ env, context: 'b' })).toBe('b b-user: shop')
  })

  test('~/.kube/config when KUBECONFIG is not set', async () => {
    writeFakeKubeconfig(join(dir.path(), '.kube', 'config'), fake, { context: 'home' })
    expect(await readThrough({ env: { HOME: dir.path() } })).toBe('home home-user: shop')
  })

  test('in-cluster: token, CA and namespace from the service-account directory', async () => {
    const sa = join(dir.path(), 'sa')
    dir.write('sa/token', `${fake.token}\n`)
    dir.write('sa/ca.crt', fake.certs.ca)
    dir.write('sa/namespace', 'netpol')
    const port = new URL(fake.url).port
    const env = { HOME: dir.path(), KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port }
    expect(await readThrough({ env, serviceAccountDir: sa })).toBe('in-cluster service account ns=netpol: shop')
  })

  test.each([
    { name: 'a --kubeconfig that does not exist', setup: () => ({ kubeconfig: '/nonexistent/config', env: {} }), want: 'kubeconfig /nonexistent/config: no such file' },
    {
      name: 'an unknown --context',
      setup: () => ({ kubeconfig: writeFakeKubeconfig(join(dir.path(), 'k'), fake, { context: 'dev' }), context: 'prod', env: {} }),
      want: (d: string) => `kubeconfig ${d}/k: no context "prod" (contexts: dev)`,
    },
    { name: 'an empty file', setup: () => ({ kubeconfig: dir.write('empty', ''), env: {} }), want: (d: string) => `kubeconfig ${d}/empty: not a kubeconfig: the file is empty or not a YAML mapping` },
    {
      name: 'a cluster without a server',
      setup: () => ({ kubeconfig: dir.write('noserver', 'clusters:\n- name: x\n  cluster: {}\n'), env: {} }),
      want: (d: string) => `kubeconfig ${d}/noserver: clusters[0].cluster.server is missing`,
    },
    {
      name: 'a context naming an undefined user',
      setup: () => ({ kubeconfig: dir.write('nouser', fakeKubeconfigYaml(fake, { context: 'x' }).replace('user: x-user', 'user: ghost')), env: {} }),
      want: (d: string) => `kubeconfig ${d}/nouser: context "x" names user "ghost", which is not defined`,
    },
    {
      name: 'a CA file that does not exist',
      setup: () => ({ kubeconfig: dir.write('noca', fakeKubeconfigYaml(fake, { context: 'x', caFile: true })), env: {} }),
      want: (d: string) => `kubeconfig ${d}/noca: certificate-authority ${d}/ca-x.crt of context "x": no such file`,
    },
    {
      name: 'no kubeconfig anywhere',
      setup: () => ({ env: { HOME: dir.path() }, serviceAccountDir: join(dir.path(), 'no-sa') }),
      want: (d: string) =>
        `no cluster to read: no kubeconfig found (looked for KUBECONFIG: not set; ~/.kube/config: ${d}/.kube/config (no such file); in-cluster service account: KUBERNETES_SERVICE_HOST/PORT not set, ${d}/no-sa/token (no such file)); pass --kubeconfig FILE, set KUBECONFIG, or read files with -f`,
    },
  ])('$name', async ({ setup, want }) => {
    const text = typeof want === 'string' ? want : want(dir.path())
    expect(await readThrough(setup())).toBe(text)
  })

  test('KUBECONFIG naming only missing files says so', async () => {
    const env = { KUBECONFIG: '/nope/a:/nope/b' }
    const r = loadKubeConfig({ env, serviceAccountDir: '/nope/sa' })
    expect(r.ok ? 'loaded' : formatKubeError(r.error)).toBe(
      'no cluster to read: no kubeconfig found (looked for KUBECONFIG: /nope/a:/nope/b (no such file); in-cluster service account: KUBERNETES_SERVICE_HOST/PORT not set, /nope/sa/token (no such file)); pass --kubeconfig FILE, set KUBECONFIG, or read files with -f',
    )
  })
})

