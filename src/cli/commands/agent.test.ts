import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { hostSupports } from '../../../test/requirements.js'
import { runCli } from '../../../test/cli/cli-harness.js'
import { pod } from '../../../test/builders.js'
import { eventText, managedPods, scopeWarnings } from './agent.js'

describe('which pods the agent filters', () => {
  const a = pod('x/a', {}, { ips: ['10.244.1.5'], hostIPs: ['192.168.0.10'] })
  const b = pod('x/b', {}, { ips: ['10.244.2.5', 'fd00:10:244:2::5'], hostIPs: ['192.168.0.11'] })
  test.each([
    { name: '--all-pods', opts: { podCidr: [], allPods: true }, want: ['x/a', 'x/b'] },
    { name: '--pod-cidr', opts: { podCidr: ['10.244.1.0/24'] }, want: ['x/a'] },
    { name: '--pod-cidr of the other family', opts: { podCidr: ['fd00:10:244:2::/64'] }, want: ['x/b'] },
    { name: '--node-ip', opts: { podCidr: [], nodeIp: '192.168.0.11' }, want: ['x/b'] },
    { name: 'both: either', opts: { podCidr: ['10.244.1.0/24'], nodeIp: '192.168.0.11' }, want: ['x/a', 'x/b'] },
  ])('$name', ({ opts, want }) => {
    const f = managedPods(opts)
    expect([a, b].filter(f).map((p) => `${p.namespace}/${p.name}`)).toEqual(want)
  })
})

describe('a --node-ip or --pod-cidr that matches no pod warns', () => {
  const onNode = (n: number, host: string) => Array.from({ length: n }, (_, i) => pod(`x/p${host}-${i}`, {}, { ips: [`10.244.${host.split('.')[3]}.${i + 2}`], hostIPs: [host] }))
  const pods = [...onNode(2, '192.168.0.11'), ...onNode(1, '192.168.0.10'), ...onNode(1, '192.168.0.9'), pod('x/nohost', {}, { ips: ['10.244.99.2'] })]
  test.each([
    { name: 'a node IP that some pod has: no warning', opts: { podCidr: [], nodeIp: '192.168.0.10' }, pods, want: [] },
    {
      name: 'a node IP no pod has: the hostIPs seen, sorted, with a count',
      opts: { podCidr: [], nodeIp: '10.0.0.1' },
      pods,
      want: ['warning: no pod in the input has hostIP 10.0.0.1; hostIPs seen: 192.168.0.9, 192.168.0.10, 192.168.0.11 (3 in all): this agent filters no pod'],
    },
    {
      name: 'many hostIPs: the first five and the count',
      opts: { podCidr: [], nodeIp: '10.0.0.1' },
      pods: Array.from({ length: 7 }, (_, i) => onNode(1, `192.168.1.${i + 1}`)).flat(),
      want: ['warning: no pod in the input has hostIP 10.0.0.1; hostIPs seen: 192.168.1.1, 192.168.1.2, 192.168.1.3, 192.168.1.4, 192.168.1.5, … (7 in all): this agent filters no pod'],
    },
    { name: 'no pod has a hostIP', opts: { podCidr: [], nodeIp: '10.0.0.1' }, pods: [pods.at(-1)!], want: ['warning: no pod in the input has hostIP 10.0.0.1; no pod has status.hostIP: this agent filters no pod'] },
    { name: 'a pod CIDR that holds a pod: no warning', opts: { podCidr: ['10.244.0.0/16'] }, pods, want: [] },
    {
      name: 'a pod CIDR that holds no pod',
      opts: { podCidr: ['10.245.0.0/16', '10.244.10.0/24'] },
      pods,
      want: ['warning: no pod in the input has an address in --pod-cidr 10.245.0.0/16; pod addresses seen: 10.244.9.2, 10.244.10.2, 10.244.11.2, 10.244.11.3, 10.244.99.2 (5 in all)'],
    },
    {
      name: 'both, neither matches: one warning each, and what it means',
      opts: { podCidr: ['10.245.0.0/16'], nodeIp: '10.0.0.1' },
      pods: pods.slice(0, 1),
      want: [
        'warning: no pod in the input has hostIP 10.0.0.1; hostIPs seen: 192.168.0.11 (1 in all)',
        'warning: no pod in the input has an address in --pod-cidr 10.245.0.0/16; pod addresses seen: 10.244.11.2 (1 in all): this agent filters no pod',
      ],
    },
    { name: '--all-pods never warns', opts: { podCidr: [], allPods: true }, pods: [], want: [] },
    { name: 'an empty input: nothing seen', opts: { podCidr: [], nodeIp: '10.0.0.1' }, pods: [], want: ['warning: no pod in the input has hostIP 10.0.0.1; no pod has status.hostIP: this agent filters no pod'] },
  ])('$name', ({ opts, pods, want }) => expect(scopeWarnings(opts, pods)).toEqual(want))
})

describe('event lines', () => {
  test('a permission error says what the agent needs; --once announces no retry', () => {
    const e = { kind: 'apply-failed', tx: 'full', error: 'netlink: Error: cache initialization failed: Operation not permitted', retryInMs: 1000 } as const
    expect(eventText(e, 'netpol')).toBe(
      'full transaction failed (the rules in force stay), retrying in 1 s: netlink: Error: cache initialization failed: Operation not permitted (nftables needs root, or CAP_NET_ADMIN)',
    )
    expect(eventText(e, 'netpol', true)).not.toContain('retrying')
  })
})

test.runIf(hostSupports('the scope warning before nft runs (agent.test.ts)', ['ip', 'nft']))('the warning comes before anything touches the kernel (a namespace that does not exist here)', async () => {
  const r = await runCli(['agent', '-f', 'examples/three-tier', '--pod-cidr', '10.99.0.0/16', '--netns', 'netpol-no-such-netns', '--once'])
  expect(r.err).toMatch(/^warning: no pod in the input has an address in --pod-cidr 10\.99\.0\.0\/16; pod addresses seen: 10\.244\.\S+, .*\(\d+ in all\): this agent filters no pod\n/)
  expect(r.code).toBe(1)
})

describe('netpol agent: usage', () => {
  test.each([
    { name: 'no pods named', args: ['-f', 'x.yaml', '--once'], err: 'error: say which pods this node runs: --node-name NODE (or env NODE_NAME), --pod-cidr CIDR (repeatable), --node-ip IP, or --all-pods\n' },
    { name: 'a bad CIDR', args: ['-f', 'x.yaml', '--pod-cidr', '10.0.0.0/33', '--once'], err: 'error: --pod-cidr "10.0.0.0/33": expected a CIDR such as 10.244.1.0/24 or fd00:10:244:1::/64\n' },
    { name: '--all-pods with a CIDR', args: ['-f', 'x.yaml', '--all-pods', '--pod-cidr', '10.0.0.0/8', '--once'], err: 'error: --all-pods cannot be combined with --pod-cidr, --node-ip or --node-name\n' },
    { name: 'a table name nft cannot take', args: ['-f', 'x.yaml', '--all-pods', '--table', 'my-table', '--once'], err: 'error: --table: "my-table" is not a name of 1 to 255 characters of A-Z, a-z, 0-9 and _ starting with a letter\n' },
    { name: '--flow-log-all without --flow-log', args: ['-f', 'x.yaml', '--all-pods', '--flow-log-all'], err: 'error: --flow-log-all adds accepted connections to the flow log: give --flow-log FILE (or -) too\n' },
    { name: 'stdin without --once', args: ['-f', '-', '--all-pods'], err: 'error: -f - (stdin) only works with --once: the agent re-reads its inputs on every change\n' },
  ])('$name', async ({ args, err }) => {
    const r = await runCli(['agent', ...args])
    expect(r.err).toBe(err)
    expect(r.code).toBe(2)
  })
})

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: {name: db}
---
apiVersion: v1
kind: Pod
metadata: {name: pg, namespace: db, labels: {app: pg}}
spec: {containers: [{name: pg, image: pg, ports: [{name: pg, containerPort: 5432}]}]}
status: {phase: Running, podIP: 10.244.1.5, hostIP: 192.168.0.10}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: db}
spec: {podSelector: {}, policyTypes: [Ingress]}
`

describe.runIf(hostSupports('netpol agent in a scratch namespace (agent.test.ts)', ['ip', 'nft', 'ulogd', 'ulogd-json']))('netpol agent in a scratch namespace', () => {
  const ns = `npc${process.pid}`
  const dir = mkdtempSync(join(tmpdir(), 'netpol-agent-'))
  const nft = (...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, 'nft', ...args], { encoding: 'utf8' })
  /** the IPv4 ingress map of the generation in force: the one whose pods the base chain sends to their ingress chain */
  const ingressMap = () => nft('list', 'map', 'inet', 'netpol', /ip daddr @(in4_g\w+) jump/.exec(nft('list', 'chain', 'inet', 'netpol', 'pods_forward'))![1]!)
  /** every set and map name of the table */
  const setNames = () => [...nft('-t', 'list', 'table', 'inet', 'netpol').matchAll(/^\t(?:set|map) (\w+) \{/gm)].map((m) => m[1]!)
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', ns])
    writeFileSync(join(dir, 'cluster.yaml'), MANIFESTS)
  })
  afterAll(() => {
    execFileSync('ip', ['netns', 'del', ns])
    rmSync(dir, { recursive: true, force: true })
  })

  test('--once applies the table and leaves it in force; --uninstall removes it and nothing else', async () => {
    execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: 'table ip keep {\n chain c { type filter hook forward priority 0; policy accept; }\n}\n' })
    const once = await runCli(['agent', '-f', dir, '--node-ip', '192.168.0.10', '--netns', ns, '--once'])
    expect(once.code).toBe(0)
    expect(once.err).toMatch(/table inet netpol replaced in \d+ ms: 1 managed pods/)
    expect(nft('list', 'tables')).toBe('table ip keep\ntable inet netpol\n')
    expect(ingressMap()).toContain('10.244.1.5 : jump in4_')
    const first = setNames()

    const again = await runCli(['agent', '-f', dir, '--node-ip', '192.168.0.10', '--netns', ns, '--once'])
    // a new agent does not trust what it finds: a new generation takes over, and the old one is removed after it
    expect(again.err).toMatch(/table inet netpol replaced in \d+ ms.*\n.*removed the previous ruleset's 13 sets and \d+ chains in \d+ ms\n$/)
    const second = setNames()
    expect(second).toHaveLength(first.length)
    expect(second.filter((n) => first.includes(n))).toEqual(['writer'])
    expect(ingressMap()).toContain('10.244.1.5 : jump in4_')

    const un = await runCli(['agent', '--uninstall', '--netns', ns])
    expect(un).toMatchObject({ code: 0, err: 'removed table inet netpol\n' })
    expect(nft('list', 'tables')).toBe('table ip keep\n')

    // nothing left to remove: said so, and not an error
    expect(await runCli(['agent', '--uninstall', '--netns', ns])).toMatchObject({ code: 0, err: 'no table inet netpol to remove\n' })
    expect(await runCli(['agent', '--uninstall', '--table', 'other', '--netns', ns])).toMatchObject({ code: 0, err: 'no table inet other to remove\n' })
    expect(nft('list', 'tables')).toBe('table ip keep\n')
  })

  test('--node-ip that no pod has: a warning naming the hostIPs seen, and an empty table', async () => {
    const r = await runCli(['agent', '-f', dir, '--node-ip', '10.0.0.1', '--netns', ns, '--once'])
    expect(r.code).toBe(0)
    expect(r.err).toMatch(/^warning: no pod in the input has hostIP 10\.0\.0\.1; hostIPs seen: 192\.168\.0\.10 \(1 in all\): this agent filters no pod\n.*0 managed pods/)
    await runCli(['agent', '--uninstall', '--netns', ns])
  })

  test('running: follows the manifests, serves metrics, stops on SIGTERM with the rules in force', async () => {
    const port = 20000 + (process.pid % 20000)
    const flows = join(dir, 'flows.jsonl')
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'agent', '-f', dir, '--node-ip', '192.168.0.10', '--netns', ns, '--metrics', `127.0.0.1:${port}`, '--flow-log', flows], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let err = ''
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    const until = async (what: () => boolean | Promise<boolean>, ms = 15_000) => {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (await what()) return
      throw new Error(`timed out; agent said:\n${err}`)
    }
    const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`).then(async (r) => ({ status: r.status, body: await r.text() }), () => ({ status: 0, body: '' }))
    try {
      await until(async () => (await get('/readyz')).status === 200)
      expect(ingressMap()).toContain('10.244.1.5 : jump in4_')
      // a policy that lifts the isolation: the pod leaves the ingress map, incrementally
      writeFileSync(join(dir, 'allow.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-all, namespace: db}\nspec: {podSelector: {}, ingress: [{}]}\n')
      await until(() => /changed \(/.test(err))
      expect((await get('/metrics')).body).toMatch(/netpol_agent_programming_seconds_count\{kind="incremental",result="ok"\} 1/)
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect(err).toContain('stopped; the rules in force stay')
      expect(nft('list', 'tables')).toContain('table inet netpol')
    } finally {
      child.kill('SIGKILL')
      rmSync(join(dir, 'allow.yaml'), { force: true })
    }
  }, 30_000)

  test('--once with bad input exits 2 and changes nothing', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: BAD, namespace: db}\n')
    await runCli(['agent', '--uninstall', '--netns', ns])
    try {
      const r = await runCli(['agent', '-f', dir, '--all-pods', '--netns', ns, '--once'])
      expect(r.code).toBe(2)
      expect(r.err).toContain('load failed')
      expect(nft('list', 'tables')).not.toContain('netpol')
    } finally {
      rmSync(join(dir, 'bad.yaml'))
    }
  })
})
