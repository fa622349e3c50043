/**
 * Change → enforced: how long after a manifest file is written does `netpol agent` (watch mode) enforce it?
 * Root; builds the lab, so it takes the lab lock.
 *
 * Lab pods (real namespaces) `bench/client`, `bench/server` and `bench/newpod`; namespace `bench` has a default
 * deny of ingress. The agent runs as `netpol agent -f FILE --netns netpol-lab-node --all-pods` (no --once) for
 * the whole run. Probers in the client and newpod namespaces open a new TCP connection to the server every
 * `--interval-ms` (timeout `--timeout-ms`) and report each probe's start time on CLOCK_MONOTONIC, which the bench
 * shares with them. Two experiments, `--iterations` times each:
 *
 *   policy flip  add / remove `server-allow-client` (ingress to server from role=client on 8080): client → server
 *                flips between allowed and denied
 *   pod add      with that policy in place, `bench/newpod` (role=client) appears in the manifest: newpod → server
 *                goes from denied (its address is no pod's) to allowed; then it is removed again (pod remove)
 *
 * Latency = start of the first probe showing the new verdict − the moment the new file was in place (written to a
 * temporary file, then renamed over the old one, so that the agent never reads half a file). Probes after that
 * one that still show the old verdict within 100 ms are counted as flaps.
 *
 * Usage: npm run build && npx tsx bench/change-latency.ts [--iterations 100] [--pods 0] [--namespaces 20]
 *          [--policies 0] [--seed 1] [--interval-ms 1] [--timeout-ms 100] [--managed all|node] [--split]
 * --pods/--policies add a generated background cluster (IPs and labels only) to every version of the manifest.
 * --managed node: the agent filters only the bench pods (`--pod-cidr 10.244.250.0/24`, one node's share) instead
 * of every pod. --split: the background goes in a file of its own that never changes, and the agent reads the
 * directory, so a change rewrites only the small file of the bench objects (a repository of manifests).
 * --cli: another build of the CLI (a baseline, e.g. the main branch's `dist/cli/main.js`); default this one's.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { createInterface } from 'node:readline'
import { LAB_NODE_NETNS, planLab } from '../src/lab/index.js'
import { BENCH_NS, CLI, CLIENT_IP, OUT_DIR, SERVER_IP, SERVER_PORT, benchObjects, benchPolicy, renderList } from './conn-rate.js'
import { sleep, startServer, startWorker, stopChild, tuneClient, withLab, type Worker } from '../test/lab-traffic.js'

const NEWPOD_IP = '10.244.250.12'
const STABLE_MS = 100
const GIVE_UP_MS = 10_000

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '100' },
    pods: { type: 'string', default: '0' },
    namespaces: { type: 'string', default: '20' },
    policies: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    'interval-ms': { type: 'string', default: '1' },
    'timeout-ms': { type: 'string', default: '100' },
    managed: { type: 'string', default: 'all' },
    split: { type: 'boolean', default: false },
    cli: { type: 'string', default: CLI },
  },
})
const scope = values.managed === 'node' ? ['--pod-cidr', '10.244.250.0/24'] : ['--all-pods']
const iterations = Number(values.iterations)
const intervalMs = Number(values['interval-ms'])
const timeoutMs = Number(values['timeout-ms'])
const background = { seed: Number(values.seed), pods: Number(values.pods), namespaces: Number(values.namespaces), policies: Number(values.policies) }

const now = () => process.hrtime.bigint()
const ms = (ns: bigint) => Number(ns) / 1e6

/** Every probe result of one prober, in arrival order. */
class Samples {
  readonly list: { start: bigint; ok: boolean }[] = []
  constructor(w: Worker) {
    w.onSample = (start, ok) => this.list.push({ start, ok })
  }
  clear() {
    this.list.length = 0
  }
}

interface Flip {
  latencyMs: number
  flaps: number
}

/**
 * After `t0`, waits for the first probe showing `want`, then for STABLE_MS more (plus a timeout, so that every
 * probe of the window has finished), and returns the latency and the flaps. null after GIVE_UP_MS.
 */
async function waitFlip(s: Samples, t0: bigint, want: boolean): Promise<Flip | null> {
  const deadline = t0 + BigInt(GIVE_UP_MS) * 1_000_000n
  for (;;) {
    // probes finish out of order (a timeout takes timeoutMs); the earliest-started one with the new verdict counts
    let first: bigint | null = null
    for (const x of s.list) if (x.start >= t0 && x.ok === want && (first === null || x.start < first)) first = x.start
    if (first !== null) {
      await sleep(STABLE_MS + timeoutMs + 20)
      let again: bigint | null = null
      for (const x of s.list) if (x.start >= t0 && x.ok === want && x.start < first && (again === null || x.start < again)) again = x.start
      const flip = again ?? first
      const limit = flip + BigInt(STABLE_MS) * 1_000_000n
      const flaps = s.list.filter((x) => x.start > flip && x.start <= limit && x.ok !== want).length
      return { latencyMs: ms(flip - t0), flaps }
    }
    if (now() > deadline) return null
    await sleep(2)
  }
}

const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN
}

async function main(): Promise<void> {
  const dir = join(OUT_DIR, 'change-latency')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const file = join(dir, values.split ? 'bench.json' : 'cluster.json')
  const tmp = `${file}.tmp`
  const base = [
    { name: 'client', ip: CLIENT_IP, labels: { role: 'client' } },
    { name: 'server', ip: SERVER_IP, labels: { role: 'server' } },
  ]
  const denyAll = benchPolicy('default-deny-ingress', {}, { denyAll: true })
  const allow = benchPolicy('server-allow-client', { role: 'server' }, { ingressFrom: { role: 'client' }, port: SERVER_PORT })
  // the background is generated once; each version of the manifest only swaps the bench objects
  const bg = benchObjects(background, [], [])
  const render = (withAllow: boolean, withNewpod: boolean): string => {
    const pods = withNewpod ? [...base, { name: 'newpod', ip: NEWPOD_IP, labels: { role: 'client' } }] : base
    const bench = benchObjects({ seed: 1, pods: 1, namespaces: 2, policies: 0 }, pods, withAllow ? [denyAll, allow] : [denyAll]).filter(
      (o) => o.metadata.namespace === BENCH_NS || o.metadata.name === BENCH_NS,
    )
    if (values.split) return renderList(bench.filter((o) => o.kind !== 'Namespace'))
    return renderList([...bg.filter((o) => o.kind === 'Namespace'), ...bench.filter((o) => o.kind === 'Namespace'), ...bg.filter((o) => o.kind !== 'Namespace'), ...bench.filter((o) => o.kind !== 'Namespace')])
  }
  // the background already holds namespace bench (benchObjects adds it)
  if (values.split) writeFileSync(join(dir, 'background.json'), renderList(bg))
  const versions = new Map<string, string>()
  for (const a of [false, true]) for (const n of [false, true]) versions.set(`${a}/${n}`, render(a, n))
  const write = (withAllow: boolean, withNewpod: boolean): bigint => {
    writeFileSync(tmp, versions.get(`${withAllow}/${withNewpod}`)!)
    renameSync(tmp, file)
    return now()
  }
  console.error(`manifest ${file}: ${bg.filter((o) => o.kind === 'Pod').length} background pods, ${bg.filter((o) => o.kind === 'NetworkPolicy').length} background policies, ${(versions.get('true/true')!.length / 1e6).toFixed(1)} MB`)

  const plan = planLab(
    [
      { namespace: BENCH_NS, name: 'client', ips: [CLIENT_IP], ports: [] },
      { namespace: BENCH_NS, name: 'server', ips: [SERVER_IP], ports: [] },
      { namespace: BENCH_NS, name: 'newpod', ips: [NEWPOD_IP], ports: [] },
    ],
    {},
  )
  const nsOf = (name: string) => plan.pods.find((p) => p.id === `${BENCH_NS}/${name}`)!.netns
  const flips: { policy: Flip[]; podAdd: Flip[]; podRemove: Flip[]; failed: string[]; applyMs: number[] } = { policy: [], podAdd: [], podRemove: [], failed: [], applyMs: [] }

  await withLab(plan, async () => {
    tuneClient(nsOf('client'))
    tuneClient(nsOf('newpod'))
    const server = await startServer(nsOf('server'), SERVER_IP, [SERVER_PORT])
    const client = await startWorker(nsOf('client'), SERVER_IP)
    const newpod = await startWorker(nsOf('newpod'), SERVER_IP)
    write(false, false)
    const agent = spawn(process.execPath, [values.cli!, 'agent', '-f', values.split ? dir : file, '--netns', LAB_NODE_NETNS, ...scope], { stdio: ['ignore', 'ignore', 'pipe'] })
    process.once('exit', () => stopChild(agent))
    let applied = 0
    createInterface({ input: agent.stderr! }).on('line', (line) => {
      const m = / in (\d+) ms:/.exec(line)
      if (m !== null) {
        applied++
        flips.applyMs.push(Number(m[1]))
      } else if (!/no change/.test(line)) console.error(`agent: ${line}`)
    })
    try {
      while (applied === 0) {
        if (agent.exitCode !== null) throw new Error(`the agent exited (${agent.exitCode})`)
        await sleep(20)
      }
      flips.applyMs.length = 0
      const cs = new Samples(client)
      const ns = new Samples(newpod)
      await client.call({ op: 'stream', port: SERVER_PORT, intervalMs, timeoutMs })
      await newpod.call({ op: 'stream', port: SERVER_PORT, intervalMs, timeoutMs })
      await sleep(300)

      // policy flip: denied (default deny) ↔ allowed
      let allowed = false
      for (let i = 0; i < 2 * iterations; i++) {
        cs.clear()
        await sleep(20 + (i % 7) * 7) // the write does not follow the prober's rhythm
        const t0 = write(!allowed, false)
        const f = await waitFlip(cs, t0, !allowed)
        if (f === null) flips.failed.push(`policy flip ${i} (${allowed ? 'allowed → denied' : 'denied → allowed'})`)
        else if (i % 2 === 0 || flips.policy.length < iterations) flips.policy.push(f)
        allowed = !allowed
        if (i % 20 === 0) console.error(`policy flip ${i}/${iterations}`)
        if (flips.policy.length >= iterations) break
      }
      // pod add / remove, with the allow policy in place
      if (!allowed) {
        const t0 = write(true, false)
        if ((await waitFlip(cs, t0, true)) === null) throw new Error('client never allowed')
      }
      for (let i = 0; i < iterations; i++) {
        ns.clear()
        await sleep(20 + (i % 7) * 7)
        const t0 = write(true, true)
        const f = await waitFlip(ns, t0, true)
        if (i % 20 === 0) console.error(`pod add/remove ${i}/${iterations}`)
        if (f === null) flips.failed.push(`pod add ${i}`)
        else flips.podAdd.push(f)
        ns.clear()
        await sleep(20 + (i % 5) * 9)
        const t1 = write(true, false)
        const g = await waitFlip(ns, t1, false)
        if (g === null) flips.failed.push(`pod remove ${i}`)
        else flips.podRemove.push(g)
      }
      await client.call({ op: 'stop', drainMs: timeoutMs })
      await newpod.call({ op: 'stop', drainMs: timeoutMs })
    } finally {
      stopChild(agent)
      client.stop()
      newpod.stop()
      stopChild(server)
    }
  })

  const row = (name: string, xs: Flip[]) => {
    const l = xs.map((x) => x.latencyMs)
    const flaps = xs.reduce((a, x) => a + x.flaps, 0)
    return `| ${name} | ${xs.length} | ${pct(l, 50).toFixed(1)} | ${pct(l, 99).toFixed(1)} | ${Math.max(...l).toFixed(1)} | ${Math.min(...l).toFixed(1)} | ${flaps} |`
  }
  console.log(
    `change → enforced, watch mode, ${values.cli}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}; background ${background.pods} pods / ${background.policies} policies${values.split ? ' in a file of its own' : ''}; ${values.managed === 'node' ? 'bench pods' : 'all pods'} managed; probes every ${intervalMs} ms, timeout ${timeoutMs} ms\n`,
  )
  console.log('| change | n | p50 ms | p99 ms | max ms | min ms | flaps |')
  console.log('|---|---|---|---|---|---|---|')
  console.log(row('policy flip (add/remove allow)', flips.policy))
  console.log(row('pod add (denied → allowed)', flips.podAdd))
  console.log(row('pod remove (allowed → denied)', flips.podRemove))
  const a = flips.applyMs
  console.log(`\nagent-reported nft apply time per change: p50 ${pct(a, 50)} ms, p99 ${pct(a, 99)} ms (n=${a.length})`)
  if (flips.failed.length > 0) {
    console.log(`no flip within ${GIVE_UP_MS} ms: ${flips.failed.join(', ')}`)
    process.exitCode = 1
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
