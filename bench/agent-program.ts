/**
 * How long the agent takes to program a large cluster, and how much memory it needs (root: it uses a scratch
 * network namespace). Per scenario, in a fresh process that does what `netpol agent` does:
 * load the manifests → compile → one full replace with `nft -f`, then single changes applied incrementally.
 *
 * Scenarios: `node` (the pods of one node, picked by --node-ip: what a real agent manages) and `all` (every pod
 * of the cluster managed by one agent: the worst case).
 *
 * Usage: npx tsx bench/agent-program.ts [--seed 1] [--pods 10000] [--namespaces 200] [--policies 10000]
 *          [--changes 100] [--scenario node|all|both] [--readme]
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import type { Cluster, Pod } from '../src/model/cluster.js'
import type { NetworkPolicy } from '../src/model/policy.js'
import { makeSelector } from '../src/model/label-selector.js'
import { compilePolicies, type CompiledRuleset } from '../src/dataplane/compile-policies.js'
import { ExecNftRunner } from '../src/dataplane/nft-runner.js'
import { diffTables, fullReplace, transactionSize } from '../src/dataplane/nft-transaction.js'
import { loadManifests } from '../src/io/load-manifests.js'
import { generateCluster, renderCluster } from './generate-cluster.js'

interface Result {
  scenario: string
  managedPods: number
  loadMs: number
  compileMs: number
  nftLoadMs: number
  sets: number
  chains: number
  rules: number
  elements: number
  classes: number
  profiles: number
  /** resident memory after a full GC, once the cluster is loaded and the ruleset applied */
  rssMB: number
  /** the peak, mostly from parsing the manifests */
  maxRssMB: number
  /** live JavaScript heap after a full GC: the cluster model and the compiled ruleset */
  heapMB: number
  changes: number
  compileDiff: { p50: number; p99: number }
  nftApply: { p50: number; p99: number }
  total: { p50: number; p99: number }
  changedElements: { p50: number; p99: number }
}

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    pods: { type: 'string', default: '10000' },
    namespaces: { type: 'string', default: '200' },
    policies: { type: 'string', default: '10000' },
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

/** A deterministic sequence of one-object changes: a pod's labels, a policy added, that policy removed, a pod added. */
function* changes(base: Cluster, n: number): Generator<Cluster> {
  let c = base
  let added: NetworkPolicy | null = null
  for (let i = 0; i < n; i++) {
    const k = (i * 7919) % c.pods.length
    switch (i % 4) {
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
    const r = await runner.run(fullReplace(compiled.table))
    if (!r.ok) throw new Error(r.error)
    const nftLoadMs = r.ms
    const initial = compiled.stats
    ;(globalThis as { gc?: () => void }).gc?.()
    const rssMB = process.memoryUsage().rss / 1e6
    const heapMB = process.memoryUsage().heapUsed / 1e6
    const compileDiff: number[] = []
    const nftApply: number[] = []
    const total: number[] = []
    const changed: number[] = []
    for (const next of changes(cluster, nChanges)) {
      t = performance.now()
      const c = compilePolicies(next, { ...opts, previous: compiled })
      const tx = diffTables(compiled.table, c.table)
      const cd = performance.now() - t
      if (process.env.BENCH_VERBOSE) {
        const z = transactionSize(tx)
        const bySet = tx.ops.flatMap((o) => (o.op === 'add-elements' || o.op === 'delete-elements' ? [`${o.op}:${o.set.name}=${o.elements.length}`] : o.op === 'flush-set' ? [`flush:${o.set.name}`] : []))
        process.stderr.write(`change ${compileDiff.length + 1} planned: +${z.elementsAdded} -${z.elementsDeleted} ${bySet.join(' ')}\n`)
      }
      const a = await runner.run(tx)
      if (!a.ok) throw new Error(`change ${compileDiff.length}: ${a.error}`)
      compileDiff.push(cd)
      nftApply.push(a.ms)
      total.push(performance.now() - t)
      const size = transactionSize(tx)
      changed.push(size.elementsAdded + size.elementsDeleted)
      if (process.env.BENCH_VERBOSE) process.stderr.write(`change ${changed.length}: +${size.elementsAdded} -${size.elementsDeleted} flushed ${size.setsFlushed} chains +${size.chainsAdded} ~${size.chainsChanged} -${size.chainsDeleted}, compile ${cd.toFixed(0)} ms, nft ${a.ms.toFixed(0)} ms\n`)
      compiled = c
    }
    const s = initial
    const stat = (xs: number[]) => ({ p50: round(pct(xs, 50)), p99: round(pct(xs, 99)) })
    return {
      scenario,
      managedPods: s.managedPods,
      loadMs: round(loadMs),
      compileMs: round(compileMs),
      nftLoadMs: round(nftLoadMs),
      sets: s.sets,
      chains: s.chains,
      rules: s.rules,
      elements: s.elements,
      classes: s.classes,
      profiles: s.profiles,
      rssMB: round(rssMB),
      maxRssMB: round(process.resourceUsage().maxRSS / 1024),
      heapMB: round(heapMB),
      changes: nChanges,
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
  const dir = mkdtempSync(join(tmpdir(), 'netpol-bench-'))
  const file = join(dir, 'cluster.json')
  writeFileSync(file, renderCluster(generateCluster(opts), 'json'))
  const scenarios = values.scenario === 'both' ? ['node', 'all'] : [values.scenario!]
  const results: Result[] = []
  try {
    for (const scenario of scenarios) {
      // a fresh process per scenario, so that its memory is the agent's alone
      const r = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', fileURLToPath(import.meta.url), '--child', file, '--scenario', scenario, '--changes', values.changes!], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      })
      if (r.status !== 0) throw new Error(`scenario ${scenario} failed: ${r.stderr}`)
      results.push(JSON.parse(r.stdout) as Result)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const table = report(opts, results)
  process.stdout.write(table)
  if (values.readme) appendFileSync(new URL('./README.md', import.meta.url), `\n${table}`)
}

function report(opts: { seed: number; pods: number; namespaces: number; policies: number }, results: Result[]): string {
  const lines = [
    `### agent-program: ${opts.pods} pods, ${opts.policies} policies, ${opts.namespaces} namespaces (seed ${opts.seed}), ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| scenario | managed pods | load manifests | compile | nft full load | compile+load | sets | chains | rules | elements | classes | profiles | heap (after GC) | RSS (after GC) | peak RSS |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.scenario} | ${r.managedPods} | ${r.loadMs} ms | ${r.compileMs} ms | ${r.nftLoadMs} ms | ${round(r.compileMs + r.nftLoadMs)} ms | ${r.sets} | ${r.chains} | ${r.rules} | ${r.elements} | ${r.classes} | ${r.profiles} | ${r.heapMB} MB | ${r.rssMB} MB | ${r.maxRssMB} MB |`,
    ),
    '',
    `Single changes (${results[0]?.changes ?? 0} per scenario: relabel a pod, add a policy, remove it, add a pod), applied incrementally, p50 / p99:`,
    '',
    '| scenario | compile + diff | nft apply | total | elements changed |',
    '|---|---|---|---|---|',
    ...results.map((r) => `| ${r.scenario} | ${r.compileDiff.p50} / ${r.compileDiff.p99} ms | ${r.nftApply.p50} / ${r.nftApply.p99} ms | ${r.total.p50} / ${r.total.p99} ms | ${r.changedElements.p50} / ${r.changedElements.p99} |`),
    '',
  ]
  return `${lines.join('\n')}\n`
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exitCode = 1
})
