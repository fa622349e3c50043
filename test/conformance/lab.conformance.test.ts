/**
 * Real packets: the shared conformance table and the `netpol lab` commands, in network namespaces with the
 * nftables agent. Needs root (CI runs as root). Every test that builds a lab lives in this one file and runs
 * sequentially, under the lab test lock (the lab's namespace names are fixed).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import type { Cluster } from '../../src/model/cluster.js'
import { parseIp } from '../../src/model/ip.js'
import type { Protocol } from '../../src/model/port.js'
import type { Endpoint } from '../../src/engine/verdict.js'
import { endpointName } from '../../src/engine/verdict.js'
import { LAB_NETNS_PREFIXES, LAB_NODE_NETNS, labDown, labUp, planLab, probeAll, type LabPort, type ProbeOutcome, type ProbeTarget } from '../../src/lab/index.js'
import { listNetns } from '../../src/lab/lab-state.js'
import { mustRun } from '../../src/lab/lab-exec.js'
import { cliEntryArgs, labHostPods, labPodInputs, runAgentOnce } from '../../src/cli/commands/lab.js'
import { runCli } from '../cli/cli-harness.js'
import { acquireLabLock } from '../lab-lock.js'
import { hostSupports } from '../requirements.js'
import { loadConformanceCases, type ConformanceCase } from './load-cases.js'
import { caseCluster, caseEndpoints, runConformance } from './run-conformance.js'
import { DATAPLANE_TIERS, tierCasesToSkip } from './tier-switches.js'
import { loadManifests } from '../../src/io/load-manifests.js'
import { indexCluster } from '../../src/engine/cluster-index.js'
import { podEndpoint } from '../../src/engine/endpoint.js'
import { evaluateFlow } from '../../src/engine/evaluate.js'

const isRoot = hostSupports('the lab conformance tests (lab.conformance.test.ts)', ['ip', 'sysctl', 'nft', 'python3'])
const root = fileURLToPath(new URL('../../', import.meta.url))
const EX = join(root, 'examples/three-tier')
const EX_PORTS = ['--port', '8080/TCP', '--port', '5432/TCP', '--port', '53/UDP']

let release: (() => void) | null = null
beforeAll(async () => {
  if (isRoot) release = await acquireLabLock()
}, 30 * 60_000)
afterAll(async () => {
  if (!isRoot) return
  await labDown()
  release?.()
}, 60_000)

const labNamespaces = () => listNetns(LAB_NETNS_PREFIXES)

describe.runIf(isRoot).sequential('netpol lab (CLI)', () => {
  test('lab run on the example, with the agent and --no-outside, gives exactly the matrix JSON', async () => {
    const t0 = performance.now()
    const lab = await runCli(['lab', 'run', '-f', EX, ...EX_PORTS, '--no-outside', '-o', 'json'])
    const ms = performance.now() - t0
    console.log(`lab run on examples/three-tier (3 ports, with the agent): ${Math.round(ms)} ms`)
    const matrix = await runCli(['matrix', '-f', EX, ...EX_PORTS, '-o', 'json'])
    expect(lab.err).toContain('agent (enforce): rules applied')
    expect(lab.err).toMatch(/42 cells measured, 42 agree, 0 disagree, 0 failed/)
    expect(lab.err).not.toContain('outside hosts')
    expect(lab.code).toBe(0)
    expect(JSON.parse(lab.out)).toEqual(JSON.parse(matrix.out))
    expect(lab.out).toBe(matrix.out)
    expect(await labNamespaces()).toEqual([])
  }, 120_000)

  test("lab run on the example probes the ipBlocks' outside hosts both ways: the matrix JSON with the hosts after the pods, as the engine says", async () => {
    const t0 = performance.now()
    const lab = await runCli(['lab', 'run', '-f', EX, ...EX_PORTS, '--port', '443/TCP', '--external', '198.51.100.7', '-o', 'json'])
    console.log(`lab run on examples/three-tier with 3 outside hosts (4 ports): ${Math.round(performance.now() - t0)} ms`)
    expect(lab.err).toContain('outside hosts, routed through the node: 198.51.100.7 (given), 203.0.113.1 (in 203.0.113.0/24), 10.0.0.1 (in except 10.0.0.0/8 of 0.0.0.0/0); serving 443/TCP, 5432/TCP, 8080/TCP, 53/UDP')
    expect(lab.err).toMatch(/42 cells measured, 42 agree, 0 disagree, 0 failed/)
    const summary = /lab vs engine, outside hosts \(IPv4, 3 hosts, both ways\): (\d+) cells measured, (\d+) agree, 0 disagree, 0 failed/.exec(lab.err)
    expect(summary?.[1]).toBe(summary?.[2])
    expect(Number(summary?.[1])).toBeGreaterThan(100)
    expect(lab.code).toBe(0)
    const matrix = JSON.parse((await runCli(['matrix', '-f', EX, ...EX_PORTS, '--port', '443/TCP', '-o', 'json'])).out) as { pods: string[]; results: { allowed: boolean[][] }[] }
    const got = JSON.parse(lab.out) as { pods: string[]; results: { port: number; protocol: Protocol; allowed: boolean[][] }[] }
    const hosts = ['198.51.100.7', '203.0.113.1', '10.0.0.1']
    expect(got.pods).toEqual([...matrix.pods, ...hosts])
    const n = matrix.pods.length
    const { cluster } = await loadManifests([EX])
    const index = indexCluster(cluster)
    const podOf = (name: string) => cluster.pods.find((p) => `${p.namespace}/${p.name}` === name)!
    got.results.forEach((r, k) => {
      expect(r.allowed.slice(0, n).map((row) => row.slice(0, n))).toEqual(matrix.results[k]!.allowed)
      hosts.forEach((h, e) => {
        const host = { kind: 'ip' as const, ip: parseIp(h)! }
        matrix.pods.forEach((name, i) => {
          const pod = podEndpoint(podOf(name), 4)
          expect(r.allowed[n + e]![i], `${h} → ${name} ${r.port}/${r.protocol}`).toBe(evaluateFlow(index, { from: host, to: pod, port: r.port, protocol: r.protocol }).allowed)
          expect(r.allowed[i]![n + e], `${name} → ${h} ${r.port}/${r.protocol}`).toBe(evaluateFlow(index, { from: pod, to: host, port: r.port, protocol: r.protocol }).allowed)
        })
        expect(r.allowed[n + e]!.slice(n)).toEqual(hosts.map(() => false))
      })
    })
    expect(await labNamespaces()).toEqual([])
  }, 120_000)

  test('the README shows what `netpol lab run` prints on the example', async () => {
    const lab = await runCli(['lab', 'run', '-f', 'examples/three-tier/', '--port', '5432/TCP', '--port', '8080/TCP'])
    expect(lab.code).toBe(0)
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    expect(readme).toContain(lab.out.trimEnd())
    expect(lab.out).toMatch(/35 cells measured, 35 agree, 0 disagree, 0 failed/)
  }, 120_000)

  test('a lab up with --no-agent and an agent started by hand: probe says whose table enforces, and agrees', async () => {
    try {
      expect((await runCli(['lab', 'up', '-f', EX, '--no-agent'])).code).toBe(0)
      expect((await runCli(['agent', '-f', EX, '--netns', LAB_NODE_NETNS, '--all-pods', '--once'])).code).toBe(0)
      const probe = await runCli(['lab', 'probe', '--port', '5432/TCP'])
      expect(probe.out).toContain(`table inet netpol in ${LAB_NODE_NETNS} is another agent's`)
      expect(probe.out).toMatch(/7 cells measured, 7 agree, 0 disagree/)
      expect(probe.code).toBe(0)
    } finally {
      await runCli(['lab', 'down'])
    }
  }, 120_000)

  test('lab run --no-agent on the example without its policies gives the matrix JSON of that copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpol-lab-'))
    try {
      for (const f of ['namespaces.yaml', 'pods.yaml', 'services.yaml']) cpSync(join(EX, f), join(dir, f))
      const lab = await runCli(['lab', 'run', '-f', dir, '--no-agent', ...EX_PORTS, '-o', 'json'])
      const matrix = await runCli(['matrix', '-f', dir, ...EX_PORTS, '-o', 'json'])
      expect(lab.code).toBe(0)
      expect(lab.err).toContain('no policy is enforced')
      expect(JSON.parse(lab.out)).toEqual(JSON.parse(matrix.out))
      // without policies every probed cell is allowed: nothing was left to the prediction by accident
      expect(lab.err).toMatch(/(\d+) cells measured, \1 agree/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)

  describe.sequential('up, probe, down on a lab that stays up', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpol-lab-'))
    const file = join(dir, 'shop.yaml')
    // no addresses anywhere and a Deployment template: the lab assigns them, the agent and the prediction see them
    writeFileSync(
      file,
      `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: db, image: pg, ports: [{name: pg, containerPort: 5432}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {app: client}}
spec: {containers: [{name: c, image: busybox, ports: [{containerPort: 80}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: pg}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-db-address, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{ipBlock: {cidr: 10.244.0.3/32}}]}]
`,
    )
    afterAll(async () => {
      await runCli(['lab', 'down'])
      rmSync(dir, { recursive: true, force: true })
    })

    test('up assigns and prints addresses, then the agent applies the rules', async () => {
      const r = await runCli(['lab', 'up', '-f', file])
      expect(r.err).toBe('')
      expect(r.code).toBe(0)
      expect(r.out).toContain('3 pods on bridge nplbr0')
      expect(r.out).toMatch(/shop\/client\s+10\.244\.0\.2\n/)
      expect(r.out).toMatch(/shop\/db\s+10\.244\.0\.3\n/)
      expect(r.out).toMatch(/shop\/web\s+10\.244\.0\.4\n/)
      expect(r.out).toContain('agent (enforce): rules applied to table inet netpol in netpol-lab-node')
      // the ipBlock holds a pod's address only: no outside host inside it, one outside it
      expect(r.out).toContain('outside hosts, routed through the node: 192.0.2.1 (outside every ipBlock); serving 80/TCP, 5432/TCP\n')
    }, 60_000)

    test('probe: the table and no disagreement (the ipBlock matches the assigned address)', async () => {
      const r = await runCli(['lab', 'probe'])
      expect(r.code).toBe(0)
      expect(r.out).toContain(
        [
          'port 80/TCP   (rows: from, columns: to; . connected, X no answer, - not probed, ! probe failed)',
          '',
          '               1 2 3',
          '1 shop/client  - - X',
          '2 shop/db      . - .',
          '3 shop/web     . - -',
        ].join('\n'),
      )
      expect(r.out).toContain('lab vs engine (IPv4): 6 cells measured, 6 agree, 0 disagree, 0 failed; not probed: 6 (a pod to itself), 6 (port not served by the destination)')
    }, 60_000)

    test('probe -o json has the matrix schema; the comparison goes to stderr', async () => {
      const r = await runCli(['lab', 'probe', '-o', 'json', '--port', '5432'])
      expect(r.code).toBe(0)
      // the outside host after the pods: it reaches only client (not isolated; 5432 not served there: the engine's
      // verdict), and every pod reaches it (no egress policy)
      expect(JSON.parse(r.out)).toEqual({
        pods: ['shop/client', 'shop/db', 'shop/web', '192.0.2.1'],
        results: [{ port: 5432, protocol: 'TCP', allowed: [[true, false, false, true], [true, true, true, true], [true, true, true, true], [true, false, false, false]] }],
      })
      expect(r.err).toContain('2 cells measured, 2 agree')
      expect(r.err).toContain('lab vs engine, outside hosts (IPv4, 1 host, both ways): 4 cells measured, 4 agree, 0 disagree, 0 failed')
    }, 60_000)

    test('rules that differ from the policies: each disagreement with the engine’s reasons, exit 1', async () => {
      // the agent's table gone: nothing is enforced any more
      await mustRun('remove the agent table', 'ip', ['netns', 'exec', LAB_NODE_NETNS, 'nft', 'delete', 'table', 'inet', 'netpol'])
      const r = await runCli(['lab', 'probe', '--port', '80', '--port', '5432'])
      expect(r.code).toBe(1)
      expect(r.out).toContain('2 disagreements (measured in the lab vs predicted by the engine):')
      expect(r.out).toContain('  shop/client → shop/db  5432/TCP  lab: allowed, engine: denied\n')
      expect(r.out).toContain(
        '      engine: egress of shop/client: not isolated for egress; ingress of shop/db: denied: isolated by shop/db-from-web, no rule matches\n',
      )
      expect(r.out).toContain('  shop/client → shop/web  80/TCP  lab: allowed, engine: denied\n')
      expect(r.out).toContain('full reasons: netpol check -f /run/netpol-lab/cli/manifests.yaml --from shop/client --to shop/web --port 80/TCP --family 4')
    }, 60_000)

    test('a served port that answers "refused" is a failed probe, not a measurement: exit 1', async () => {
      await mustRun('reject', 'ip', ['netns', 'exec', LAB_NODE_NETNS, 'nft', '-f', '-'], 'table inet labtest {\n chain f {\n  type filter hook forward priority -10; policy accept;\n  tcp dport 80 ip daddr 10.244.0.4 reject with tcp reset\n }\n}\n')
      const r = await runCli(['lab', 'probe', '--port', '80'])
      expect(r.code).toBe(1)
      expect(r.out).toContain('2 probes failed (no measurement):')
      expect(r.out).toMatch(/shop\/client → shop\/web {2}80\/TCP {2}refused: the destination answered on a port it declares/)
      expect(r.out).toMatch(/1 shop\/client\s+- - !\n/)
      expect(r.out).toMatch(/2 shop\/db\s+\. - !\n/)
      expect(r.out).toMatch(/3 shop\/web\s+\. - -\n/)
    }, 60_000)

    test('down removes every namespace and the record; a probe then says no lab is up', async () => {
      const r = await runCli(['lab', 'down'])
      expect(r.code).toBe(0)
      expect(r.out).toMatch(/^lab down: removed 5 namespaces, ended 5 processes\n$/)
      expect(await labNamespaces()).toEqual([])
      const p = await runCli(['lab', 'probe'])
      expect(p.code).toBe(2)
      expect(p.err).toBe('error: no lab is up: run `netpol lab up -f PATH...` first\n')
      expect((await runCli(['lab', 'down'])).out).toBe('no lab was up\n')
    }, 60_000)
  })

  test.each([
    { name: 'a bad --pod-cidr', args: ['lab', 'up', '-f', EX, '--pod-cidr', '10.0.0.0/33'], err: /--pod-cidr "10.0.0.0\/33": expected an IPv4 or IPv6 range/ },
    { name: 'two IPv4 pod ranges', args: ['lab', 'up', '-f', EX, '--pod-cidr', '10.1.0.0/16', '--pod-cidr', '10.2.0.0/16'], err: /one range per address family/ },
    { name: 'invalid manifests', args: ['lab', 'run', '-f', join(root, 'examples/invalid')], err: /error in the input|errors in the input/ },
    { name: 'no input', args: ['lab', 'up'], err: /no input/ },
    { name: 'a bad --timeout-ms', args: ['lab', 'run', '-f', EX, '--timeout-ms', '0'], err: /--timeout-ms "0"/ },
    { name: 'an unknown mode', args: ['lab', 'up', '-f', EX, '--mode', 'strict'], err: /argument 'strict' is invalid/ },
  ])('exit 2 and no lab for $name', async ({ args, err }) => {
    const r = await runCli(args)
    expect(r.code).toBe(2)
    expect(r.err).toMatch(err)
    expect(await labNamespaces()).toEqual([])
  }, 60_000)

  test('a failing agent is reported with its exit code and messages', async () => {
    const r = await runAgentOnce([join(EX, 'pods.yaml')], 'enforce', { netns: 'netpol-lab-no-such-namespace' })
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/netpol-lab-no-such-namespace/)
  }, 60_000)

  test('SIGINT during lab run: the lab is removed and the exit code is 130', async () => {
    const child = spawn(process.execPath, [...cliEntryArgs(), 'lab', 'run', '-f', EX, '--timeout-ms', '2000'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let err = ''
    child.stdout.resume()
    const sent = new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString()
        if (err.includes('rules applied') && !child.killed) {
          child.kill('SIGINT')
          resolve()
        }
      }),
    )
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)))
    await sent
    expect(err).toContain('SIGINT: stopping; removing the lab')
    expect(code).toBe(130)
    expect(await labNamespaces()).toEqual([])
  }, 60_000)
})

describe('netpol lab without root', () => {
  test.each([['up', '-f', EX], ['probe'], ['down'], ['run', '-f', EX]])('lab %s: a clear error, exit 2', async (...args) => {
    const spy = vi.spyOn(process as { getuid(): number }, 'getuid').mockReturnValue(1000)
    try {
      const r = await runCli(['lab', ...args])
      expect(r.code).toBe(2)
      expect(r.err).toBe('error: netpol lab needs root: it creates network namespaces, veth pairs and nftables rules (run it with sudo)\n')
    } finally {
      spy.mockRestore()
    }
  })
})

// ---------------------------------------------------------------------------------------------------------
// The conformance table on real packets. Each case: its resources as a lab (external addresses in the
// external namespace, serving every port an expectation sends to them), `netpol agent --once`, then one
// probe per expectation. The runner's evaluator interface is synchronous, so all cases are measured first
// (beforeAll) and each case's test reads its measurements.

/** Conformance cases the lab cannot express, with the reason. */
const LAB_SKIPS: { reason: string; cases: string[] }[] = []

/**
 * A focused run: `NETPOL_LAB_CASES=tiers-` measures only the cases of the files whose names contain it; the others
 * are skipped and say why. Unset: every case.
 */
const ONLY = process.env.NETPOL_LAB_CASES
const LAB_SELECTION: { reason: string; cases: string[] }[] =
  ONLY === undefined || ONLY === '' ? [] : [{ reason: `not in NETPOL_LAB_CASES=${ONLY}`, cases: loadConformanceCases().filter((c) => !c.file.includes(ONLY)).map((c) => c.name) }]

interface CaseResult {
  readonly outcomes: Map<string, { outcome: ProbeOutcome; error?: string }>
  /** why the case could not be measured at all */
  readonly problem?: string
  readonly ms: number
}

const flowKey = (from: Endpoint, to: Endpoint, port: number, protocol: Protocol) =>
  `${endpointName(from)}@${from.ip?.text ?? '-'} → ${endpointName(to)}@${to.ip?.text ?? '-'} ${port}/${protocol}`

/** Tells the clusters of different cases apart: every case's objects carry the case's name in their source. */
const fingerprint = (cluster: Cluster) =>
  JSON.stringify(cluster, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Map ? [...v.entries()] : v))

async function measureCase(c: ConformanceCase, file: string): Promise<CaseResult> {
  const t0 = performance.now()
  const outcomes: CaseResult['outcomes'] = new Map()
  const done = (problem?: string): CaseResult => ({ outcomes, ms: performance.now() - t0, ...(problem === undefined ? {} : { problem }) })
  const cluster = caseCluster(c)
  writeFileSync(file, c.resources)
  const isIp = (s: string) => parseIp(s) !== null
  const externalIps = [...new Set(c.expect.flatMap((e) => [e.from, e.to]).filter(isIp))]
  const externalPorts = new Map<string, LabPort>()
  for (const e of c.expect) if (isIp(e.to)) externalPorts.set(`${e.port}/${e.protocol}`, { port: e.port, protocol: e.protocol })
  // hostNetwork pods are the node: their addresses (their nodes') are the node namespace's
  const plan = planLab(labPodInputs(cluster), { externalIps, externalPorts: [...externalPorts.values()], hostPods: labHostPods(cluster) })
  if (plan.issues.length > 0) return done(`the lab plan has issues: ${JSON.stringify(plan.issues)}`)
  await labUp(plan)
  const agent = await runAgentOnce([file], 'enforce')
  if (agent.code !== 0) return done(`netpol agent --once exited ${agent.code}: ${agent.stderr.trim()}`)
  const bySource = new Map<string, ProbeTarget[]>()
  const keyOf = new Map<string, string>()
  for (const e of c.expect) {
    const [from, to] = caseEndpoints(cluster, e)
    if (to.ip === null) return done(`${e.to} has no address of the probe's family`)
    const t: ProbeTarget = { ip: to.ip.text, port: e.port, protocol: e.protocol }
    bySource.set(e.from, [...(bySource.get(e.from) ?? []), t])
    keyOf.set(`${e.from} ${t.ip} ${t.port}/${t.protocol}`, flowKey(from, to, e.port, e.protocol))
  }
  for await (const r of probeAll(plan, bySource)) {
    const key = keyOf.get(`${r.source} ${r.ip} ${r.port}/${r.protocol}`)
    if (key !== undefined) outcomes.set(key, { outcome: r.result, ...(r.error === undefined ? {} : { error: r.error }) })
  }
  return done()
}

describe.runIf(isRoot).sequential('conformance on real packets', () => {
  const results = new Map<string, CaseResult>()
  beforeAll(async () => {
    const table = loadConformanceCases()
    const skipped = new Set([...[...LAB_SKIPS, ...LAB_SELECTION].flatMap((s) => s.cases), ...tierCasesToSkip(table, DATAPLANE_TIERS)])
    const cases = table.filter((c) => !skipped.has(c.name))
    const dir = mkdtempSync(join(tmpdir(), 'netpol-lab-conformance-'))
    const t0 = performance.now()
    try {
      for (const [i, c] of cases.entries()) {
        let r: CaseResult
        try {
          r = await measureCase(c, join(dir, `case-${i}.yaml`))
        } catch (err) {
          r = { outcomes: new Map(), problem: `the lab failed: ${err instanceof Error ? err.message : String(err)}`, ms: 0 }
        }
        results.set(fingerprint(caseCluster(c)), r)
      }
    } finally {
      await labDown()
      rmSync(dir, { recursive: true, force: true })
    }
    const all = [...results.values()]
    const slowest = Math.max(...all.map((r) => r.ms))
    const probes = all.reduce((n, r) => n + r.outcomes.size, 0)
    console.log(`lab conformance: ${cases.length} cases, ${probes} probes in ${((performance.now() - t0) / 1000).toFixed(1)} s (slowest case ${Math.round(slowest)} ms)`)
  }, 20 * 60_000)

  runConformance({
    name: 'lab: netpol agent --once, real sockets',
    skip: [...LAB_SKIPS, ...LAB_SELECTION],
    tiers: { enabled: DATAPLANE_TIERS, switchName: 'DATAPLANE_TIERS' },
    newEvaluator(cluster) {
      const r = results.get(fingerprint(cluster))
      if (r === undefined) throw new Error('this case was not measured')
      if (r.problem !== undefined) throw new Error(r.problem)
      const failed = [...r.outcomes].filter(([, o]) => o.outcome !== 'ok' && o.outcome !== 'timeout')
      // "refused" on a declared port is a fault of the lab or the rules, never a measurement
      if (failed.length > 0) throw new Error(`probes without a measurement:\n${failed.map(([k, o]) => `  ${k}: ${o.outcome}${o.error ? ` (${o.error})` : ''}`).join('\n')}`)
      return {
        allowed(from, to, port, protocol) {
          const o = r.outcomes.get(flowKey(from, to, port, protocol))
          if (o === undefined) throw new Error(`no probe for ${flowKey(from, to, port, protocol)}`)
          return o.outcome === 'ok'
        },
      }
    },
  })
})
