/**
 * Every command with no -f reads the cluster of the kubeconfig context, and says the same as with -f on a
 * `kubectl get -o json` dump of the same objects. The cluster is the test suite's FAKE API server (real wire
 * format over TLS) holding examples/three-tier.
 */
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { describe, expect, test, vi } from 'vitest'
import { FakeApiServer, writeFakeKubeconfig } from '../fake-apiserver/index.js'
import { fakeApiServer } from '../fake-apiserver/fixture.js'
import { applyExample, dumpList } from '../fake-apiserver/example.js'
import { scratchDir } from '../scratch-dir.js'
import { runCli } from './cli-harness.js'

const api = fakeApiServer()
const dir = scratchDir('netpol-live-')

/** a kubeconfig for the fake and the dump of its objects, in this test's scratch directory */
function setup(opts: Parameters<typeof writeFakeKubeconfig>[2] = {}): { kubeconfig: string; dump: string } {
  const kubeconfig = writeFakeKubeconfig(join(dir.path(), 'kubeconfig'), api.server, opts)
  const dump = join(dir.path(), 'dump.json')
  writeFileSync(dump, JSON.stringify(dumpList(api.server), null, 2))
  return { kubeconfig, dump }
}

describe('with no -f, a command reads the cluster and answers as for a dump of it', () => {
  test.each([
    ['check', ['check', '--from', 'backend/worker-3a9', '--to', 'database/postgres-0', '--port', '5432/TCP']],
    ['check -o json', ['check', '--from', 'frontend/web-7d9', '--to', 'svc/backend/api:80', '-o', 'json']],
    ['matrix', ['matrix']],
    ['matrix -o json', ['matrix', '-o', 'json']],
    ['describe', ['describe']],
    ['describe pod', ['describe', 'pod', 'database/postgres-0']],
  ])('%s', async (_, argv) => {
    const { kubeconfig, dump } = setup()
    const live = await runCli([...argv, '--kubeconfig', kubeconfig])
    const files = await runCli([...argv, '-f', dump])
    expect(live.err).toBe('')
    expect(live.out.length).toBeGreaterThan(10)
    expect({ code: live.code, out: live.out }).toEqual({ code: files.code, out: files.out })
  })

  test('lint -o json: the same findings, each object named by its cluster origin instead of file:line', async () => {
    const { kubeconfig, dump } = setup()
    const live = await runCli(['lint', '-o', 'json', '--kubeconfig', kubeconfig])
    const files = await runCli(['lint', '-o', 'json', '-f', dump])
    expect(live.code).toBe(files.code)
    const origins: string[] = []
    const placed = (text: string, keep: boolean) =>
      JSON.parse(text, (k, v) => {
        if (k === 'file' && keep) origins.push(v as string)
        return k === 'file' || k === 'line' || k === 'column' ? undefined : v
      })
    expect(placed(live.out, true)).toEqual(placed(files.out, false))
    expect(origins.length).toBeGreaterThan(0)
    for (const o of origins) expect(o).toMatch(/^cluster fake: (Namespace|Pod|NetworkPolicy|Service) [a-z0-9/-]+$/)
  })
})

describe('which cluster: --kubeconfig, KUBECONFIG, --context', () => {
  test('KUBECONFIG files are merged as kubectl merges them; the current context is read, --context picks another', async () => {
    // the first file sets current-context: its user's token is no longer accepted
    const stale = writeFakeKubeconfig(join(dir.path(), 'a', 'config'), api.server, { context: 'staging', token: 'expired' })
    const prod = writeFakeKubeconfig(join(dir.path(), 'b', 'config'), api.server, { context: 'prod' })
    const { dump } = setup()
    vi.stubEnv('KUBECONFIG', `${stale}:${prod}`)
    try {
      const current = await runCli(['matrix'])
      expect({ code: current.code, err: current.err }).toEqual({
        code: 2,
        err: `error: cluster staging: the API server ${api.server.url} rejected the credentials of user "staging-user" (401 Unauthorized): they are missing or expired; log in again or renew the token in the kubeconfig\n`,
      })
      const other = await runCli(['matrix', '--context', 'prod'])
      expect(other).toEqual({ ...(await runCli(['matrix', '-f', dump])), err: '' })
    } finally {
      vi.unstubAllEnvs()
    }
  })

  test('kubectl netpol: the plugin reads the cluster of KUBECONFIG with no -f', async () => {
    const { kubeconfig, dump } = setup()
    // not spawnSync: the fake answers from this process
    const run = promisify(execFile)
    const plugin = (args: string[]) => run(process.execPath, ['dist/cli/kubectl-netpol.js', ...args], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeconfig } })
    const live = await plugin(['matrix'])
    expect(live.stderr).toBe('')
    expect(live.stdout).toBe((await plugin(['matrix', '-f', dump])).stdout)
  })
})

describe('-n and -A limit what is shown; the analysis still reads every namespace', () => {
  test.each([
    ['matrix -n is --namespace', ['matrix', '-n', 'database'], ['matrix', '--namespace', 'database']],
    ['matrix -A is every namespace', ['matrix', '-A'], ['matrix']],
    ['describe -n', ['describe', '-n', 'database', '-o', 'json'], ['describe', 'database/allow-dns', 'database/allow-scrape', 'database/default-deny-all', 'database/postgres-from-api', '-o', 'json']],
  ])('%s', async (_, a, b) => {
    const { kubeconfig } = setup()
    const x = await runCli([...a, '--kubeconfig', kubeconfig])
    const y = await runCli([...b, '--kubeconfig', kubeconfig])
    expect(x.code).toBe(0)
    expect(x).toEqual(y)
  })

  test('lint -n shows the findings of that namespace only', async () => {
    const { kubeconfig } = setup()
    const all = JSON.parse((await runCli(['lint', '-o', 'json', '--kubeconfig', kubeconfig])).out) as { findings: { object: { kind: string; namespace?: string; name: string } }[] }
    const some = JSON.parse((await runCli(['lint', '-o', 'json', '-n', 'monitoring', '--kubeconfig', kubeconfig])).out) as typeof all
    const inMonitoring = all.findings.filter((f) => (f.object.kind === 'Namespace' ? f.object.name : f.object.namespace) === 'monitoring')
    expect(inMonitoring.length).toBeGreaterThan(0)
    expect(inMonitoring.length).toBeLessThan(all.findings.length)
    expect(some.findings).toEqual(inMonitoring)
  })

  test.each([
    [['matrix', '-n', 'database', '-A'], 'error: give -n NAMESPACE or -A (every namespace), not both\n'],
    [['describe', '-n', 'nope'], 'error: -n nope: no such namespace in the input (have: backend, database, frontend, kube-system, monitoring)\n'],
    [['lint', '-n', 'nope'], 'error: -n nope: no such namespace in the input (have: backend, database, frontend, kube-system, monitoring)\n'],
  ])('%j', async (argv, err) => {
    const { kubeconfig } = setup()
    expect(await runCli([...argv, '--kubeconfig', kubeconfig])).toEqual({ code: 2, out: '', err })
  })
})

describe('the README shows what netpol prints against the fake', () => {
  const readme = readFileSync('README.md', 'utf8')
  test.each([
    [['matrix', '--port', '5432/TCP'], 0],
    [['matrix', '-n', 'database', '--port', '5432/TCP'], 0],
    [['diff', '--live', '-f', 'examples/three-tier-v2/policies/'], 0],
  ])('%j', async (argv, code) => {
    const { kubeconfig } = setup({ context: 'prod' })
    vi.stubEnv('KUBECONFIG', kubeconfig)
    try {
      const r = await runCli(argv as string[])
      expect({ code: r.code, err: r.err }).toEqual({ code, err: '' })
      expect(readme).toContain(`$ npx netpol ${(argv as string[]).join(' ')}\n${r.out.trimEnd()}\n`)
    } finally {
      vi.unstubAllEnvs()
    }
  })

  test('the errors', async () => {
    vi.stubEnv('KUBECONFIG', '')
    vi.stubEnv('HOME', '/home/me')
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '')
    try {
      const none = await runCli(['matrix'])
      expect(none.code).toBe(2)
      expect(readme).toContain(`$ HOME=/home/me KUBECONFIG= npx netpol matrix\n${none.err}`)
    } finally {
      vi.unstubAllEnvs()
    }
    const denied = await FakeApiServer.start()
    try {
      applyExample(denied)
      denied.deny({ resource: 'pods', scope: 'cluster', verbs: ['list'] })
      const r = await runCli(['matrix', '--kubeconfig', writeFakeKubeconfig(join(dir.path(), 'denied'), denied, { context: 'prod' })])
      expect(r.code).toBe(2)
      expect(readme).toContain(`$ npx netpol matrix\n${r.err}`)
    } finally {
      await denied.close()
    }
  })
})
