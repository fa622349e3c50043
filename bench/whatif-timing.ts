/**
 * The what-ifs of bench/serve-browser-bench.ts in one process, without HTTP: the generated 10k-pod / 10k-policy
 * cluster read as `netpol serve -f` reads it, the graph the page opens on prepared, then the page's three what-ifs
 * on 8080/TCP (the first policy by name with every ingress rule removed, the same deleted, and a policy added that
 * opens that policy's pods to every pod on the port), `--runs` times each: the answer as the page asks for it
 * (its graph's version, the diff's first 50 changes; whatIf, then JSON.stringify), and its parts (reading the
 * change, the diff, the graph's changes). Baseline in the same run: the answer with the whole graph after the
 * change (no `since`), as the page asked before. Each answer's CPU time is printed beside its wall time: on a machine
 * shared by others the wall time waits for a core, the CPU time about what an idle machine takes.
 *
 *   npx tsx bench/whatif-timing.ts [--pods 10000 --namespaces 200 --policies 10000 --seed 1 --runs 3] [--only edit|delete|add] [--no-parts]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { parse, stringify } from 'yaml'
import { generateCluster, renderCluster } from './generate-cluster.js'
import { CLUSTER_SIZE_OPTIONS, clusterBase, clusterSize } from './cluster-size.js'
import { loadManifests } from '../src/io/load-manifests.js'
import { formatRef } from '../src/model/policy.js'
import type { PolicyChange } from '../src/web/api.js'
import { fixedInput } from '../src/web/server/serve-input.js'
import { policyTexts } from '../src/web/server/policy-texts.js'
import { applyChanges, whatIf } from '../src/web/server/whatif.js'
import { diffOf, graphChangeDeltaOf, graphOptionsOf, prepareDefaultGraph } from '../src/web/server/reports.js'

const { values } = parseArgs({ options: { ...CLUSTER_SIZE_OPTIONS, runs: { type: 'string', default: '3' }, only: { type: 'string' }, 'no-parts': { type: 'boolean', default: false } } })
const size = clusterSize(values)
const base = clusterBase(size)
mkdirSync('bench/out', { recursive: true })
if (!existsSync(`${base}.json`)) writeFileSync(`${base}.json`, renderCluster(generateCluster(size), 'json'))
const r = await loadManifests([`${base}.json`], { keepText: true })
const s = fixedInput('bench', { cluster: r.cluster, texts: r.texts, objects: [], issues: [], notes: [] }).current()
prepareDefaultGraph(s)
const PORT = '8080/TCP'

// the three what-ifs of serve-browser-bench.ts
const texts = policyTexts(s)
const policy = s.cluster.policies.map(formatRef).sort()[0]!
const source = texts.get(policy)!.yaml
const doc = parse(source) as { spec: { ingress?: unknown[]; podSelector?: unknown } }
const selector = JSON.stringify(doc.spec.podSelector ?? {})
doc.spec.ingress = []
const ns = policy.split('/')[0]!
const added = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: bench-allow-all\n  namespace: ${ns}\nspec:\n  podSelector: ${selector}\n  ingress:\n  - from: [{namespaceSelector: {}}]\n    ports: [{port: 8080, protocol: TCP}]\n`
const cases: Record<string, PolicyChange> = {
  edit: { op: 'edit', policy, yaml: stringify(doc) },
  delete: { op: 'delete', policy },
  add: { op: 'add', yaml: added },
}
const o = graphOptionsOf(s, { port: PORT, level: 'auto' })
if (!o.ok) throw new Error(o.error)

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const time = async <T>(f: () => T | Promise<T>) => {
  const t = performance.now()
  const v = await f()
  return { ms: performance.now() - t, v }
}
const rows: Record<string, number[]> = {}
const add = (k: string, ms: number) => (rows[k] ??= []).push(ms)
const bytes: Record<string, number> = {}
const load = [loadavg()[0]!]
for (let i = 0; i < Number(values.runs); i++) {
  for (const [kind, change] of Object.entries(cases)) {
    if (values.only !== undefined && values.only !== kind) continue
    const asked = { changes: [change], port: PORT, since: s.version, diffChanges: 50 }
    const cpu = process.cpuUsage()
    const a = await time(async () => JSON.stringify(((await whatIf(s, asked)) as { body: unknown }).body))
    const used = process.cpuUsage(cpu)
    add(`${kind}: what-if as the page asks`, a.ms)
    // the CPU time the answer took (the process's user and system time, the collector's threads included): about
    // what an idle machine takes, where the wall time also waits for one of the 2 shared cores
    add(`${kind}:   its CPU time`, (used.user + used.system) / 1000)
    bytes[kind] = a.v.length
    // --no-parts: only the answer (for a CPU profile of it)
    if (values['no-parts']) continue
    const applied = await time(() => applyChanges(s, [change]))
    if (!applied.v.ok) throw new Error(JSON.stringify(applied.v.errors))
    const after = applied.v.after
    add(`${kind}:   reading and applying the change`, applied.ms)
    add(`${kind}:   the diff`, (await time(() => diffOf(s, after, o.value.port))).ms)
    add(`${kind}:   the graph's changes`, (await time(() => graphChangeDeltaOf(s, after, o.value))).ms)
    add(`${kind}: baseline: the whole graph after`, (await time(async () => JSON.stringify(((await whatIf(s, { changes: [change], port: PORT })) as { body: unknown }).body))).ms)
    load.push(loadavg()[0]!)
  }
}
console.log(`cluster: ${size.pods} pods, ${size.policies} policies; what-ifs on ${policy}, ${PORT}; Node ${process.version}; load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`)
for (const [k, xs] of Object.entries(rows)) console.log(`${k.padEnd(44)} median ${median(xs).toFixed(0).padStart(5)} ms  (${xs.map((x) => x.toFixed(0)).join(', ')})`)
console.log(`answers as the page asks: ${Object.entries(bytes).map(([k, b]) => `${k} ${(b / 1e3).toFixed(0)} kB`).join(', ')}`)
