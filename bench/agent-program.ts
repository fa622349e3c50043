/**
 * How long the agent takes to program a large cluster, and how much memory it needs (root: it uses a scratch
 * network namespace). Per scenario, in a fresh process that does what `netpol agent` does:
 * load the manifests → compile → its first generation added and switched to (two `nft -f`), then single changes
 * applied incrementally. Also, over the loaded table: a second generation (add, switch, and the old one's removal,
 * listing included) against the baseline of deleting the table and creating it anew in one transaction.
 *
 * Scenarios: `node` (the pods of one node, picked by --node-ip: what a real agent manages) and `all` (every pod
 * of the cluster managed by one agent: the worst case). With `--cluster-policies N` (default 500), each scenario
 * runs twice in the same run: on the generated cluster without cluster policies (the baseline) and on the same
 * cluster plus N ClusterNetworkPolicies of both tiers (bench/generate-cluster.ts), whose single changes then
 * include a cluster policy's rule changed.
 *
 * Each single change is compiled twice: incrementally (IncrementalCompiler, what the agent does; this result is
 * diffed and applied) and whole (compilePolicies with the previous result, the baseline); both compiles' CPU time
 * is reported.
 *
 * In the same run, the memory of the real CLI (`node dist/cli/main.js agent`, so `npm run build` first), which
 * this process's figures overstate (tsx alone adds ~45 MB): the peak RSS of `agent --once`, and the RSS of a
 * watching agent 1 s after its first sync and 1 s after a change to its file (what operators see), with its peak.
 *
 * Usage: npx tsx bench/agent-program.ts [--seed 1] [--pods 10000] [--namespaces 200] [--policies 10000]
 *          [--cluster-policies 500] [--changes 100] [--scenario node|all|both] [--readme]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import type { Cluster, Pod } from '../src/model/cluster.js'
import type { NetworkPolicy } from '../src/model/policy.js'
import type { ClusterPolicy } from '../src/model/cluster-policy.js'
import { makeSelector } from '../src/model/label-selector.js'
import { compilePolicies, type CompiledRuleset } from '../src/dataplane/compile-policies.js'
import { IncrementalCompiler } from '../src/dataplane/incremental-compiler.js'
import { ExecNftRunner } from '../src/dataplane/nft-runner.js'
import { deleteTable, fullReplace, transactionSize, type NftTransaction } from '../src/dataplane/nft-transaction.js'
import { planTransaction, removeStale, type Written } from '../src/dataplane/table-generations.js'
import { loadManifests } from '../src/io/load-manifests.js'
import { generateCluster, renderCluster, type KubeObject } from './generate-cluster.js'

interface Result {
  scenario: string
  /** the node whose pods the `node` scenario manages */
  nodeIp: string
  managedPods: number
  loadMs: number
  compileMs: number
  nftLoadMs: number
  /** over the loaded table: a second generation added, switched to, and the first one removed (listing included) */
  generation: { addMs: number; switchMs: number; cleanupMs: number }
  /** the same table deleted and created anew in one transaction, measured in the same run */
  replaceMs: number
  sets: number
  chains: number
  rules: number
  elements: number
  classes: number
  profiles: number
  /** resident memory after a full GC, once the cluster is loaded and the ruleset applied */
  rssMB: number
  /** the peak while loading, compiling and applying the first ruleset (before the single changes) */
  maxRssMB: number
  /** live JavaScript heap after a full GC: the cluster model and the compiled ruleset */
  heapMB: number
  changes: number
  /** per change, the compile alone, CPU time: the whole compile (the baseline) and the incremental one, same changes */
  compileWhole: { p50: number; p99: number }
  compileIncremental: { p50: number; p99: number }
  /** the diff of the incremental result against the table in force */
  diff: { p50: number; p99: number }
  compileDiff: { p50: number; p99: number }
  nftApply: { p50: number; p99: number }
  total: { p50: number; p99: number }
  changedElements: { p50: number; p99: number }
}

/** The real CLI's resident memory, in MB. */
interface CliMemory {
  scenario: string
  /** peak of `agent --once` */
  onceMaxMB: number
  /** a watching agent, 1 s after its first sync */
  watchMB: number
  /** the same agent, 1 s after a change to its file was applied */
  changedMB: number
  /** the watching agent's peak */
  watchMaxMB: number
}

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    pods: { type: 'string', default: '10000' },
    namespaces: { type: 'string', default: '200' },
    policies: { type: 'string', default: '10000' },
    'cluster-policies': { type: 'string', default: '500' },
    changes: { type: 'string', default: '100' },
    scenario: { type: 'string', default: 'both' },
    readme: { type: 'boolean', default: false },
    child: { type: 'string' },
  },
})

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0
}
const round = (n: number) => Math.round(n * 10) / 10

/**
 * A deterministic sequence of one-object changes: a pod's labels, a policy added, that policy removed, a pod added;
 * with cluster policies, also one of them with its first rule's action turned (Accept ↔ Deny, Pass → Deny).
 */
function* changes(base: Cluster, n: number): Generator<Cluster> {
  let c = base
  let added: NetworkPolicy | null = null
  const kinds = base.clusterPolicies.length > 0 ? 5 : 4
  for (let i = 0; i < n; i++) {
    const k = (i * 7919) % c.pods.length
    switch (i % kinds) {
      case 4: {
        const withRules = c.clusterPolicies.filter((p) => p.ingress.length + p.egress.length > 0)
        const p = withRules[(i * 104729) % withRules.length]!
        const dir = p.ingress.length > 0 ? 'ingress' : 'egress'
        const [first, ...rest] = p[dir]
        const turned: ClusterPolicy = { ...p, [dir]: [{ ...first!, action: first!.action === 'Deny' ? (first!.peers.some((x) => x.kind === 'domainNames') ? 'Deny' : 'Accept') : 'Deny' }, ...rest] }
        c = { ...c, clusterPolicies: c.clusterPolicies.map((x) => (x === p ? turned : x)) }
        break
      }
      case 0: {
        const p = c.pods[k]!
        const relabelled: Pod = { ...p, labels: { ...p.labels, version: `v${i}` } }
        c = { ...c, pods: c.pods.map((x) => (x === p ? relabelled : x)) }
        break
      }
      case 1: {
        const model = c.policies[(i * 104729) % c.policies.length]!
        added = { ...model, name: `${model.name}-bench-${i}`, podSelector: makeSelector([{ key: 'app', operator: 'In', values: [String(c.pods[k]!.labels.app ?? 'x')] }]) }
        c = { ...c, policies: [...c.policies, added] }
        break
      }
      case 2:
        c = { ...c, policies: c.policies.filter((x) => x !== added) }
        break
      case 3: {
        const p = c.pods[k]!
        const ip = p.ips[0]!
        const fresh: Pod = { ...p, name: `${p.name}-bench-${i}`, ips: [{ family: 4, value: 0x0af5_0000n + BigInt(i), text: `10.245.${(i >> 8) & 255}.${i & 255}` }] }
        void ip
        c = { ...c, pods: [...c.pods, fresh] }
        break
      }
    }
    yield c
  }
}

async function child(file: string, scenario: string, nChanges: number): Promise<Result> {
  const ns = `npbench${process.pid}`
  execFileSync('ip', ['netns', 'add', ns])
  try {
    let t = performance.now()
    const loaded = await loadManifests([file])
    const loadMs = performance.now() - t
    if (loaded.issues.length > 0) throw new Error(`generated cluster has ${loaded.issues.length} issues`)
    const cluster = loaded.cluster
    const node = cluster.pods[0]!.hostIPs[0]!
    const managed = scenario === 'all' ? () => true : (p: Pod) => p.hostIPs.some((h) => h.value === node.value && h.family === node.family)
    const opts = { managed, mode: 'enforce' as const, table: 'netpol', logGroup: 100 }
    t = performance.now()
    let compiled: CompiledRuleset = compilePolicies(cluster, opts)
    const compileMs = performance.now() - t
    const runner = new ExecNftRunner({ netns: ns })
    const apply = async (tx: NftTransaction | undefined, what: string = tx?.kind ?? ''): Promise<number> => {
      if (tx === undefined || tx.ops.length === 0) return 0
      const r = await runner.run(tx)
      if (!r.ok) throw new Error(`${what}: ${r.error}`)
      // the token the transaction leaves (make before break sends two transactions that leave the same one)
      for (const o of tx.ops) if (o.op === 'add-elements' && o.set.name === 'writer') token = Number(o.elements[0]!.key[0]!.lo)
      return r.ms
    }
    // the writer token moves on with every transaction that changes the table (an empty change sends nothing)
    let token = 1
    const tokens = () => ({ from: token, to: token + 1 })
    // what the agent does when it starts: the first generation, then the switch to it
    let plan = planTransaction(null, compiled.table, tokens())
    const nftLoadMs = (await apply(plan.before)) + (await apply(plan.tx))
    let written: Written = plan.written
    // a new generation over the running one (an agent restart, `--once`), then the old one removed
    plan = planTransaction(written, compiled.table, tokens(), true)
    const generation = { addMs: round(await apply(plan.before)), switchMs: round(await apply(plan.tx)), cleanupMs: 0 }
    written = plan.written
    t = performance.now()
    const listed = await runner.objects({ family: 'inet', name: 'netpol' })
    if (!listed.ok) throw new Error(listed.error)
    await apply(removeStale(listed.objects, written.table, tokens()))
    generation.cleanupMs = round(performance.now() - t)
    // the baseline: the table deleted and created anew in one transaction; then, from an empty table, one
    // generation again, for the changes below
    const replaceMs = await apply(fullReplace(compiled.table))
    await apply(deleteTable({ family: 'inet', name: 'netpol' }))
    plan = planTransaction(null, compiled.table, tokens())
    await apply(plan.before)
    await apply(plan.tx)
    written = plan.written
    const initial = compiled.stats
    ;(globalThis as { gc?: () => void }).gc?.()
    const rssMB = process.memoryUsage().rss / 1048576
    const heapMB = process.memoryUsage().heapUsed / 1048576
    // before the changes below, whose compiles and cluster copies would set the peak otherwise
    const maxRssMB = process.resourceUsage().maxRSS / 1024
    const compileDiff: number[] = []
    const compileWhole: number[] = []
    const compileIncremental: number[] = []
    const diff: number[] = []
    // the agent's path: the incremental compiler, warmed up by the first compile; the whole compile beside it
    const incremental = new IncrementalCompiler()
    let whole = compiled
    compiled = incremental.compile(cluster, opts)
    const cpuMs = (f: () => CompiledRuleset): [CompiledRuleset, number] => {
      const c0 = process.cpuUsage()
      const out = f()
      const c = process.cpuUsage(c0)
      return [out, (c.user + c.system) / 1000]
    }
    const nftApply: number[] = []
    const total: number[] = []
    const changed: number[] = []
    for (const next of changes(cluster, nChanges)) {
      const [w, wholeMs] = cpuMs(() => compilePolicies(next, { ...opts, previous: whole }))
      whole = w
      compileWhole.push(wholeMs)
      t = performance.now()
      const [c, incrementalMs] = cpuMs(() => incremental.compile(next, { ...opts, previous: compiled }))
      compileIncremental.push(incrementalMs)
      if (c.stats.elements !== w.stats.elements || c.stats.rules !== w.stats.rules) throw new Error(`change ${compileDiff.length + 1}: the incremental compile differs from the whole one`)
      const t1 = performance.now()
      const step = planTransaction(written, c.table, tokens())
      diff.push(performance.now() - t1)
      // make before break: what new entries lead to, then the entries (both counted)
      const tx = step.before ? { ...step.tx, ops: [...step.before.ops, ...step.tx.ops] } : step.tx
      if (step.tx.kind !== 'incremental') throw new Error(`change ${compileDiff.length + 1}: not incremental`)
      const cd = performance.now() - t
      if (process.env.BENCH_VERBOSE) {
        const z = transactionSize(tx)
        const bySet = tx.ops.flatMap((o) => (o.op === 'add-elements' || o.op === 'delete-elements' ? [`${o.op}:${o.set.name}=${o.elements.length}`] : o.op === 'flush-set' ? [`flush:${o.set.name}`] : []))
        process.stderr.write(`change ${compileDiff.length + 1} planned: +${z.elementsAdded} -${z.elementsDeleted} ${bySet.join(' ')}\n`)
      }
      const ms = (await apply(step.before, `change ${compileDiff.length + 1}`)) + (await apply(step.tx, `change ${compileDiff.length + 1}`))
      compileDiff.push(cd)
      nftApply.push(ms)
      total.push(performance.now() - t)
      const size = transactionSize(tx)
      changed.push(size.elementsAdded + size.elementsDeleted)
      if (process.env.BENCH_VERBOSE) process.stderr.write(`change ${changed.length}: +${size.elementsAdded} -${size.elementsDeleted} flushed ${size.setsFlushed} chains +${size.chainsAdded} ~${size.chainsChanged} -${size.chainsDeleted}, compile ${cd.toFixed(0)} ms, nft ${ms.toFixed(0)} ms\n`)
      compiled = c
      written = step.written
    }
    const s = initial
    const stat = (xs: number[]) => ({ p50: round(pct(xs, 50)), p99: round(pct(xs, 99)) })
    return {
      scenario,
      nodeIp: node.text,
      managedPods: s.managedPods,
      loadMs: round(loadMs),
      compileMs: round(compileMs),
      nftLoadMs: round(nftLoadMs),
      generation,
      replaceMs: round(replaceMs),
      sets: s.sets,
      chains: s.chains,
      rules: s.rules,
      elements: s.elements,
      classes: s.classes,
      profiles: s.profiles,
      rssMB: round(rssMB),
      maxRssMB: round(maxRssMB),
      heapMB: round(heapMB),
      changes: nChanges,
      compileWhole: stat(compileWhole),
      compileIncremental: stat(compileIncremental),
      diff: stat(diff),
      compileDiff: stat(compileDiff),
      nftApply: stat(nftApply),
      total: stat(total),
      changedElements: stat(changed),
    }
  } finally {
    execFileSync('ip', ['netns', 'del', ns])
  }
}

async function main() {
  if (values.child !== undefined) {
    const res = await child(values.child, values.scenario!, Number(values.changes))
    process.stdout.write(JSON.stringify(res))
    return
  }
  if (process.getuid?.() !== 0) throw new Error('run as root: the benchmark uses a scratch network namespace')
  const opts = { seed: Number(values.seed), pods: Number(values.pods), namespaces: Number(values.namespaces), policies: Number(values.policies) }
  const clusterPolicies = Number(values['cluster-policies'])
  const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url))
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`)
  const dir = mkdtempSync(join(tmpdir(), 'netpol-bench-'))
  // the baseline cluster, and the same cluster with the cluster policies (written after every other object)
  const variants: { label: string; file: string; objects: KubeObject[] }[] = [{ label: '', file: join(dir, 'cluster.json'), objects: generateCluster(opts) }]
  if (clusterPolicies > 0) {
    const objects = generateCluster({ ...opts, ...{ clusterPolicies } })
    const made = objects.filter((o) => (o.kind as string) === 'ClusterNetworkPolicy').length
    if (made !== clusterPolicies) throw new Error(`the generator made ${made} ClusterNetworkPolicies, not ${clusterPolicies}`)
    variants.push({ label: ` + ${clusterPolicies} cluster policies`, file: join(dir, 'cluster-tiers.json'), objects })
  }
  for (const v of variants) writeFileSync(v.file, renderCluster(v.objects, 'json'))
  const scenarios = values.scenario === 'both' ? ['node', 'all'] : [values.scenario!]
  const results: Result[] = []
  const memory: CliMemory[] = []
  try {
    for (const base of scenarios) for (const { label, file, objects } of variants) {
      const scenario = base
      const row = `${base}${label}`
      // a fresh process per scenario, so that its memory is the agent's alone
      const r = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', fileURLToPath(import.meta.url), '--child', file, '--scenario', scenario, '--changes', values.changes!], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      })
      if (r.status !== 0) throw new Error(`scenario ${row} failed: ${r.stderr}`)
      const result = { ...(JSON.parse(r.stdout) as Result), scenario: row }
      results.push(result)
      memory.push({ ...(await cliMemory(cli, dir, file, objects, scenario, scenario === 'all' ? ['--all-pods'] : ['--node-ip', result.nodeIp])), scenario: row })
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const table = report({ ...opts, clusterPolicies }, results, memory)
  process.stdout.write(table)
  if (values.readme) appendFileSync(new URL('./README.md', import.meta.url), `\n${table}`)
}

/** The CLI's memory in one scenario (`scope`: the flags that say which pods it manages), in a scratch netns. */
async function cliMemory(cli: string, dir: string, file: string, objects: readonly KubeObject[], scenario: string, scope: string[]): Promise<CliMemory> {
  const ns = `npbench${process.pid}`
  execFileSync('ip', ['netns', 'add', ns])
  try {
    const timeOut = join(dir, 'time.txt')
    const once = spawnSync('/usr/bin/time', ['-f', '%M', '-o', timeOut, process.execPath, cli, 'agent', '-f', file, ...scope, '--once', '--netns', ns], { encoding: 'utf8' })
    if (once.status !== 0) throw new Error(`agent --once failed (${once.status}): ${once.stderr}`)
    const onceMaxMB = Number(readFileSync(timeOut, 'utf8').trim().split('\n').at(-1)) / 1024

    const watched = join(dir, 'watched.json')
    writeFileSync(watched, readFileSync(file))
    const child = spawn(process.execPath, [cli, 'agent', '-f', watched, ...scope, '--netns', ns], { stdio: ['ignore', 'ignore', 'pipe'] })
    let log = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d))
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
    /** waits until the agent has finished `n` syncs, then 1 s more */
    const synced = async (n: number) => {
      const deadline = Date.now() + 120_000
      while ((log.match(/table inet \S+ (replaced|changed)|no change/g) ?? []).length < n) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the watching agent did not finish sync ${n}: ${log}`)
        await sleep(100)
      }
      await sleep(1000)
    }
    const status = (field: 'VmRSS' | 'VmHWM') => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024
    try {
      await synced(1)
      const watchMB = status('VmRSS')
      // a pod relabelled, written as editors and kubectl-driven tools write: a new file renamed over the old one
      const first = objects.find((o) => o.kind === 'Pod')
      const changed = objects.map((o) => (o === first ? { ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, version: 'bench' } } } : o))
      writeFileSync(`${watched}.tmp`, renderCluster(changed, 'json'))
      renameSync(`${watched}.tmp`, watched)
      await synced(2)
      return { scenario, onceMaxMB: round(onceMaxMB), watchMB: round(watchMB), changedMB: round(status('VmRSS')), watchMaxMB: round(status('VmHWM')) }
    } finally {
      child.kill('SIGTERM')
      await exited
    }
  } finally {
    execFileSync('ip', ['netns', 'del', ns])
  }
}

function report(opts: { seed: number; pods: number; namespaces: number; policies: number; clusterPolicies: number }, results: Result[], memory: CliMemory[]): string {
  const lines = [
    `### agent-program: ${opts.pods} pods, ${opts.policies} policies, ${opts.namespaces} namespaces${opts.clusterPolicies > 0 ? `, without and with ${opts.clusterPolicies} cluster policies` : ''} (seed ${opts.seed}), ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| scenario | managed pods | load manifests | compile | nft first load | compile+load | sets | chains | rules | elements | classes | profiles | heap (after GC) | RSS (after GC) | peak RSS |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.scenario} | ${r.managedPods} | ${r.loadMs} ms | ${r.compileMs} ms | ${r.nftLoadMs} ms | ${round(r.compileMs + r.nftLoadMs)} ms | ${r.sets} | ${r.chains} | ${r.rules} | ${r.elements} | ${r.classes} | ${r.profiles} | ${r.heapMB} MB | ${r.rssMB} MB | ${r.maxRssMB} MB |`,
    ),
    '',
    'A new generation over the loaded one (as on an agent restart), against deleting the table and creating it anew in one transaction (the baseline, same run):',
    '',
    '| scenario | add the generation | switch to it | remove the old one (listing included) | delete and create (baseline) |',
    '|---|---|---|---|---|',
    ...results.map((r) => `| ${r.scenario} | ${r.generation.addMs} ms | ${r.generation.switchMs} ms | ${r.generation.cleanupMs} ms | ${r.replaceMs} ms |`),
    '',
    `Single changes (${results[0]?.changes ?? 0} per scenario: relabel a pod, add a policy, remove it, add a pod${opts.clusterPolicies > 0 ? '; with cluster policies also one rule of one of them turned' : ''}), compiled incrementally and applied, p50 / p99; the compile's CPU time whole (the baseline) and incremental, same changes; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}:`,
    '',
    '| scenario | compile whole (CPU) | compile incremental (CPU) | diff | compile + diff | nft apply | total | elements changed |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.scenario} | ${r.compileWhole.p50} / ${r.compileWhole.p99} ms | ${r.compileIncremental.p50} / ${r.compileIncremental.p99} ms | ${r.diff.p50} / ${r.diff.p99} ms | ${r.compileDiff.p50} / ${r.compileDiff.p99} ms | ${r.nftApply.p50} / ${r.nftApply.p99} ms | ${r.total.p50} / ${r.total.p99} ms | ${r.changedElements.p50} / ${r.changedElements.p99} |`,
    ),
    '',
    'Resident memory of the real CLI (`node dist/cli/main.js agent`):',
    '',
    '| scenario | --once: peak RSS | watching: RSS after the first sync | after a change | peak RSS |',
    '|---|---|---|---|---|',
    ...memory.map((m) => `| ${m.scenario} | ${m.onceMaxMB} MB | ${m.watchMB} MB | ${m.changedMB} MB | ${m.watchMaxMB} MB |`),
    '',
  ]
  return `${lines.join('\n')}\n`
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exitCode = 1
})
