/**
 * A live lab: `netpol lab up --kubeconfig K` against the test suite's FAKE API server holding examples/three-tier.
 * The lab's agent follows the API with list+watch, so a NetworkPolicy created through the API (an HTTP POST, as
 * `kubectl create -f` sends it) flips real packets, and deleting it flips them back; `lab probe` predicts from the
 * cluster as it is at probe time and agrees with the packets; `lab down` ends the agent and leaves nothing.
 * Measures API request → packet flip (first connection of a 2 ms stream that sees the new verdict) over 20
 * policy changes. Root and the lab's programs; runs the built CLI (`npm run build` first, as `npm test` does).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { labDown } from '../../src/lab/lab-host.js'
import { labNames } from '../../src/lab/lab-names.js'
import { listNetns, procStartTime, runs, type LabState } from '../../src/lab/lab-state.js'
import { applyExample } from '../fake-apiserver/example.js'
import { FakeApiServer, writeFakeKubeconfig } from '../fake-apiserver/index.js'
import { acquireLabLock } from '../lab-lock.js'
import { startWorker, type Worker } from '../lab-traffic.js'
import { hostSupports } from '../requirements.js'
import { runBuiltCli } from '../cli/built-cli.js'

const canRun = hostSupports('the live lab (live-lab.lab.test.ts)', ['ip', 'sysctl', 'nft', 'python3'])
const LAB = 'livetest'
const NP = '/apis/networking.k8s.io/v1/namespaces/backend/networkpolicies'
// NETPOL_TEST_LIVE_CHANGES=100 for the benchmark's figure (bench/README.md)
const CHANGES = Number(process.env.NETPOL_TEST_LIVE_CHANGES ?? 20)

/** monitoring may reach the API pods on 8080 (the example denies it: prometheus scrapes 9090 only) */
const allowScrape = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'api-from-prometheus' },
  spec: { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { purpose: 'monitoring' } } }], ports: [{ port: 8080 }] }] },
}

const netpol = runBuiltCli

let fake: FakeApiServer
function api(method: string, path: string, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = request(fake.url + path, { method, ca: fake.certs.ca, headers: { Authorization: `Bearer ${fake.token}`, 'Content-Type': 'application/json' } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    r.on('error', reject)
    r.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

/** The 8080 cell of `lab probe` from prometheus to api-5c4: `.` or `X`. */
const scrapeCell = (out: string): string | undefined => {
  const table = out.slice(out.indexOf('port 8080/TCP'))
  return /monitoring\/prometheus-0\s+(\S)/.exec(table)?.[1]
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!

describe.runIf(canRun).sequential('a live lab follows the API server', () => {
  let release: () => void
  let dir: string
  let kubeconfig: string
  beforeAll(async () => {
    release = await acquireLabLock({ name: LAB })
    await labDown(LAB)
    fake = await FakeApiServer.start()
    applyExample(fake)
    dir = mkdtempSync(join(tmpdir(), 'netpol-live-lab-'))
    kubeconfig = writeFakeKubeconfig(join(dir, 'kubeconfig'), fake)
  }, 30_000)
  afterAll(async () => {
    await labDown(LAB)
    await fake?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
    release?.()
  }, 30_000)

  let agentPid = 0
  test('lab up --kubeconfig starts the agent in watch mode, owned by the lab; the probe agrees with the engine', async () => {
    const up = await netpol(['lab', 'up', '--name', LAB, '--kubeconfig', kubeconfig])
    expect(up.err).toBe('')
    expect(up.code).toBe(0)
    expect(up.out).toMatch(/agent \(enforce\): follows the cluster of kubeconfig .* \(list\+watch\)/)
    const state = JSON.parse(readFileSync(`${labNames(LAB).runDir}/state.json`, 'utf8')) as LabState
    const agent = state.processes.find((p) => p.role === 'agent')!
    expect(agent).toBeDefined()
    agentPid = agent.pid
    expect(fake.openWatches('NetworkPolicy')).toBe(1)
    const probe = await netpol(['lab', 'probe', '--name', LAB, '--port', '8080'])
    expect(probe.code, probe.out + probe.err).toBe(0)
    expect(scrapeCell(probe.out)).toBe('X')
  }, 60_000)

  test(`a policy created and deleted through the API flips real packets; ${CHANGES} changes measured`, async () => {
    const state = JSON.parse(readFileSync(`${labNames(LAB).runDir}/state.json`, 'utf8')) as LabState
    const prometheus = state.plan.pods.find((p) => p.id === 'monitoring/prometheus-0')!
    const api5c4 = state.plan.pods.find((p) => p.id === 'backend/api-5c4')!
    // the address the API gives the pod (examples/three-tier/pods.yaml), which the lab uses
    expect(api5c4.addresses.map((a) => a.ip)).toEqual(['10.244.2.10'])
    const worker: Worker = await startWorker(prometheus.netns, '10.244.2.10')
    const samples: { startNs: bigint; ok: boolean; result: string }[] = []
    worker.onSample = (startNs, ok, result) => samples.push({ startNs, ok, result })
    await worker.call({ op: 'stream', port: 8080, intervalMs: 2, timeoutMs: 60 })
    /** ms from `t0` to the start of the first connection started after t0 that sees `ok` */
    const flip = async (t0: bigint, ok: boolean): Promise<number> => {
      const deadline = Date.now() + 3000
      for (;;) {
        const s = samples.find((x) => x.startNs >= t0 && x.ok === ok)
        if (s !== undefined) return Number(s.startNs - t0) / 1e6
        if (Date.now() > deadline) {
          const log = readFileSync(`${labNames(LAB).runDir}/logs/agent.log`, 'utf8').split('\n').slice(-5).join('\n')
          const last = samples.slice(-3).map((x) => x.result)
          throw new Error(`no ${ok ? 'allowed' : 'denied'} connection within 3 s of the API request (${samples.length} samples, last ${last}); the agent's log ends:\n${log}`)
        }
        await new Promise((r) => setTimeout(r, 5))
      }
    }
    const allow: number[] = []
    const deny: number[] = []
    try {
      for (let i = 0; i < CHANGES / 2; i++) {
        let t0 = process.hrtime.bigint()
        expect(await api('POST', NP, allowScrape)).toBe(201)
        allow.push(await flip(t0, true))
        if (i === 0) {
          const probe = await netpol(['lab', 'probe', '--name', LAB, '--port', '8080'])
          expect(probe.code, probe.out + probe.err).toBe(0)
          expect(scrapeCell(probe.out)).toBe('.')
        }
        t0 = process.hrtime.bigint()
        expect(await api('DELETE', `${NP}/${allowScrape.metadata.name}`)).toBe(200)
        deny.push(await flip(t0, false))
      }
    } finally {
      await worker.call({ op: 'stop', drainMs: 100 })
      worker.stop()
    }
    const all = [...allow, ...deny]
    const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`
    console.log(`live lab: API request → packet flip over ${all.length} policy changes: ${fmt(all)} (create → allowed ${fmt(allow)}; delete → denied ${fmt(deny)})`)
    expect(percentile(all, 99)).toBeLessThan(1000)
    const probe = await netpol(['lab', 'probe', '--name', LAB, '--port', '8080'])
    expect(probe.code, probe.out + probe.err).toBe(0)
    expect(scrapeCell(probe.out)).toBe('X')
  }, 120_000)

  test('lab down ends the agent and leaves no namespace or process behind', async () => {
    const agent = { pid: agentPid, startTime: (await procStartTime(agentPid)) ?? '' }
    expect(await runs(agent)).toBe(true)
    const down = await netpol(['lab', 'down', '--name', LAB])
    expect(down.code, down.err).toBe(0)
    expect(await runs(agent)).toBe(false)
    expect(await listNetns(labNames(LAB).netnsPrefixes)).toEqual([])
    expect(fake.openWatches()).toBe(0)
  }, 60_000)
})
