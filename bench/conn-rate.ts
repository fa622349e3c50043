/**
 * Connection-setup rate through the agent's ruleset (root; builds the lab, so it takes the lab lock).
 *
 * Two lab pods, `bench/client` and `bench/server`, are real network namespaces on the lab bridge; the manifest
 * adds 9,998 generated pods (IPs and labels only) and N generated policies, plus two policies that allow
 * client → server on TCP 8080 (egress of the client, ingress of the server). One Node process in the client
 * namespace opens and resets TCP connections to a server that accepts and closes, as fast as it can, for a
 * fixed time, under each configuration of the node namespace's nftables:
 *
 *   none            no ruleset: conntrack is not even loaded in the namespace
 *   conntrack-only  one forward chain: `ct state established,related accept` and a counter
 *   agent N         `netpol agent --once` on the manifest with N generated policies, managing all pods
 *                   (`--all-pods`) or only the bench pods (`--pod-cidr 10.244.250.0/24`, one node's share)
 *   linear N        iptables-style: one `ip saddr . ip daddr . tcp dport accept` rule per policy, the
 *                   allowed flow's rule last, behind `ct state established,related accept`
 *
 *   extra           `--ruleset label=file.nft`: a table of one's own (a candidate shape), loaded the same way
 *
 * Rounds alternate between configurations (each round starts one configuration further on), and each round's
 * rate is divided by that round's conntrack-only rate: the medians of these paired ratios, with their spread,
 * cancel the drift of the machine's load. Every alternating round runs under `perf record` (when perf is there):
 * the CPU time in nf_tables per connection, which other load on the machine does not change (the rate does).
 *
 * Usage: npm run build && npx tsx bench/conn-rate.ts [--seconds 3] [--rounds 10] [--concurrency 8]
 *          [--policies 0,1000,10000] [--seed 1] [--managed all|node|both] [--ruleset label=file.nft …] [--no-perf]
 * The manifest helpers below are shared with bench/change-latency.ts; the lab processes live in test/lab-traffic.ts.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { LAB_NODE_NETNS, planLab } from '../src/lab/index.js'
import { inNetns, sleep, startServer, startWorker, stopChild, tuneClient, withLab } from '../test/lab-traffic.js'
import { cpuNs, perfAvailable, startProfile, type KernelProfile } from './kernel-samples.js'
import { generateCluster, renderCluster, type KubeObject, type NamespaceJson, type NetworkPolicyJson, type PodJson } from './generate-cluster.js'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const OUT_DIR = join(ROOT, 'bench', 'out')
export const CLI = join(ROOT, 'dist', 'cli', 'main.js')
export const SERVER_PORT = 8080
/** a port nothing allows: probes to it show whether a ruleset enforces at all */
export const CLOSED_PORT = 9999
export const BENCH_NS = 'bench'
export const CLIENT_IP = '10.244.250.10'
export const SERVER_IP = '10.244.250.11'

// ---------------------------------------------------------------- manifests

const clone = <T>(x: T): T => structuredClone(x)

/**
 * The generated cluster (`pods` background pods, `policies` policies) plus namespace `bench` with the given pods
 * (labels as given, addresses fixed) and policies. The bench pods are cloned from a generated pod, so they carry
 * every field the loader expects.
 */
export function benchObjects(
  opts: { seed: number; pods: number; namespaces: number; policies: number },
  pods: readonly { name: string; ip: string; labels: Record<string, string> }[],
  policies: readonly NetworkPolicyJson[],
): KubeObject[] {
  const generated = generateCluster({ seed: opts.seed, pods: Math.max(1, opts.pods), namespaces: Math.max(2, opts.namespaces), policies: opts.policies })
  const template = generated.find((o): o is PodJson => o.kind === 'Pod')!
  const nsTemplate = generated.find((o): o is NamespaceJson => o.kind === 'Namespace')!
  const background = opts.pods === 0 ? generated.filter((o) => o.kind !== 'Pod') : generated
  const taken = new Set(background.flatMap((o) => (o.kind === 'Pod' ? o.status.podIPs.map((p) => p.ip) : [])))
  const ns = clone(nsTemplate)
  ns.metadata = { ...ns.metadata, name: BENCH_NS, uid: '00000000-0000-4000-8000-00000000b000', labels: { 'kubernetes.io/metadata.name': BENCH_NS } }
  const benchPods = pods.map((p, i) => {
    if (taken.has(p.ip)) throw new Error(`bench pod address ${p.ip} is taken by a generated pod`)
    const pod = clone(template)
    pod.metadata = { ...pod.metadata, name: p.name, namespace: BENCH_NS, uid: `00000000-0000-4000-8000-00000000b${String(i + 1).padStart(3, '0')}`, labels: p.labels }
    delete (pod.metadata as { ownerReferences?: unknown }).ownerReferences
    delete (pod.metadata as { generateName?: unknown }).generateName
    pod.spec = { ...pod.spec, containers: pod.spec.containers.map((c) => ({ ...c, ports: [] })) }
    pod.status = { ...pod.status, podIP: p.ip, podIPs: [{ ip: p.ip }] }
    return pod
  })
  return [...background.filter((o) => o.kind === 'Namespace'), ns, ...background.filter((o) => o.kind === 'Pod'), ...benchPods, ...background.filter((o) => o.kind === 'NetworkPolicy'), ...policies]
}

/** A NetworkPolicy in namespace `bench`: `policyTypes` from which of ingress/egress are given. */
export function benchPolicy(
  name: string,
  podSelector: Record<string, string>,
  rules: { ingressFrom?: Record<string, string>; egressTo?: Record<string, string>; port?: number; denyAll?: boolean },
): NetworkPolicyJson {
  const ports = rules.port === undefined ? undefined : [{ protocol: 'TCP' as const, port: rules.port }]
  const spec: NetworkPolicyJson['spec'] = { podSelector: Object.keys(podSelector).length === 0 ? {} : { matchLabels: podSelector }, policyTypes: [] }
  if (rules.ingressFrom !== undefined || rules.denyAll) {
    spec.policyTypes.push('Ingress')
    spec.ingress = rules.ingressFrom === undefined ? [] : [{ from: [{ podSelector: { matchLabels: rules.ingressFrom } }], ...(ports ? { ports } : {}) }]
  }
  if (rules.egressTo !== undefined) {
    spec.policyTypes.push('Egress')
    spec.egress = [{ to: [{ podSelector: { matchLabels: rules.egressTo } }], ...(ports ? { ports } : {}) }]
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: BENCH_NS, uid: `00000000-0000-4000-8000-0000${Buffer.from(name).toString('hex').slice(0, 8).padStart(8, '0')}`, resourceVersion: '1', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z' },
    spec,
  }
}

export const renderList = (objects: readonly KubeObject[]): string => renderCluster(objects, 'json')

// ---------------------------------------------------------------- the linear baseline

/**
 * One rule per generated policy, iptables-style: the address of a pod of the policy's namespace that its
 * matchLabels select (else any pod there) as daddr, a pseudo-random pod as saddr, the policy's first numeric
 * port (else 8080) as dport. None of them matches the measured flow, whose rule comes last.
 */
export function linearRuleset(objects: readonly KubeObject[], table: string): { text: string; rules: number } {
  const pods = objects.filter((o): o is PodJson => o.kind === 'Pod' && o.metadata.namespace !== BENCH_NS)
  const byNs = new Map<string, PodJson[]>()
  for (const p of pods) byNs.set(p.metadata.namespace!, [...(byNs.get(p.metadata.namespace!) ?? []), p])
  const lines: string[] = []
  let i = 0
  for (const o of objects) {
    if (o.kind !== 'NetworkPolicy' || o.metadata.namespace === BENCH_NS) continue
    const inNs = byNs.get(o.metadata.namespace!) ?? pods
    const want = o.spec.podSelector.matchLabels ?? {}
    const dst = inNs.find((p) => Object.entries(want).every(([k, v]) => p.metadata.labels?.[k] === v)) ?? inNs[0]!
    const src = pods[(i * 7919) % pods.length]!
    const firstPort = [...(o.spec.ingress ?? []), ...(o.spec.egress ?? [])].flatMap((r) => r.ports ?? []).find((p) => typeof p.port === 'number' && p.protocol === 'TCP')
    lines.push(`    ip saddr ${src.status.podIP} ip daddr ${dst.status.podIP} tcp dport ${(firstPort?.port as number | undefined) ?? 8080} accept`)
    i++
  }
  const text = [
    `table inet ${table} {`,
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    '    ct state established,related accept',
    ...lines,
    `    ip saddr ${CLIENT_IP} ip daddr ${SERVER_IP} tcp dport ${SERVER_PORT} accept`,
    '    ip daddr 10.244.0.0/16 drop',
    '  }',
    '}',
    '',
  ].join('\n')
  return { text, rules: lines.length + 1 }
}

export const CONNTRACK_ONLY = [
  'table inet bench {',
  '  chain forward {',
  '    type filter hook forward priority filter; policy accept;',
  '    ct state established,related counter accept',
  '    counter',
  '  }',
  '}',
  '',
].join('\n')

// ---------------------------------------------------------------- run


export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}


/** The quartiles (linear interpolation) of a non-empty list. */
export const quartiles = (xs: readonly number[]): [number, number] => {
  const s = [...xs].sort((a, b) => a - b)
  const at = (q: number) => {
    const i = q * (s.length - 1)
    const lo = Math.floor(i)
    return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (i - lo)
  }
  return [at(0.25), at(0.75)]
}

interface ConfigResult {
  config: string
  rates: number[]
  /** per round: this round's rate over the conntrack-only rate of the same round */
  ratios: number[]
  /** per round: µs of CPU per connection of the client and server processes (their kernel work included) */
  cpuUs: number[]
  /** per round: conntrack-only's CPU per connection over this one's (the rate ratio the CPU cost alone predicts) */
  cpuRatios: number[]
  /** per round under perf: µs of CPU in nf_tables per connection */
  nftUs: number[]
  /** the nf_tables functions with the most time over all rounds, µs per connection */
  top: Map<string, number>
  errors: number
  setupMs: number | null
  check: string
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '10' },
      ruleset: { type: 'string', multiple: true, default: [] },
      'no-perf': { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '8' },
      policies: { type: 'string', default: '0,1000,10000' },
      seed: { type: 'string', default: '1' },
      managed: { type: 'string', default: 'both' },
    },
  })
  const ms = Number(values.seconds) * 1000
  const rounds = Number(values.rounds)
  const conc = Number(values.concurrency)
  const counts = values.policies.split(',').map(Number)
  const seed = Number(values.seed)
  const extra = values.ruleset.map((spec) => {
    const eq = spec.indexOf('=')
    if (eq <= 0) throw new Error(`--ruleset ${spec}: expected label=file.nft`)
    const text = readFileSync(spec.slice(eq + 1), 'utf8')
    const table = /table inet (\w+)/.exec(text)?.[1]
    if (table === undefined) throw new Error(`--ruleset ${spec}: no 'table inet NAME' in the file`)
    return { config: spec.slice(0, eq), table, text }
  })
  const perf = !values['no-perf'] && perfAvailable()
  const loadBefore = loadavg()
  mkdirSync(OUT_DIR, { recursive: true })

  // manifests first: generating 10k pods takes a few seconds, and needs no lab
  const allow = [
    benchPolicy('server-allow-client', { role: 'server' }, { ingressFrom: { role: 'client' }, port: SERVER_PORT }),
    benchPolicy('client-allow-server', { role: 'client' }, { egressTo: { role: 'server' }, port: SERVER_PORT }),
  ]
  const benchPods = [
    { name: 'client', ip: CLIENT_IP, labels: { role: 'client' } },
    { name: 'server', ip: SERVER_IP, labels: { role: 'server' } },
  ]
  const manifests = new Map<number, { file: string; objects: KubeObject[] }>()
  for (const n of counts) {
    const objects = benchObjects({ seed, pods: 9998, namespaces: 200, policies: n }, benchPods, allow)
    const file = join(OUT_DIR, `conn-rate-s${seed}-np${n}.json`)
    writeFileSync(file, renderList(objects))
    manifests.set(n, { file, objects })
    console.error(`manifest ${file}: ${objects.filter((o) => o.kind === 'Pod').length} pods, ${objects.filter((o) => o.kind === 'NetworkPolicy').length} policies`)
  }
  const largest = manifests.get(Math.max(...counts))!

  const plan = planLab([
    { namespace: BENCH_NS, name: 'client', ips: [CLIENT_IP], ports: [] },
    { namespace: BENCH_NS, name: 'server', ips: [SERVER_IP], ports: [] },
  ])
  const clientNs = plan.pods.find((p) => p.id === `${BENCH_NS}/client`)!.netns
  const serverNs = plan.pods.find((p) => p.id === `${BENCH_NS}/server`)!.netns
  const results: ConfigResult[] = []

  await withLab(plan, async () => {
    tuneClient(clientNs)
    const server = await startServer(serverNs, SERVER_IP, [SERVER_PORT])
    const client = await startWorker(clientNs, SERVER_IP)
    try {
      const node = (argv: string[], input?: string, mayFail = false) => inNetns(LAB_NODE_NETNS, argv, input, mayFail)
      const pids = [client.child.pid!, server.pid!]
      const round = async (profileTo?: string): Promise<{ rate: number; err: number; cpuUs: number; profile: KernelProfile | null }> => {
        node(['conntrack', '-F'], undefined, true)
        const p = profileTo === undefined ? null : startProfile(profileTo)
        const cpu0 = cpuNs(pids)
        const res = await client.call<{ ok: number; err: number; ms: number }>({ op: 'rate', port: SERVER_PORT, ms, conc })
        const cpuUs = (cpuNs(pids) - cpu0) / 1000 / Math.max(1, res.ok)
        const profile = (await p?.stop()) ?? null
        const perConn = profile === null || res.ok === 0 ? null : { nftUs: profile.nftUs / res.ok, top: profile.top.map((x) => ({ symbol: x.symbol, us: x.us / res.ok })) }
        return { rate: (res.ok * 1000) / res.ms, err: res.err, cpuUs, profile: perConn }
      }
      const check = async (expectClosed: string): Promise<string> => {
        const closed = (await client.call<{ result: string }>({ op: 'probe', port: CLOSED_PORT, timeoutMs: 300 })).result
        const open = (await client.call<{ result: string }>({ op: 'probe', port: SERVER_PORT, timeoutMs: 300 })).result
        return `${SERVER_PORT}:${open} ${CLOSED_PORT}:${closed}${open === 'ok' && closed === expectClosed ? '' : ' UNEXPECTED'}`
      }
      const none = async (config: string) => {
        node(['nft', 'flush', 'ruleset'])
        const r: ConfigResult = { config, rates: [], ratios: [], cpuUs: [], cpuRatios: [], nftUs: [], top: new Map(), errors: 0, setupMs: null, check: await check('ECONNREFUSED') }
        await client.call({ op: 'rate', port: SERVER_PORT, ms: 500, conc }) // warm-up
        for (let i = 0; i < rounds; i++) {
          const x = await round()
          r.rates.push(x.rate)
          r.errors += x.err
        }
        console.error(`${config}: ${r.rates.map((x) => x.toFixed(0)).join(', ')} conn/s (${r.check})`)
        results.push(r)
      }

      // 1. nothing loaded: conntrack is not engaged in the node namespace
      await none('none')

      // 2. every other configuration as its own table, loaded once; all but the measured one are dormant
      //    (a dormant table's hooks are unregistered), so rounds can alternate between configurations
      const tables: { config: string; table: string; setupMs: number; expectClosed: string }[] = []
      const timed = (fn: () => void) => {
        const t0 = performance.now()
        fn()
        return performance.now() - t0
      }
      const dormant = (t: string) => node(['nft', 'add', 'table', 'inet', t, '{ flags dormant; }'])
      tables.push({ config: 'conntrack-only', table: 'bench', setupMs: timed(() => node(['nft', '-f', '-'], CONNTRACK_ONLY)), expectClosed: 'ECONNREFUSED' })
      dormant('bench')
      // --all-pods: one agent filters all 10,000 pods; --pod-cidr: only the bench pods (what one node runs),
      // the other pods still classified as peers
      const scopes = [
        ...(values.managed !== 'node' ? [{ name: 'all pods', args: ['--all-pods'], tag: 'all' }] : []),
        ...(values.managed !== 'all' ? [{ name: 'bench pods', args: ['--pod-cidr', '10.244.250.0/24'], tag: 'node' }] : []),
      ]
      for (const scope of scopes) {
        for (const n of counts) {
          const table = `netpol_${scope.tag}_${n}`
          const config = `agent (${scope.name} managed), ${n} policies`
          const t0 = performance.now()
          const r = spawnSync(process.execPath, [CLI, 'agent', '-f', manifests.get(n)!.file, '--netns', LAB_NODE_NETNS, ...scope.args, '--once', '--table', table], { encoding: 'utf8' })
          const setupMs = performance.now() - t0
          const last = r.stderr.trim().split('\n').pop() ?? ''
          console.error(`${config}: ${last}`)
          if (r.status !== 0) {
            node(['nft', 'delete', 'table', 'inet', table], undefined, true)
            results.push({ config, rates: [], ratios: [], cpuUs: [], cpuRatios: [], nftUs: [], top: new Map(), errors: 0, setupMs, check: `apply failed (exit ${r.status}): ${last.replace(/^\S+ /, '')}` })
            continue
          }
          dormant(table)
          tables.push({ config, table, setupMs, expectClosed: 'timeout' })
        }
      }
      const linear = linearRuleset(largest.objects, 'linear')
      tables.push({ config: `linear chain, ${linear.rules} rules`, table: 'linear', setupMs: timed(() => node(['nft', '-f', '-'], linear.text)), expectClosed: 'timeout' })
      dormant('linear')
      for (const x of extra) {
        tables.push({ config: x.config, table: x.table, setupMs: timed(() => node(['nft', '-f', '-'], x.text)), expectClosed: 'timeout' })
        dormant(x.table)
      }
      const activate = (t: string) =>
        node(['nft', '-f', '-'], tables.map((x) => (x.table === t ? '' : `add table inet ${x.table} { flags dormant; }\n`)).join('') + `add table inet ${t}\n`)
      const byTable = new Map<string, ConfigResult>()
      for (const t of tables) {
        activate(t.table)
        await sleep(100)
        const r: ConfigResult = { config: t.config, rates: [], ratios: [], cpuUs: [], cpuRatios: [], nftUs: [], top: new Map(), errors: 0, setupMs: t.setupMs, check: await check(t.expectClosed) }
        byTable.set(t.table, r)
        results.push(r)
      }
      await client.call({ op: 'rate', port: SERVER_PORT, ms: 500, conc }) // warm-up
      for (let i = 0; i < rounds; i++) {
        const rates = new Map<string, number>()
        const cpus = new Map<string, number>()
        // each round starts one configuration further on, so no configuration always follows the same one
        for (let k = 0; k < tables.length; k++) {
          const t = tables[(i + k) % tables.length]!
          activate(t.table)
          const x = await round(perf ? join(OUT_DIR, `conn-rate-${t.table}.perf`) : undefined)
          const r = byTable.get(t.table)!
          r.rates.push(x.rate)
          r.errors += x.err
          if (x.profile !== null) {
            r.nftUs.push(x.profile.nftUs)
            for (const f of x.profile.top) r.top.set(f.symbol, (r.top.get(f.symbol) ?? 0) + f.us / rounds)
          }
          rates.set(t.table, x.rate)
          cpus.set(t.table, x.cpuUs)
          r.cpuUs.push(x.cpuUs)
          console.error(`round ${i + 1}, ${t.config}: ${x.rate.toFixed(0)} conn/s${x.err > 0 ? ` (${x.err} errors)` : ''}`)
        }
        for (const t of tables) {
          byTable.get(t.table)!.ratios.push(rates.get(t.table)! / rates.get('bench')!)
          byTable.get(t.table)!.cpuRatios.push(cpus.get('bench')! / cpus.get(t.table)!)
        }
      }
      // 3. nothing again: shows the drift over the run
      await none('none (again)')
    } finally {
      client.stop()
      stopChild(server)
    }
  })

  const ref = median(results.find((r) => r.config === 'conntrack-only')!.rates)
  const loadAfter = loadavg()
  const f0 = (x: number) => x.toFixed(0)
  const f3 = (x: number) => x.toFixed(3)
  const rows = results.map((r) => {
    const setup = r.setupMs === null ? '' : `${(r.setupMs / 1000).toFixed(1)} s`
    if (r.rates.length === 0) return `| ${r.config} | | | | | | | ${setup} | | ${r.check} |`
    const m = median(r.rates)
    // none runs outside the alternation: its ratio is to the conntrack-only median
    const ratios = r.ratios.length > 0 ? r.ratios : r.rates.map((x) => x / ref)
    const [q1, q3] = quartiles(ratios)
    const top = [...r.top].sort((a, b) => b[1] - a[1]).slice(0, 3)
    const nft = r.nftUs.length === 0 ? '' : `${median(r.nftUs).toFixed(2)} (${quartiles(r.nftUs).map((x) => x.toFixed(2)).join('–')}; ${top.map(([f, us]) => `${f} ${us.toFixed(2)}`).join(', ')})`
    const cpu = r.cpuRatios.length === 0 ? '' : `${median(r.cpuUs).toFixed(1)} µs, ${f3(median(r.cpuRatios))} (${quartiles(r.cpuRatios).map(f3).join('–')})`
    return `| ${r.config} | ${f0(m)} | ${f0(Math.min(...r.rates))}–${f0(Math.max(...r.rates))} | ${f3(median(ratios))} | ${f3(q1)}–${f3(q3)} | ${cpu} | ${nft} | ${setup} | ${r.errors} | ${r.check} |`
  })
  console.log(
    `connection-setup rate, ${rounds} × ${ms / 1000} s per configuration, ${conc} connections in flight; configurations other than none alternate round by round, ` +
      `and the ratio is each round's rate over the same round's conntrack-only rate (conntrack-only median ${f0(ref)} conn/s); ` +
      `load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} before, ${loadAfter.map((x) => x.toFixed(2)).join(' ')} after\n`,
  )
  console.log('| config | conn/s (median) | min–max | ratio to conntrack-only (median) | ratio IQR | CPU per connection, median; ratio conntrack-only/this, median (IQR) | nf_tables µs/conn, median (IQR; top functions) | set-up | errors | check (open port, closed port) |')
  console.log('|---|---|---|---|---|---|---|---|---|---|')
  for (const row of rows) console.log(row)
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err)
    process.exitCode = 1
  })
}
