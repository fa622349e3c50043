/**
 * `netpol diff` benchmark on the generated 10k-pod / 10k-policy cluster, two changes: one policy edited (every
 * ingress rule removed, as bench/serve-bench.ts's what-if does), and every policy of that namespace edited so.
 * The diff between the two clusters on one port and on every port, timed three ways: the full diff (every pod
 * pair compared: the baseline, in the same run), the focused diff of two clusters read apart (as `netpol diff OLD
 * NEW` has them), and the focused diff of a served cluster and its what-if (the unchanged policies and the pods
 * are the same objects, and the served side's DiffBase is kept from one question to the next). Each focused
 * answer is checked equal to the full one.
 *
 *   npx tsx bench/diff-bench.ts [--pods 10000 --namespaces 200 --policies 10000 --seed 1 --runs 3]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { generateCluster, renderCluster } from './generate-cluster.js'
import { loadManifests } from '../src/io/load-manifests.js'
import { diffClusters, policyFingerprint } from '../src/analysis/diff.js'
import { DiffBase } from '../src/analysis/diff-base.js'
import type { Cluster } from '../src/model/cluster.js'
import { CLUSTER_SIZE_OPTIONS, clusterBase, clusterSize } from './cluster-size.js'

const { values } = parseArgs({
  options: {
    ...CLUSTER_SIZE_OPTIONS,
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
    'no-full': { type: 'boolean', default: false },
  },
})
const size = clusterSize(values)
const runs = Number(values.runs)
const base = clusterBase(size)
mkdirSync('bench/out', { recursive: true })
if (!existsSync(`${base}.json`)) writeFileSync(`${base}.json`, renderCluster(generateCluster(size), 'json'))
const dump = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as { items: any[] }
// the policy serve-bench's what-if edits: one whose ingress names 8080 in the namespace of a pod serving 8080
const served = dump.items.filter((o) => o.kind === 'Pod' && o.spec.containers.some((c: any) => (c.ports ?? []).some((p: any) => p.containerPort === 8080)))
const ns = served.find((p) => p.metadata.namespace !== served[0].metadata.namespace).metadata.namespace
const inNs = dump.items.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === ns)
const target = inNs.find((p) => (p.spec.ingress ?? []).some((r: any) => (r.ports ?? []).some((x: any) => x.port === 8080 || x.port === 'http'))) ?? inNs.find((p) => (p.spec.ingress ?? []).length > 0)
const edited = { ...dump, items: dump.items.map((o) => (o === target ? { ...o, spec: { ...o.spec, ingress: [] } } : o)) }
// every policy of the namespace loses its ingress rules: its pods' ingress is closed to everyone
const denied = { ...dump, items: dump.items.map((o) => (o.kind === 'NetworkPolicy' && o.metadata.namespace === ns && (o.spec.ingress ?? []).length > 0 ? { ...o, spec: { ...o.spec, ingress: [] } } : o)) }
writeFileSync(`${base}-edited.json`, JSON.stringify(edited))
writeFileSync(`${base}-denied.json`, JSON.stringify(denied))
const before = (await loadManifests([`${base}.json`])).cluster
const scenarios = [
  { name: `edit ${target.metadata.namespace}/${target.metadata.name}: no ingress rule left`, after: (await loadManifests([`${base}-edited.json`])).cluster },
  { name: `every policy of namespace ${ns}: no ingress rule left`, after: (await loadManifests([`${base}-denied.json`])).cluster },
]

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const ms = (x: number) => `${Math.round(x).toLocaleString('en-US')} ms`
function time<T>(f: () => T): { ms: number; value: T } {
  const t = performance.now()
  const value = f()
  return { ms: performance.now() - t, value }
}

console.log(`cluster: ${size.pods} pods, ${size.namespaces} namespaces, ${size.policies} policies (seed ${size.seed}); Node ${process.version}`)
/** A what-if of the served cluster: its own objects wherever the change leaves them alone. */
function whatIfOf(after: Cluster): Cluster {
  const old = new Map(before.policies.map((p) => [`${p.namespace}/${p.name}`, p]))
  return { ...before, policies: after.policies.map((q) => { const p = old.get(`${q.namespace}/${q.name}`); return p && policyFingerprint(p) === policyFingerprint(q) ? p : q }) }
}

for (const { name: scenario, after } of scenarios) {
  console.log(`\n${scenario}`)
  const base = new DiffBase(before)
  for (const [name, opts] of [['one port (8080/TCP)', { ports: [{ port: 8080, protocol: 'TCP' as const }] }], ['any port', {}]] as const) {
    if (values.only !== undefined && !name.startsWith(values.only)) continue
    const full = Array.from({ length: values['no-full'] ? 0 : runs }, () => time(() => diffClusters(before, after, { ...opts, full: true })))
    const focused = Array.from({ length: runs }, () => time(() => diffClusters(before, after, opts)))
    // the first answer fills the kept side; each question is a new what-if object
    const firstServed = time(() => diffClusters(before, whatIfOf(after), { ...opts, base }))
    const kept = Array.from({ length: runs }, () => time(() => diffClusters(before, whatIfOf(after), { ...opts, base })))
    const json = (x: unknown) => JSON.stringify(x)
    const want = full.length > 0 ? json(full[0]!.value) : json(focused[0]!.value)
    const same = json(focused[0]!.value) === want && json(kept[0]!.value) === want
    const d = focused[0]!.value
    const conns = d.changes.reduce((s, c) => s + c.podPairs * c.ports.length, 0)
    const row = (label: string, xs: { ms: number }[], extra = '') => console.log(`  ${label.padEnd(52)} median ${ms(median(xs.map((r) => r.ms))).padStart(9)} (of ${xs.length})${extra}`)
    if (full.length > 0) row(`${name}, full (baseline)`, full)
    row(`${name}, focused, two clusters read apart`, focused, `   ${d.changes.length} changes, ${conns.toLocaleString('en-US')} connections`)
    row(`${name}, focused, served cluster's what-if`, kept, `   (first ${ms(firstServed.ms)}); ${same ? 'all equal to the full diff' : 'DIFFERENT from the full diff'}`)
  }
}
