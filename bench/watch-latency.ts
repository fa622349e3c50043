/**
 * API event → enforced: how long after a change reaches the API server is it in the node's nftables table?
 * Root and nft; no lab. The agent's loop runs in-process with real nft in a scratch network namespace, following
 * the FAKE API server of the tests (test/fake-apiserver: real TLS on loopback, the API's wire format) with the
 * watchers of io/kube, exactly as `netpol agent` without -f does. The same run measures the baseline, the
 * file-watch path (`netpol agent -f DIR`): the same changes written to a manifest file (renamed into place).
 *
 * Two experiments, `--iterations` times each, on each path:
 *   policy   add / remove a policy that admits role=client to pod bench/server (node n1): the server's ingress
 *            profile changes
 *   pod      a pod of n1 whose address becomes known (API: the MODIFIED event that gives status.podIP, after
 *            the pod was created without one; files: the pod written with its address): it enters the ingress map
 *
 * A third path is the API watch with the unknown-pod guard (the node's pod CIDR 10.244.0.0/16, as `netpol agent`
 * without -f reads it from the Node): there the new pod's address is dropped until the same transaction puts it
 * into the known set, so "pod address → enforced" is the whole window in which the new pod is unreachable.
 *
 * Each path runs twice in the same run: with the loop's incremental compile (what `netpol agent` does) and with
 * a whole compile per change (the baseline; `--compile incremental|whole|both`, default both). Beside each
 * figure: the agent's own CPU time per change (compile, diff and the rest of the loop, from the change to the
 * report; nft's time in its own process is not in it), p50, and the load average when the path ended.
 *
 * Latency = the loop's `applied` report (nft has returned from the transaction, so the kernel holds it) − the
 * moment the change was made (fake.apply / the rename). Every iteration then checks with `nft list` that the
 * table holds the change (not timed), and waits for the loop to be idle before the next.
 *
 *   npx tsx bench/watch-latency.ts [--iterations 100] [--pods 0 --policies 0 --namespaces 20] [--debounce-ms 20]
 *                                  [--compile both|incremental|whole]
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { followCluster, podsOfNode, type ClusterInput } from '../src/agent/cluster-input.js'
import { AgentLoop, watchPaths, type AgentEvent, type LoadOutcome } from '../src/agent/loop.js'
import { formatIssue } from '../src/cli/render/format-issue.js'
import { ExecNftRunner } from '../src/dataplane/nft-runner.js'
import { loadManifests, ManifestCache } from '../src/io/load-manifests.js'
import { createKubeClient, loadKubeConfig } from '../src/io/kube/index.js'
import { FakeApiServer, writeFakeKubeconfig, type Obj } from '../test/fake-apiserver/index.js'
import { generateCluster } from './generate-cluster.js'
import { parseCidr } from '../src/model/ip.js'

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '100' },
    pods: { type: 'string', default: '0' },
    policies: { type: 'string', default: '0' },
    namespaces: { type: 'string', default: '20' },
    'debounce-ms': { type: 'string', default: '20' },
    compile: { type: 'string', default: 'both' },
  },
})
const iterations = Number(values.iterations)
const debounceMs = Number(values['debounce-ms'])
const background = generateCluster({ seed: 1, pods: Number(values.pods), policies: Number(values.policies), namespaces: Number(values.namespaces) }) as unknown as Obj[]

const NODE = 'n1'
const ns = `npbench${process.pid}`
const dir = mkdtempSync(join(tmpdir(), 'netpol-watch-latency-'))
const nft = (...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, 'nft', ...args], { encoding: 'utf8' })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const pod = (name: string, ip: string | undefined, labels: Record<string, string>): Obj => ({
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: { namespace: 'bench', name, labels },
  spec: { nodeName: NODE, containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] },
  status: ip === undefined ? { phase: 'Pending', hostIP: '192.168.0.1' } : { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '192.168.0.1' },
})
const fixed: Obj[] = [
  { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'bench' } },
  pod('server', '10.244.250.10', { role: 'server' }),
  pod('client', '10.244.250.11', { role: 'client' }),
  { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', metadata: { namespace: 'bench', name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
]
const allow: Obj = {
  kind: 'NetworkPolicy',
  apiVersion: 'networking.k8s.io/v1',
  metadata: { namespace: 'bench', name: 'server-allow-client' },
  spec: { podSelector: { matchLabels: { role: 'server' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ port: 8080 }] }] },
}
const newPodIp = (i: number) => `10.244.${251 + Math.floor(i / 200)}.${10 + (i % 200)}`

/** One path: a way to make a change, and the loop that follows it. */
interface Path {
  readonly name: string
  /** the unknown-pod guard is on */
  readonly guard?: boolean
  readonly start: (loop: () => AgentLoop | null) => Promise<{ load: () => Promise<LoadOutcome>; stop: () => Promise<void> }>
  /** the policy present or not; the pods present (name → address or none) */
  readonly set: (state: { allow: boolean; pods: ReadonlyMap<string, string | undefined> }) => void
}

const NODE_CIDRS = [parseCidr('10.244.0.0/16')!]

const apiPath = async (guard = false): Promise<Path & { fake: FakeApiServer }> => {
  const fake = await FakeApiServer.start({ historyLimit: 100_000 })
  fake.apply(...background, ...fixed)
  const cfg = loadKubeConfig({ kubeconfig: writeFakeKubeconfig(join(dir, 'config'), fake), env: {} })
  if (!cfg.ok) throw new Error(cfg.error.code)
  let known = new Map<string, string | undefined>()
  let allowed = false
  return {
    name: guard ? 'API+guard' : 'API watch',
    guard,
    fake,
    start: async (loop) => {
      const input: ClusterInput = followCluster(createKubeClient(cfg.value), { formatIssue, onChange: () => loop()?.trigger() })
      await input.synced()
      return { load: async () => {
        const r = await input.load()
        return r.ok && guard ? { ...r, podCidrs: NODE_CIDRS } : r
      }, stop: () => input.stop() }
    },
    set: (s) => {
      if (s.allow !== allowed) s.allow ? fake.apply(allow) : fake.remove('NetworkPolicy', 'bench', 'server-allow-client')
      allowed = s.allow
      for (const [name, ip] of s.pods) if (!known.has(name) || known.get(name) !== ip) fake.apply(pod(name, ip, { role: 'client' }))
      for (const name of known.keys()) if (!s.pods.has(name)) fake.remove('Pod', 'bench', name)
      known = new Map(s.pods)
    },
  }
}

const filePath = (): Path => {
  const file = join(dir, 'manifests', 'cluster.yaml')
  execFileSync('mkdir', ['-p', join(dir, 'manifests')])
  const write = (objs: readonly Obj[]) => {
    writeFileSync(`${file}.tmp`, objs.map((o) => JSON.stringify(o)).join('\n---\n'))
    renameSync(`${file}.tmp`, file)
  }
  write([...background, ...fixed])
  return {
    name: 'file watch',
    start: async (loop) => {
      const cache = new ManifestCache()
      const w = await watchPaths([join(dir, 'manifests')], () => loop()?.trigger())
      return {
        load: async () => {
          const r = await loadManifests([join(dir, 'manifests')], { cache })
          return r.issues.length === 0 ? { ok: true, cluster: r.cluster } : { ok: false, message: r.issues.map(formatIssue).join('\n') }
        },
        stop: async () => w.close(),
      }
    },
    set: (s) => write([...background, ...fixed, ...(s.allow ? [allow] : []), ...[...s.pods].map(([name, ip]) => pod(name, ip, { role: 'client' }))]),
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}
const figures = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`

interface Measured {
  policy: number[]
  pod: number[]
  /** the agent process's CPU time from each change to its report */
  cpu: number[]
  load: string
}

async function measure(path: Path, wholeCompile: boolean): Promise<Measured> {
  execFileSync('ip', ['netns', 'add', ns])
  let applied: (() => void) | null = null
  const events: AgentEvent[] = []
  let loop: AgentLoop | null = null
  const input = await path.start(() => loop)
  loop = new AgentLoop({ table: 'netpol', mode: 'enforce', managed: podsOfNode(NODE), debounceMs, wholeCompile }, {
    load: input.load,
    runner: new ExecNftRunner({ netns: ns }),
    report: (e) => {
      events.push(e)
      if (e.kind === 'applied') applied?.()
      if (e.kind.endsWith('-failed')) console.error(e)
    },
  })
  loop.start()
  await loop.idle()
  const timed = async (change: () => void): Promise<number> => {
    await loop!.idle()
    const done = new Promise<void>((r) => (applied = r))
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    change()
    await done
    const ms = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    out.cpu.push((cpu.user + cpu.system) / 1000)
    applied = null
    return ms
  }
  const out: Measured = { policy: [], pod: [], cpu: [], load: '' }
  const pods = new Map<string, string | undefined>()
  let allowOn = false
  const table = () => nft('list', 'table', 'inet', 'netpol')
  for (let i = 0; i < iterations; i++) {
    allowOn = !allowOn
    out.policy.push(await timed(() => path.set({ allow: allowOn, pods })))
    if (table().includes('bench/server-allow-client') !== allowOn) throw new Error(`${path.name}: policy ${i} not in the table`)
  }
  for (let i = 0; i < iterations; i++) {
    const name = `new${i}`
    // created without an address (as the scheduler and kubelet make it), then its address comes
    pods.set(name, undefined)
    path.set({ allow: allowOn, pods })
    await sleep(debounceMs + 10)
    await loop.idle()
    pods.set(name, newPodIp(i))
    out.pod.push(await timed(() => path.set({ allow: allowOn, pods })))
    const t = table()
    if (!t.includes(`${newPodIp(i)} : jump`)) throw new Error(`${path.name}: pod ${i} (${newPodIp(i)}) not in the ingress map`)
    if (path.guard && !new RegExp(`set known4_\\w+ \\{[^}]*[ ,]${newPodIp(i).replaceAll('.', '\\.')}[ ,}]`).test(t)) throw new Error(`${path.name}: pod ${i} not in the known set`)
  }
  out.load = loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')
  await loop.stop()
  await input.stop()
  execFileSync('ip', ['netns', 'del', ns])
  return out
}

try {
  const api = await apiPath()
  const results: [string, Measured][] = []
  const guarded = await apiPath(true)
  const modes = values.compile === 'both' ? [false, true] : [values.compile === 'whole']
  for (const path of [api, guarded, filePath()]) for (const whole of modes) results.push([`${path.name}${whole ? ', whole' : ''}`, await measure(path, whole)])
  await api.fake.close()
  await guarded.fake.close()
  console.log(`watch-latency: ${iterations} policy changes and ${iterations} pod addresses, background ${values.pods} pods / ${values.policies} policies, debounce ${debounceMs} ms`)
  for (const [name, r] of results) {
    console.log(`  ${name.padEnd(17)}  policy change → enforced: ${figures(r.policy)}`)
    console.log(`  ${''.padEnd(17)}  pod address → enforced:   ${figures(r.pod)}`)
    console.log(`  ${''.padEnd(17)}  agent CPU per change p50 ${pct(r.cpu, 50).toFixed(1)} ms; load average ${r.load}`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' })
  } catch {
    // already gone
  }
}
