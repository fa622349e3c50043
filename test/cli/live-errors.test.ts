/**
 * What a user reads when the cluster cannot be read: one line naming what to fix, exit 2, nothing on stdout.
 * Each case runs against its own FAKE API server (real TLS), changed to fail the way a cluster does.
 */
import { join } from 'node:path'
import { afterEach, expect, test, vi } from 'vitest'
import { FakeApiServer, writeFakeKubeconfig } from '../fake-apiserver/index.js'
import { applyExample } from '../fake-apiserver/example.js'
import { scratchDir } from '../scratch-dir.js'
import { runCli } from './cli-harness.js'

const dir = scratchDir('netpol-live-err-')
let fake: FakeApiServer | undefined
afterEach(async () => {
  vi.unstubAllEnvs()
  await fake?.close()
  fake = undefined
})

async function cluster(): Promise<{ fake: FakeApiServer; kubeconfig: string }> {
  fake = await FakeApiServer.start()
  applyExample(fake)
  return { fake, kubeconfig: writeFakeKubeconfig(join(dir.path(), 'kubeconfig'), fake, { context: 'prod' }) }
}

test('no kubeconfig anywhere: what was looked for, and that -f reads files', async () => {
  vi.stubEnv('KUBECONFIG', '')
  vi.stubEnv('HOME', dir.path())
  vi.stubEnv('KUBERNETES_SERVICE_HOST', '')
  const r = await runCli(['matrix'])
  expect(r).toEqual({
    code: 2,
    out: '',
    err: `error: no cluster to read: no kubeconfig found (looked for KUBECONFIG: not set; ~/.kube/config: ${join(dir.path(), '.kube/config')} (no such file); in-cluster service account: KUBERNETES_SERVICE_HOST/PORT not set, /var/run/secrets/kubernetes.io/serviceaccount/token (no such file)); pass --kubeconfig FILE, set KUBECONFIG, or read files with -f\n`,
  })
})

test('--kubeconfig names a file that does not exist', async () => {
  const r = await runCli(['check', '--from', 'a/b', '--to', 'c/d', '--port', '80', '--kubeconfig', join(dir.path(), 'nope')])
  expect(r).toEqual({ code: 2, out: '', err: `error: kubeconfig ${join(dir.path(), 'nope')}: no such file\n` })
})

test('--context that the kubeconfig does not define', async () => {
  const { kubeconfig } = await cluster()
  const r = await runCli(['matrix', '--kubeconfig', kubeconfig, '--context', 'staging'])
  expect(r).toEqual({ code: 2, out: '', err: `error: kubeconfig ${kubeconfig}: no context "staging" (contexts: prod)\n` })
})

test('unreachable server: the URL', async () => {
  const { fake, kubeconfig } = await cluster()
  await fake.stop()
  const r = await runCli(['describe', '--kubeconfig', kubeconfig])
  expect(r).toEqual({ code: 2, out: '', err: `error: cluster prod: cannot reach the API server ${fake.url}: connect ECONNREFUSED ${fake.url.slice('https://'.length)}\n` })
})

test('expired credentials (401)', async () => {
  const { fake } = await cluster()
  const stale = writeFakeKubeconfig(join(dir.path(), 'stale'), fake, { context: 'prod', token: 'expired' })
  const r = await runCli(['lint', '--kubeconfig', stale])
  expect(r).toEqual({
    code: 2,
    out: '',
    err: `error: cluster prod: the API server ${fake.url} rejected the credentials of user "prod-user" (401 Unauthorized): they are missing or expired; log in again or renew the token in the kubeconfig\n`,
  })
})

test('RBAC denial: the verb, the resource and the rules to grant', async () => {
  const { fake, kubeconfig } = await cluster()
  fake.deny({ resource: 'pods', scope: 'cluster', verbs: ['list'] })
  const r = await runCli(['matrix', '--kubeconfig', kubeconfig])
  expect(r).toEqual({
    code: 2,
    out: '',
    err: 'error: cluster prod: user "system:serviceaccount:netpol:netpol" cannot list pods at cluster scope: grant get/list/watch on pods; see deploy/20-rbac.yaml\n',
  })
})

test('a missing API group', async () => {
  const { fake, kubeconfig } = await cluster()
  fake.disableGroup('networking.k8s.io')
  const r = await runCli(['matrix', '--kubeconfig', kubeconfig])
  expect(r).toEqual({
    code: 2,
    out: '',
    err: `error: cluster prod: the API server ${fake.url} does not serve networking.k8s.io/v1 networkpolicies (404): netpol needs Kubernetes 1.22 or later\n`,
  })
})

test('-f and --kubeconfig together: one input or the other', async () => {
  const r = await runCli(['matrix', '-f', 'examples/three-tier/', '--kubeconfig', 'k'])
  expect(r).toEqual({ code: 2, out: '', err: 'error: give -f or read the cluster (--kubeconfig), not both\n' })
})

test('an object the model refuses is named by its cluster origin', async () => {
  const { fake, kubeconfig } = await cluster()
  fake.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'bad', namespace: 'backend' }, spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] } })
  const r = await runCli(['matrix', '--kubeconfig', kubeconfig])
  expect(r.code).toBe(2)
  expect(r.err).toMatch(/^error: cluster prod: NetworkPolicy backend\/bad: spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: .*\n1 error in the input; nothing was evaluated\n$/)
})

test('a cluster with no object netpol reads: nothing to evaluate, as for an empty input', async () => {
  fake = await FakeApiServer.start()
  const kubeconfig = writeFakeKubeconfig(join(dir.path(), 'kubeconfig'), fake, { context: 'empty' })
  const r = await runCli(['matrix', '--kubeconfig', kubeconfig])
  expect(r).toEqual({ code: 2, out: '', err: 'error: nothing to evaluate: the cluster holds no Namespace, Pod, workload, NetworkPolicy, cluster policy, Node or Service\n' })
})
