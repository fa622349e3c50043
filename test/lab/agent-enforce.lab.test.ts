/**
 * `netpol agent` (the CLI, watch mode) enforcing a small cluster in the lab, judged by real connections:
 * atomic replaces under a running connection stream, restarts, incremental pod and policy changes, `--strict`,
 * audit mode with the flow log and the metrics. Root only (CI runs as root); builds the lab, so it takes the lab lock.
 *
 * Pods of namespace `shop`: client (role=client), other (role=other) and server (role=server), which accepts on
 * 8080 (and closes) and echoes on 5432. Policies: a default deny of ingress, and `allow-client`: role=client may
 * reach the server on 8080 and 5432. So client → server:8080 is allowed and other → server:8080 is denied.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { LAB_NODE_NETNS, labDown, labUp, planLab, type LabPlan } from '../../src/lab/index.js'
import { acquireLabLock } from '../lab-lock.js'
import { hostSupports } from '../requirements.js'
import { HeldConnection, inNetns, sleep, startEchoServer, startServer, startWorker, stopChild, tuneClient, type Worker } from '../lab-traffic.js'

const isRoot = hostSupports('the agent in the lab (agent-enforce.lab.test.ts)', ['ip', 'sysctl', 'nft', 'conntrack', 'ulogd', 'ulogd-json', 'python3'])
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js')

const CLIENT = '10.244.7.10'
const OTHER = '10.244.7.11'
const SERVER = '10.244.7.20'
const HTTP = 8080
const PG = 5432
const CLOSED = 9090

// ------------------------------------------------------------------ manifests

interface PodSpec {
  name: string
  ip: string
  labels: Record<string, string>
  ports?: { name: string; containerPort: number }[]
}
interface Rule {
  from: Record<string, string>
  ports: number[]
}

const podObject = (p: PodSpec) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: p.name, namespace: 'shop', labels: p.labels },
  spec: { containers: [{ name: 'main', image: 'registry.example/app:1', ports: (p.ports ?? []).map((x) => ({ ...x, protocol: 'TCP' })) }] },
  status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }] },
})

const policyObject = (name: string, podSelector: Record<string, string>, rules: Rule[]) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: 'shop' },
  spec: {
    podSelector: { matchLabels: podSelector },
    policyTypes: ['Ingress'],
    ingress: rules.map((r) => ({ from: [{ podSelector: { matchLabels: r.from } }], ports: r.ports.map((port) => ({ protocol: 'TCP', port })) })),
  },
})

interface Version {
  pods: PodSpec[]
  /** ports allow-client opens to role=client */
  clientPorts: number[]
  /** extra policies by name */
  extra: Record<string, Rule[]>
}

const basePods: PodSpec[] = [
  { name: 'client', ip: CLIENT, labels: { role: 'client' } },
  { name: 'other', ip: OTHER, labels: { role: 'other' } },
  {
    name: 'server',
    ip: SERVER,
    labels: { role: 'server' },
    ports: [
      { name: 'http', containerPort: HTTP },
      { name: 'pg', containerPort: PG },
    ],
  },
]
const base: Version = { pods: basePods, clientPorts: [HTTP, PG], extra: {} }

function render(v: Version): string {
  const items = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    ...v.pods.map(podObject),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    },
    policyObject('allow-client', { role: 'server' }, [{ from: { role: 'client' }, ports: v.clientPorts }]),
    ...Object.entries(v.extra).map(([name, rules]) => policyObject(name, { role: 'server' }, rules)),
  ]
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 1)
}

// ------------------------------------------------------------------ the agent as a process

/** `netpol agent` in watch mode on the lab's node namespace; every stderr line is kept. */
class Agent {
  readonly child: ChildProcess
  readonly lines: string[] = []
  readonly exited: Promise<number | null>
  private waiters: (() => void)[] = []

  constructor(file: string, args: readonly string[] = []) {
    this.child = spawn(process.execPath, [CLI, 'agent', '-f', file, '--netns', LAB_NODE_NETNS, '--all-pods', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      this.lines.push(line)
      for (const w of this.waiters.splice(0)) w()
    })
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)))
  }

  /** The first line from index `from` on that matches; rejects after `timeoutMs` with what the agent said. */
  async waitFor(re: RegExp, from = 0, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const hit = this.lines.slice(from).find((l) => re.test(l))
      if (hit !== undefined) return hit
      if (this.child.exitCode !== null) throw new Error(`the agent exited (${this.child.exitCode}):\n${this.lines.join('\n')}`)
      if (Date.now() > deadline) throw new Error(`no line matching ${re} within ${timeoutMs} ms:\n${this.lines.join('\n')}`)
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), sleep(100)])
    }
  }

  /** SIGTERM, as an orchestrator stops it; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM')
    return this.exited
  }
}

/** Every probe of a worker's connection stream: start time (ns, CLOCK_MONOTONIC) and outcome. */
class Stream {
  readonly samples: { start: bigint; ok: boolean; result: string }[] = []
  constructor(
    readonly worker: Worker,
    readonly port: number,
  ) {
    worker.onSample = (start, ok, result) => this.samples.push({ start, ok, result })
  }
  async start(): Promise<void> {
    this.samples.length = 0
    // 900 ms: a dropped SYN is sent again after 1 s, so an allowed connection that lost its SYN to a gap in
    // the rules fails here, while a prober the busy machine did not schedule for a while does not
    await this.worker.call({ op: 'stream', port: this.port, intervalMs: 2, timeoutMs: 900 })
  }
  async stop(): Promise<void> {
    await this.worker.call({ op: 'stop', drainMs: 1000 })
  }
  get ok(): number {
    return this.samples.filter((s) => s.ok).length
  }
  get failed(): number {
    return this.samples.filter((s) => !s.ok).length
  }
  /** outcome → count, for the failure message */
  get outcomes(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const s of this.samples) out[s.result] = (out[s.result] ?? 0) + 1
    return out
  }
}

/** Probes until the outcome is `want` (true: connected); the time it took, or throws after `timeoutMs`. */
async function until(w: Worker, port: number, want: boolean, timeoutMs = 5_000): Promise<number> {
  const t0 = performance.now()
  for (;;) {
    const r = await w.call<{ result: string }>({ op: 'probe', port, timeoutMs: 200 })
    if ((r.result === 'ok') === want) return performance.now() - t0
    if (performance.now() - t0 > timeoutMs) throw new Error(`port ${port} still ${r.result} after ${timeoutMs} ms`)
    await sleep(10)
  }
}

const probe = async (w: Worker, port: number): Promise<string> => (await w.call<{ result: string }>({ op: 'probe', port, timeoutMs: 250 })).result

// ------------------------------------------------------------------ the tests

describe.runIf(isRoot)('netpol agent enforcing the lab', () => {
  let release: (() => void) | undefined
  let dir = ''
  let file = ''
  let plan: LabPlan
  const children: ChildProcess[] = []
  let client: Worker
  let other: Worker
  let agent: Agent | null = null

  const write = (v: Version): void => {
    writeFileSync(`${file}.tmp`, render(v))
    renameSync(`${file}.tmp`, file)
  }
  const start = async (args: readonly string[] = []): Promise<Agent> => {
    const a = new Agent(file, args)
    await a.waitFor(/table inet netpol replaced/)
    return a
  }
  const nodeTables = () => inNetns(LAB_NODE_NETNS, ['nft', 'list', 'tables'])

  beforeAll(async () => {
    release = await acquireLabLock()
    dir = mkdtempSync(join(tmpdir(), 'netpol-agent-lab-'))
    file = join(dir, 'cluster.json')
    plan = planLab(basePods.map((p) => ({ namespace: 'shop', name: p.name, ips: [p.ip], ports: [] })))
    await labUp(plan)
    const nsOf = (name: string) => plan.pods.find((p) => p.id === `shop/${name}`)!.netns
    tuneClient(nsOf('client'))
    tuneClient(nsOf('other'))
    children.push(await startServer(nsOf('server'), SERVER, [HTTP]))
    children.push(startEchoServer(nsOf('server'), [PG]))
    client = await startWorker(nsOf('client'), SERVER)
    other = await startWorker(nsOf('other'), SERVER)
    children.push(client.child, other.child)
    await until(client, PG, true) // the echo server is up
    write(base)
  }, 120_000)

  afterAll(async () => {
    await agent?.stop()
    for (const c of children) stopChild(c)
    await labDown().catch(() => undefined)
    release?.()
    if (dir !== '') rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  test('the first sync enforces the policies', async () => {
    agent = await start()
    expect(await probe(client, HTTP)).toBe('ok')
    expect(await probe(other, HTTP)).toBe('timeout')
    expect(await probe(client, CLOSED)).toBe('timeout') // not opened by any policy: dropped, not refused
  }, 30_000)

  test('atomic replace under a running connection stream: no allowed connection fails, no denied one leaks', async () => {
    const allowed = new Stream(client, HTTP)
    const denied = new Stream(other, HTTP)
    await allowed.start()
    await denied.start()
    const rounds = 20
    for (let i = 0; i < rounds; i++) {
      // a full replace of the table the agent keeps: what `--once` (and every agent start) sends
      const once = spawn(process.execPath, [CLI, 'agent', '-f', file, '--netns', LAB_NODE_NETNS, '--all-pods', '--once'], { stdio: 'ignore' })
      expect(await new Promise((r) => once.once('exit', r))).toBe(0)
      // and an incremental change of the very chain both streams pass: the server's ingress rules
      const from = agent!.lines.length
      write({ ...base, extra: i % 2 === 0 ? { 'allow-other-9090': [{ from: { role: 'other' }, ports: [CLOSED] }] } : {} })
      // after a foreign replace the agent's view may be stale: it re-syncs whole if the diff fails
      expect(await agent!.waitFor(/table inet netpol (changed|replaced)/, from)).toBeTruthy()
    }
    await allowed.stop()
    await denied.stop()
    console.log(`${rounds} full replaces and ${rounds} incremental changes under load: ${allowed.samples.length} allowed and ${denied.samples.length} denied connection attempts`)
    expect(allowed.samples.length).toBeGreaterThan(500)
    expect(denied.samples.length).toBeGreaterThan(500)
    expect({ allowed: allowed.outcomes, denied: denied.outcomes }).toEqual({ allowed: { ok: allowed.samples.length }, denied: { timeout: denied.samples.length } })
    write(base)
    await agent!.waitFor(/table inet netpol (changed|replaced)|no change/, agent!.lines.length - 1)
  }, 60_000)

  test('make before break: incremental changes only, under connection streams of ≥ 20,000 attempts, no allowed connection fails and no denied one leaks', async () => {
    const allowed = new Stream(client, HTTP)
    const denied = new Stream(other, HTTP)
    await allowed.start()
    await denied.start()
    const t0 = Date.now()
    let changes = 0
    // each change moves the server to a profile it never had (a policy of a new name selects it: a new chain, new
    // elements, a new verdict-map entry), or back, or adds and removes a pod of a new class
    while (allowed.samples.length + denied.samples.length < 20_000 && Date.now() - t0 < 45_000) {
      const i = changes++
      const v: Version =
        i % 4 === 0
          ? { ...base, extra: { [`allow-other-${i}`]: [{ from: { role: 'other' }, ports: [CLOSED] }] } }
          : i % 4 === 2
            ? { ...base, pods: [...base.pods, { name: `new-${i}`, ip: `10.244.7.${30 + (i % 50)}`, labels: { role: `new-${i}` } }] }
            : base
      const from = agent!.lines.length
      write(v)
      expect(await agent!.waitFor(/table inet netpol (changed|replaced)|no change/, from)).toMatch(/changed/)
    }
    await allowed.stop()
    await denied.stop()
    console.log(`${changes} incremental changes in ${Date.now() - t0} ms: ${allowed.samples.length} allowed and ${denied.samples.length} denied connection attempts`)
    expect(allowed.samples.length + denied.samples.length).toBeGreaterThanOrEqual(20_000)
    expect({ allowed: allowed.outcomes, denied: denied.outcomes }).toEqual({ allowed: { ok: allowed.samples.length }, denied: { timeout: denied.samples.length } })
    write(base)
    await agent!.waitFor(/table inet netpol (changed|replaced)|no change/, agent!.lines.length - 1)
  }, 60_000)

  test('restarts with a probe loop running: the rules stay in force while no agent runs', async () => {
    const allowed = new Stream(client, HTTP)
    const denied = new Stream(other, HTTP)
    await allowed.start()
    await denied.start()
    for (let i = 0; i < 3; i++) {
      expect(await agent!.stop()).toBe(0)
      expect(agent!.lines.at(-1)).toMatch(/stopped; the rules in force stay/)
      expect(nodeTables()).toContain('table inet netpol')
      await sleep(300) // no agent at all
      agent = await start()
    }
    await allowed.stop()
    await denied.stop()
    console.log(`3 agent restarts under load: ${allowed.samples.length} allowed and ${denied.samples.length} denied connection attempts`)
    expect(denied.samples.length).toBeGreaterThan(300)
    expect({ allowed: allowed.outcomes, denied: denied.outcomes }).toEqual({ allowed: { ok: allowed.samples.length }, denied: { timeout: denied.samples.length } })
  }, 60_000)

  test('pod and policy changes are applied incrementally and enforced at once', async () => {
    const changed = async (v: Version): Promise<void> => {
      const from = agent!.lines.length
      write(v)
      expect(await agent!.waitFor(/table inet netpol (changed|replaced)/, from)).toMatch(/changed \(\+\d+\/-\d+ elements/)
    }
    // a policy added: other may reach the server on 8080
    await changed({ ...base, extra: { 'allow-other': [{ from: { role: 'other' }, ports: [HTTP] }] } })
    expect(await until(other, HTTP, true, 1_000)).toBeLessThan(1_000)
    expect(await probe(other, PG)).toBe('timeout')
    // removed again
    await changed(base)
    expect(await probe(other, HTTP)).toBe('timeout')
    // other relabelled to role=client: allow-client now admits it
    const relabelled = base.pods.map((p) => (p.name === 'other' ? { ...p, labels: { role: 'client' } } : p))
    await changed({ ...base, pods: relabelled })
    expect(await probe(other, HTTP)).toBe('ok')
    expect(await probe(other, PG)).toBe('ok')
    // the pod gone from the input: its address is no pod's, and the server's ingress admits pods only
    await changed({ ...base, pods: relabelled.filter((p) => p.name !== 'other') })
    expect(await probe(other, HTTP)).toBe('timeout')
    // back as it was
    await changed(base)
    expect(await probe(other, HTTP)).toBe('timeout')
    expect(await probe(client, HTTP)).toBe('ok')
  }, 60_000)

  test('bad input keeps the rules in force; the fix is applied', async () => {
    const from = agent!.lines.length
    writeFileSync(`${file}.tmp`, render(base).replace('"role": "server"', '"role": "bad value!"'))
    renameSync(`${file}.tmp`, file)
    await agent!.waitFor(/load failed/, from)
    expect(await agent!.waitFor(/cluster\.json:\d+:\d+/, from)).toMatch(/metadata\.labels/)
    expect(await probe(client, HTTP)).toBe('ok')
    expect(await probe(other, HTTP)).toBe('timeout')
    const fixed = agent!.lines.length
    write({ ...base, extra: { 'allow-other': [{ from: { role: 'other' }, ports: [HTTP] }] } })
    await agent!.waitFor(/table inet netpol (changed|replaced)/, fixed, 70_000)
    expect(await probe(other, HTTP)).toBe('ok')
    write(base)
    await until(other, HTTP, false)
  }, 90_000)

  test('--strict cuts an established connection that a tightened policy denies; without it the connection lives on', async () => {
    const nsOf = (name: string) => plan.pods.find((p) => p.id === `shop/${name}`)!.netns
    // without --strict (the agent running now): a held connection survives the tightening
    const lenient = new HeldConnection(nsOf('client'), SERVER, PG)
    expect(await lenient.opened).toBe('connected')
    expect(await lenient.echo()).toBe('echo')
    let from = agent!.lines.length
    write({ ...base, clientPorts: [HTTP] })
    await agent!.waitFor(/table inet netpol changed/, from)
    expect(await probe(client, PG)).toBe('timeout') // new connections are denied
    expect(await lenient.echo()).toBe('echo')
    lenient.close()
    write(base)
    await until(client, PG, true)

    await agent!.stop()
    agent = await start(['--strict'])
    const held = new HeldConnection(nsOf('client'), SERVER, PG)
    expect(await held.opened).toBe('connected')
    expect(await held.echo()).toBe('echo')
    await sleep(200) // the first sync's own cut (flows of the earlier tests) is reported after "replaced"
    from = agent.lines.length
    write({ ...base, clientPorts: [HTTP] })
    await agent.waitFor(/table inet netpol changed/, from)
    const changedAt = agent.lines.findIndex((l, i) => i >= from && /table inet netpol changed/.test(l))
    expect(await agent.waitFor(/--strict: cut/, changedAt)).toMatch(/cut [1-9]\d* connections? the new rules deny/)
    expect(await held.echo()).toBe('timeout')
    held.close()
    expect(await probe(client, HTTP)).toBe('ok') // allowed flows are not touched
    write(base)
    await until(client, PG, true)
  }, 60_000)

  test('audit mode lets denied connections through and logs them; enforce mode drops and logs them; metrics count both', async () => {
    const log = join(dir, 'flows.jsonl')
    const metricsPort = 19_000 + (process.pid % 1000)
    const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    const flowLines = (): { verdict: string; direction: string; src: { pod?: string; namespace?: string; ip: string }; dst: { pod?: string; namespace?: string }; port: number; protocol: string; reason: string }[] =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l))
        : []
    const waitFlow = async (verdict: string): Promise<ReturnType<typeof flowLines>[number]> => {
      for (let i = 0; i < 100; i++) {
        const hit = flowLines().find((l) => l.verdict === verdict && l.src.ip === OTHER)
        if (hit !== undefined) return hit
        await sleep(50)
      }
      throw new Error(`no ${verdict} line in ${log}: ${readFileSync(log, 'utf8')}\n${agent!.lines.join('\n')}`)
    }

    await agent!.stop()
    agent = await start(['--mode', 'audit', '--flow-log', log, '--metrics', `127.0.0.1:${metricsPort}`])
    expect((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status).toBe(200)
    expect(await probe(other, HTTP)).toBe('ok') // denied by the policies, let through in audit mode
    expect(await probe(client, CLOSED)).toBe('ECONNREFUSED') // nothing listens there: the packet reached the server
    const audited = await waitFlow('audited')
    expect(audited).toMatchObject({
      direction: 'ingress',
      protocol: 'TCP',
      port: HTTP,
      src: { ip: OTHER, namespace: 'shop', pod: 'other' },
      dst: { namespace: 'shop', pod: 'server' },
    })
    expect(audited.reason).toMatch(/shop\/server/)
    expect(audited.reason).toMatch(/shop\/default-deny/)
    expect(await metrics()).toMatch(/netpol_agent_audited_packets_total\{namespace="shop",pod="server",direction="ingress"\} [1-9]/)

    await agent!.stop()
    agent = await start(['--flow-log', log, '--metrics', `127.0.0.1:${metricsPort}`])
    expect(await probe(other, HTTP)).toBe('timeout')
    const denied = await waitFlow('denied')
    expect(denied).toMatchObject({ direction: 'ingress', port: HTTP, src: { pod: 'other' }, dst: { pod: 'server' } })
    const text = await metrics()
    expect(text).toMatch(/netpol_agent_denied_packets_total\{namespace="shop",pod="server",direction="ingress"\} [1-9]/)
    expect(text).toMatch(/netpol_agent_programming_seconds_count\{[^}]*\} [1-9]/)
    // allowed connections are not logged
    expect(await probe(client, HTTP)).toBe('ok')
    await sleep(300)
    expect(flowLines().filter((l) => l.src.ip === CLIENT && l.port === HTTP)).toEqual([])
  }, 60_000)

  test('--uninstall removes the table: nothing is enforced any more', async () => {
    expect(await agent!.stop()).toBe(0)
    agent = null
    const un = spawn(process.execPath, [CLI, 'agent', '--uninstall', '--netns', LAB_NODE_NETNS], { stdio: 'ignore' })
    expect(await new Promise((r) => un.once('exit', r))).toBe(0)
    expect(nodeTables()).not.toContain('table inet netpol')
    expect(await probe(other, HTTP)).toBe('ok')
  }, 30_000)
})
