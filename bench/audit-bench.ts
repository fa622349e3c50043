/**
 * The whole audit: `netpol audit --flows FILE -f cluster.json --proposed P -o json` (the built CLI, its own
 * process) on Hubble lines whose verdicts follow the cluster's policies (bench/observed-traffic.ts), in the
 * generated 10k-pod, 10k-policy cluster, against two proposals:
 *   change    ten policies narrowed (the rule that allowed the most observed connections of each dropped) and a
 *             default deny in one namespace: what a real change looks like; it breaks a few percent of the groups;
 *   deny-all  every policy's rules removed and a default deny in every namespace: the worst case, nearly every
 *             observed group breaks and each is explained.
 * The baseline, in the same run and on the same file: reading the lines into records only (flows-read-bench's
 * `hubble` phase), in its own process. Each row prints wall time, peak RSS, the audit's counts and output size.
 *
 *   npm run build && npx tsx bench/audit-bench.ts [--lines 1000000] [--pods 10000 --namespaces 200 --policies 10000 --seed 1]
 *                                                  [--proposals change,deny-all] [--keep DIR]
 *
 * With --keep, the cluster, the lines and their counts stay in DIR, and a later run with the same DIR uses them again.
 */
import { spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, readFileSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { loadManifests } from '../src/io/load-manifests.js'
import { generateCluster, renderCluster, type KubeObject, type NetworkPolicyJson } from './generate-cluster.js'
import { CLUSTER_SIZE_OPTIONS, clusterSize } from './cluster-size.js'
import { writeObservedTraffic, type TrafficStats } from './observed-traffic.js'

const { values: o } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    ...CLUSTER_SIZE_OPTIONS,
    proposals: { type: 'string', default: 'change,deny-all' },
    keep: { type: 'string' },
  },
})

const list = (items: readonly object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items })
const policiesOf = (objects: readonly KubeObject[]) => objects.filter((x): x is NetworkPolicyJson => x.kind === 'NetworkPolicy')
const denyAll = (ns: string) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'bench-default-deny', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } })

/**
 * Ten policies narrowed and one namespace's default deny. Each narrowed policy loses one rule that allowed observed
 * connections, taken among the rules that allowed at most 1% of them (a change to the DNS rules every pod uses
 * is not a routine one), every third from the most used down, so that the edits spread over namespaces and sizes.
 */
function changeProposal(objects: readonly KubeObject[], traffic: TrafficStats): object[] {
  const byRule = [...traffic.hits].filter(([, n]) => n <= traffic.connections / 100).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  const policies = new Map(policiesOf(objects).map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]))
  const edited = new Map<string, NetworkPolicyJson>()
  for (let i = 0; i < byRule.length && edited.size < 10; i += 3) {
    const [id, direction, rule] = byRule[i]![0].split('\t') as [string, 'ingress' | 'egress', string]
    if (edited.has(id)) continue
    const p = structuredClone(policies.get(id)!)
    p.spec[direction] = (p.spec[direction] ?? []).filter((_, k) => k !== Number(rule))
    edited.set(id, p)
  }
  const namespaces = objects.filter((x) => x.kind === 'Namespace').map((x) => x.metadata.name)
  return [...edited.values(), denyAll(namespaces[Math.floor(namespaces.length / 3)]!)]
}

/** Every policy isolates and allows nothing, and every namespace gets a default deny. */
function denyAllProposal(objects: readonly KubeObject[]): object[] {
  const emptied = policiesOf(objects).map((p) => ({ ...p, spec: { podSelector: p.spec.podSelector, policyTypes: p.spec.policyTypes } }))
  const namespaces = objects.filter((x) => x.kind === 'Namespace').map((x) => x.metadata.name)
  return [...emptied, ...namespaces.map(denyAll)]
}

interface Row { name: string; wallMs: number; maxRssMB: number; status: number | null; detail: string; bytes?: number }

/** `"summary": {...}` from the head of an audit's JSON output (the output itself may be larger than a string can be). */
function summaryOf(file: string): Record<string, number> {
  const fd = openSync(file, 'r')
  const buf = Buffer.alloc(4096)
  const n = readSync(fd, buf, 0, buf.length, 0)
  closeSync(fd)
  const head = buf.subarray(0, n).toString('utf8')
  const m = /"summary": (\{[^}]*\})/.exec(head)
  if (!m) throw new Error(`no summary at the head of ${file}: ${head.slice(0, 300)}`)
  return JSON.parse(m[1]!) as Record<string, number>
}

function audit(name: string, flows: string, cluster: string, proposed: string, out: string): Row {
  const t0 = performance.now()
  const fd = openSync(out, 'w')
  const r = spawnSync(process.execPath, ['dist/cli/main.js', 'audit', '--flows', flows, '-f', cluster, '--proposed', proposed, '-o', 'json'], {
    env: { ...process.env, NETPOL_TIMINGS: '1' },
    stdio: ['ignore', fd, 'pipe'],
    encoding: 'utf8',
  })
  closeSync(fd)
  const wallMs = performance.now() - t0
  const line = r.stderr.split('\n').find((l) => l.startsWith('NETPOL_TIMINGS '))
  if (!line || (r.status !== 0 && r.status !== 1)) throw new Error(`audit ${name} failed (${r.status}): ${r.stderr.slice(0, 800)}`)
  const t = JSON.parse(line.slice('NETPOL_TIMINGS '.length)) as { phasesMs: Record<string, number>; maxRssMB: number }
  const s = summaryOf(out)
  const bytes = statSync(out).size
  rmSync(out)
  const pct = (n: number) => `${((100 * n) / s.groups!).toFixed(1)}%`
  const phases = Object.entries(t.phasesMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')
  return {
    name,
    wallMs,
    maxRssMB: t.maxRssMB,
    status: r.status,
    bytes,
    detail: `${s.connections} connections (${s.startedBefore ?? 0} started before the capture), ${s.groups} groups: ${s.wouldBreak} would break (${pct(s.wouldBreak!)}), ${s.alreadyDenied} already denied; phases s: ${phases}`,
  }
}

function readBaseline(flows: string): Row {
  const self = fileURLToPath(new URL('./flows-read-bench.ts', import.meta.url))
  const t0 = performance.now()
  const p = spawnSync(process.execPath, [...process.execArgv, self, '--phase', 'hubble', '--file', flows], { encoding: 'utf8' })
  const wallMs = performance.now() - t0
  if (p.status !== 0) throw new Error(`read baseline failed: ${p.stderr}`)
  const r = JSON.parse(p.stdout.trim().split('\n').pop()!) as Record<string, number>
  return { name: 'read only (baseline)', wallMs, maxRssMB: Math.round(r.maxRssMiB! * 1.048576), status: 0, detail: `${r.records} records (${r.notAStart} not a start), read in ${(r.ms! / 1000).toFixed(1)} s` }
}

const size = clusterSize(o)
const dir = o.keep ?? mkdtempSync(join(tmpdir(), 'netpol-audit-bench-'))
mkdirSync(dir, { recursive: true })
try {
  let t = performance.now()
  const objects = generateCluster(size)
  const clusterFile = join(dir, 'cluster.json')
  writeFileSync(clusterFile, renderCluster(objects, 'json'))
  const flows = join(dir, 'hubble.jsonl')
  const saved = join(dir, 'traffic.json')
  let traffic: TrafficStats
  if (o.keep !== undefined && existsSync(saved) && existsSync(flows)) {
    // a kept run: the same cluster, lines and counts (generating them again takes longer than the audits)
    const s = JSON.parse(readFileSync(saved, 'utf8')) as TrafficStats & { hits: [string, number][] }
    traffic = { ...s, hits: new Map(s.hits) }
  } else {
    const { cluster } = await loadManifests([clusterFile])
    traffic = writeObservedTraffic(objects, cluster, flows, Number(o.lines), size.seed)
    writeFileSync(saved, JSON.stringify({ ...traffic, lines: Number(o.lines), hits: [...traffic.hits] }))
  }
  const mb = statSync(flows).size / 1e6
  process.stderr.write(
    `${o.lines} lines (${mb.toFixed(0)} MB) of ${traffic.connections} connections, ${traffic.denied} denied by the cluster's policies ` +
      `(${traffic.engineCalls} engine calls; ${traffic.alone} of ${traffic.workloads} workloads found no partner), ${((performance.now() - t) / 1000).toFixed(1)} s\n`,
  )
  const proposals: Record<string, () => object[]> = { change: () => changeProposal(objects, traffic), 'deny-all': () => denyAllProposal(objects) }
  const rows: Row[] = [readBaseline(flows)]
  for (const name of o.proposals.split(',')) {
    const make = proposals[name]
    if (!make) throw new Error(`--proposals: unknown proposal ${name} (change, deny-all)`)
    const file = join(dir, `proposed-${name}.json`)
    const items = make()
    writeFileSync(file, list(items))
    t = performance.now()
    rows.push(audit(`${name} (${items.length} objects)`, flows, clusterFile, file, join(dir, `audit-${name}.json`)))
  }
  const mib = (b?: number) => (b === undefined ? '' : b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(1)} MB`)
  process.stdout.write(`\nload average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (1, 5, 15 min; 2 vCPUs)`)
  process.stdout.write(`\ncluster: ${size.pods} pods, ${size.namespaces} namespaces, ${size.policies} policies (seed ${size.seed}); ${o.lines} Hubble lines, ${mb.toFixed(0)} MB\n\n`)
  process.stdout.write('| run | wall | peak RSS | exit | output | |\n|---|---|---|---|---|---|\n')
  for (const r of rows) process.stdout.write(`| ${r.name} | ${(r.wallMs / 1000).toFixed(1)} s | ${r.maxRssMB} MB | ${r.status} | ${mib(r.bytes)} | ${r.detail} |\n`)
} finally {
  if (o.keep === undefined) rmSync(dir, { recursive: true, force: true })
}
