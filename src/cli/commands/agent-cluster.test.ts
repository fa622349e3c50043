/** `netpol agent` without -f, against the FAKE API server of the tests (real TLS), with real nft in a scratch namespace. */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FakeApiServer, writeFakeKubeconfig, type Obj } from '../../../test/fake-apiserver/index.js'
import { parseCli, runCli } from '../../../test/cli/cli-harness.js'
import { hostSupports } from '../../../test/requirements.js'
import { nodePodCidrs } from './agent-cluster.js'

let fake: FakeApiServer
let kubeconfig: string
// one kubeconfig for the whole file, made before the tests (a scratchDir is made per test)
const dir = mkdtempSync(join(tmpdir(), 'netpol-agent-cluster-cli-'))

const pg: Obj = {
  kind: 'Pod',
  metadata: { namespace: 'db', name: 'pg', labels: { app: 'pg' } },
  spec: { nodeName: 'n1', containers: [{ name: 'pg', image: 'pg', ports: [{ containerPort: 5432 }] }] },
  status: { phase: 'Running', podIP: '10.244.1.5', hostIP: '192.168.0.10' },
}

beforeAll(async () => {
  fake = await FakeApiServer.start()
  kubeconfig = writeFakeKubeconfig(join(dir, 'config'), fake, { context: 'kind-x' })
  fake.apply({ kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24', 'fd00:10:244:1::/64'] } })
  fake.apply({ kind: 'Namespace', metadata: { name: 'db' } }, pg, { kind: 'NetworkPolicy', metadata: { namespace: 'db', name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } })
})
afterAll(async () => {
  await fake.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('usage', () => {
  test('--node-name defaults from NODE_NAME (the downward API in the DaemonSet)', async () => {
    const before = process.env.NODE_NAME
    process.env.NODE_NAME = 'worker-3'
    try {
      expect((await parseCli(['agent'])).opts).toMatchObject({ nodeName: 'worker-3', filename: [] })
      expect((await parseCli(['agent', '--node-name', 'n1'])).opts).toMatchObject({ nodeName: 'n1' })
    } finally {
      if (before === undefined) delete process.env.NODE_NAME
      else process.env.NODE_NAME = before
    }
  })
  test.each([
    { name: 'no node named', args: ['--kubeconfig', 'k'], err: 'error: say which pods this node runs: --node-name NODE (or env NODE_NAME), --pod-cidr CIDR (repeatable), --node-ip IP, or --all-pods\n' },
    { name: '--kubeconfig with -f', args: ['-f', 'x.yaml', '--kubeconfig', 'k', '--node-name', 'n1'], err: 'error: --kubeconfig and --context read the cluster: leave out -f\n' },
    { name: '--unknown-pods drop with -f and no --pod-cidr', args: ['-f', 'x.yaml', '--node-name', 'n1', '--unknown-pods', 'drop'], err: "error: --unknown-pods drop needs the node's pod CIDRs: --pod-cidr\n" },
    { name: '--unknown-pods drop, no node and no --pod-cidr', args: ['--all-pods', '--unknown-pods', 'drop'], err: "error: --unknown-pods drop needs the node's pod CIDRs: --node-name (its Node's spec.podCIDRs) or --pod-cidr\n" },
    { name: '--all-pods with --node-name', args: ['--all-pods', '--node-name', 'n1'], err: 'error: --all-pods cannot be combined with --pod-cidr, --node-ip or --node-name\n' },
  ])('$name', async ({ args, err }) => {
    const r = await runCli(['agent', ...args])
    expect(r).toMatchObject({ code: 2, err })
  })
})

describe("a Node's pod CIDRs", () => {
  test.each([
    { name: 'spec.podCIDRs, dual-stack', node: { spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24', 'fd00:10:244:1::/64'] } }, cidrs: ['10.244.1.0/24', 'fd00:10:244:1::/64'], bad: [] },
    { name: 'only spec.podCIDR (older API servers)', node: { spec: { podCIDR: '10.244.2.0/24' } }, cidrs: ['10.244.2.0/24'], bad: [] },
    { name: 'not allocated yet', node: { spec: {} }, cidrs: [], bad: [] },
    { name: 'not a CIDR', node: { spec: { podCIDRs: ['10.244.300.0/24'] } }, cidrs: [], bad: ['10.244.300.0/24'] },
  ])('$name', ({ node, cidrs, bad }) => {
    const r = nodePodCidrs(node)
    expect({ cidrs: r.cidrs.map((c) => c.text), bad: r.bad }).toEqual({ cidrs, bad })
  })
})

describe.runIf(hostSupports('netpol agent against the fake API server (agent-cluster.test.ts)', ['ip', 'nft']))('against the fake API server', () => {
  const ns = `npk${process.pid}`
  const nft = (...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, 'nft', ...args], { encoding: 'utf8' })
  const tables = () => nft('list', 'tables')
  beforeAll(() => execFileSync('ip', ['netns', 'add', ns]))
  afterAll(() => execFileSync('ip', ['netns', 'del', ns]))

  test('RBAC denial at start: the message names the verb, the resource and the fix; exit 1; the host untouched', async () => {
    fake.deny({ resource: 'pods', scope: 'cluster' })
    try {
      const r = await runCli(['agent', '--kubeconfig', kubeconfig, '--node-name', 'n1', '--netns', ns, '--once'])
      expect(r.err).toBe('error: cluster kind-x: user "system:serviceaccount:netpol:netpol" cannot list pods at cluster scope: grant get/list/watch on pods; see deploy/20-rbac.yaml\n')
      expect(r.code).toBe(1)
      expect(tables()).toBe('')
    } finally {
      fake.allowAll()
    }
  })

  test('an unusable kubeconfig: exit 2', async () => {
    const r = await runCli(['agent', '--kubeconfig', join(dir, 'missing'), '--node-name', 'n1', '--netns', ns, '--once'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/^error: .*missing/)
  })

  test('--once: the node\'s pods from the cluster, applied', async () => {
    const r = await runCli(['agent', '--kubeconfig', kubeconfig, '--node-name', 'n1', '--netns', ns, '--once'])
    expect(r.err).toMatch(/cluster kind-x listed: 1 Namespace, 1 Pod, 1 NetworkPolicy, 1 Node\n.*table inet netpol replaced in \d+ ms: 1 managed pods/)
    expect(r.code).toBe(0)
    expect(nft('list', 'table', 'inet', 'netpol')).toMatch(/10\.244\.1\.5 : jump in4_/)
    // another node's agent filters no pod of this cluster
    const other = await runCli(['agent', '--kubeconfig', kubeconfig, '--node-name', 'n2', '--netns', ns, '--once'])
    expect(other.err).toMatch(/0 managed pods/)
    await runCli(['agent', '--uninstall', '--netns', ns])
  })

  test("--once: the unknown-pod guard from the Node's spec.podCIDRs, or said when it cannot be", async () => {
    const r = await runCli(['agent', '--kubeconfig', kubeconfig, '--node-name', 'n1', '--netns', ns, '--once'])
    expect(r.err).toMatch(/node n1: pod CIDRs 10\.244\.1\.0\/24, fd00:10:244:1::\/64; an address in them that no known pod holds is dropped/)
    const table = nft('list', 'table', 'inet', 'netpol')
    expect(table).toMatch(/set podnet4_g\w+ \{[^}]*elements = \{ 10\.244\.1\.0\/24 \}/)
    expect(table).toMatch(/set known4_g\w+ \{[^}]*elements = \{ 10\.244\.1\.5 \}/)
    expect(table).toMatch(/ip daddr @podnet4_g\w+ ip daddr != @known4_g\w+ ip saddr != @nodeaddr4_g\w+ jump unknown_in_g\w+/)
    // allow: as before the guard
    await runCli(['agent', '--kubeconfig', kubeconfig, '--node-name', 'n1', '--netns', ns, '--once', '--unknown-pods', 'allow'])
    expect(nft('list', 'table', 'inet', 'netpol')).not.toContain('podnet4')
    // a node the API does not know: said, and no guard
    const other = await runCli(['agent', '--kubeconfig', kubeconfig, '--node-name', 'n9', '--netns', ns, '--once'])
    expect(other.code).toBe(0)
    expect(other.err).toMatch(/node n9: its pod CIDRs cannot be read \(.*\): a new pod is not filtered until its rules are in/)
    await runCli(['agent', '--uninstall', '--netns', ns])
  })

  test('running: ready after the first sync; follows the API; stays ready while the API is down; metrics of the API side', async () => {
    const port = 21000 + (process.pid % 20000)
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'agent', '--kubeconfig', kubeconfig, '--netns', ns, '--metrics', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NODE_NAME: 'n1' },
    })
    let err = ''
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    const until = async (what: () => boolean | Promise<boolean>, ms = 15_000) => {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (await what()) return
      throw new Error(`timed out; agent said:\n${err}`)
    }
    const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`).then(async (r) => ({ status: r.status, body: await r.text() }), () => ({ status: 0, body: '' }))
    try {
      await until(async () => (await get('/readyz')).status === 200)
      expect(nft('list', 'table', 'inet', 'netpol')).toMatch(/10\.244\.1\.5 : jump in4_/)
      fake.apply({ kind: 'NetworkPolicy', metadata: { namespace: 'db', name: 'allow' }, spec: { podSelector: {}, ingress: [{}] } })
      await until(() => /changed \(/.test(err))
      expect(nft('list', 'table', 'inet', 'netpol')).toContain('ingress: db/allow db/deny')
      const held = nft('list', 'table', 'inet', 'netpol')
      await fake.stop()
      await until(() => /unreachable|cannot reach|connect/i.test(err))
      expect((await get('/readyz')).status).toBe(200)
      expect(nft('list', 'table', 'inet', 'netpol')).toBe(held)
      await fake.restart()
      fake.remove('NetworkPolicy', 'db', 'allow')
      await until(() => !nft('list', 'table', 'inet', 'netpol').includes('db/allow'))
      const metrics = (await get('/metrics')).body
      expect(metrics).toMatch(/netpol_agent_watch_events_total\{kind="NetworkPolicy",type="ADDED"\} 1/)
      expect(metrics).toMatch(/netpol_agent_objects_cached\{kind="Pod"\} 1/)
      expect(metrics).toMatch(/netpol_agent_watch_restarts_total\{kind="NetworkPolicy"\} [1-9]/)
      expect(metrics).toMatch(/netpol_agent_api_errors_total\{kind="\w+",code="unreachable"\} [1-9]/)
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect(tables()).toContain('table inet netpol')
    } finally {
      child.kill('SIGKILL')
      await fake.restart()
      await runCli(['agent', '--uninstall', '--netns', ns])
    }
  }, 40_000)
})
