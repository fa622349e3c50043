/**
 * The analysis commands at the size of the largest clusters (100,000 pods, 2,000 namespaces, 20,000 policies; a
 * kubectl JSON List of ~540 MiB), each in its own CLI process with NETPOL_TIMINGS=1: wall time, CPU time (on a
 * shared machine the wall time also holds waiting for a core), the phases (parse, analysis, write; wall and CPU) and peak RSS. In the same run the baseline: the same commands on a cluster ten times
 * smaller with the same proportions, to show how each scales.
 *
 *   npm run build && npx tsx bench/analysis-100k.ts [--pods 100000 --namespaces 2000 --policies 20000 --seed 1]
 *     [--only matrix,check,lint,diff,diff-all,errors] [--format json,yaml] [--timeout 600] [--keep]
 *     [--cli dist/cli/main.js] [--before OTHER/dist/cli/main.js [--before-only errors,...]]
 *
 * Commands: `matrix -o classes` for one port; `check` of one connection; `lint -o json`; `diff` of two versions
 * of the policies that differ by 10 policies (deleted), with namespaces and pods given once by `--cluster`, for
 * one port and for every port (the default); `errors`: `check` of a copy in which every 100th pod has a bad IP
 * (~1,000 at 100k), with Node's default heap: every error must come out with file:line:col, the row says how many
 * did. A command still running after --timeout seconds is stopped and shown as such. `--format yaml` writes the
 * same objects as multi-document YAML (one document per object, as the generator writes it) instead of a kubectl
 * JSON List; `--format json,yaml` runs both, JSON first. `--before` runs every command a second time, right after,
 * with another build of the CLI (the code before a change), as the baseline of the same run; `--cli` names the build
 * measured (this worktree's by default).
 * Generated files go to bench/out/ and are deleted at the end (they are hundreds of MB) unless --keep.
 */
import { spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { generateCluster, renderChunks, type Format, type KubeObject, type PodJson } from './generate-cluster.js'

const { values } = parseArgs({
  options: {
    pods: { type: 'string', default: '100000' },
    namespaces: { type: 'string', default: '2000' },
    policies: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string', default: 'matrix,check,lint,diff,diff-all,errors' },
    format: { type: 'string', default: 'json' },
    before: { type: 'string' },
    'before-only': { type: 'string' },
    cli: { type: 'string', default: 'dist/cli/main.js' },
    timeout: { type: 'string', default: '600' },
    keep: { type: 'boolean', default: false },
  },
})
const only = new Set(values.only!.split(','))
const beforeOnly = values['before-only'] === undefined ? undefined : new Set(values['before-only'].split(','))
const big = { seed: Number(values.seed), pods: Number(values.pods), namespaces: Number(values.namespaces), policies: Number(values.policies) }
const small = { ...big, pods: big.pods / 10, namespaces: big.namespaces / 10, policies: big.policies / 10 }
mkdirSync('bench/out', { recursive: true })

const formats = values.format!.split(',') as Format[]
for (const f of formats) if (f !== 'json' && f !== 'yaml') throw new Error(`--format: json or yaml, not ${f}`)

/** Writes a kubectl JSON List (or YAML documents) a piece at a time (a 100k-pod List is longer than a string can be). */
function writeList(path: string, objects: readonly KubeObject[], format: Format): number {
  const fd = openSync(path, 'w')
  let bytes = 0
  let pending = ''
  for (const chunk of renderChunks(objects, format)) {
    pending += chunk
    if (pending.length > 1 << 22) {
      bytes += writeSync(fd, pending)
      pending = ''
    }
  }
  bytes += writeSync(fd, pending)
  closeSync(fd)
  return bytes
}

interface Files { full: string; bad: string; badPods: number; cluster: string; oldPolicies: string; newPolicies: string; from: string; to: string; mb: number }

function prepare(size: typeof big, format: Format): Files {
  const base = `bench/out/analysis-s${size.seed}-p${size.pods}-n${size.namespaces}-np${size.policies}`
  const objects = generateCluster(size)
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy')
  // ten policies spread over the list are deleted in the new version
  const step = Math.floor(policies.length / 10)
  const gone = new Set(policies.filter((_, i) => i % step === 0).slice(0, 10))
  const ext = format === 'json' ? 'json' : 'yaml'
  const files: Files = {
    full: `${base}.${ext}`,
    bad: `${base}-bad-ips.${ext}`,
    badPods: 0,
    cluster: `${base}-cluster.${ext}`,
    oldPolicies: `${base}-policies-old.${ext}`,
    newPolicies: `${base}-policies-new.${ext}`,
    from: '',
    to: '',
    mb: 0,
  }
  const pods = objects.filter((o): o is PodJson => o.kind === 'Pod')
  const name = (p: PodJson) => `${p.metadata.namespace}/${p.metadata.name}`
  files.from = name(pods[0]!)
  files.to = name(pods[Math.floor(pods.length / 2)]!)
  const write = (path: string, list: readonly KubeObject[]) => (existsSync(path) ? 0 : writeList(path, list, format))
  write(files.full, objects)
  files.mb = Math.round(statSync(files.full).size / 1048576)
  write(files.cluster, objects.filter((o) => o.kind !== 'NetworkPolicy'))
  write(files.oldPolicies, policies)
  write(files.newPolicies, policies.filter((p) => !gone.has(p)))
  // every 100th pod with an address that is not one (its podIPs too: the same mistake in both fields)
  const bad = new Set(pods.filter((_, i) => i % 100 === 50))
  files.badPods = bad.size
  write(
    files.bad,
    objects.map((o) => {
      if (!bad.has(o as PodJson)) return o
      const p = o as PodJson
      const ip = `${p.status.podIP.split('.').slice(0, 3).join('.')}.999`
      return { ...p, status: { ...p.status, podIP: ip, podIPs: [{ ip }] } }
    }),
  )
  return files
}

interface Run { wallMs: number; phasesMs: Record<string, number>; phasesCpuMs: Record<string, number>; cpuMs: number; maxRssMB: number; status: number | null; signal: string | null; stderr: string }

function cli(args: string[], main = values.cli!): Run {
  const t0 = performance.now()
  const r = spawnSync(process.execPath, [main, ...args], {
    env: { ...process.env, NETPOL_TIMINGS: '1' },
    stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'],
    encoding: 'utf8',
    timeout: Number(values.timeout) * 1000,
    maxBuffer: 1 << 26,
  })
  const wallMs = Math.round(performance.now() - t0)
  const line = r.stderr.split('\n').find((l) => l.startsWith('NETPOL_TIMINGS '))
  const t = line ? (JSON.parse(line.slice('NETPOL_TIMINGS '.length)) as { phasesMs: Record<string, number>; phasesCpuMs?: Record<string, number>; cpuMs: number; maxRssMB: number }) : { phasesMs: {}, cpuMs: NaN, maxRssMB: NaN }
  if (!line) process.stderr.write(`no timings from netpol ${args.join(' ')} (status ${r.status}, signal ${r.signal}): ${r.stderr.slice(0, 300)}\n`)
  return { wallMs, phasesCpuMs: {}, ...t, status: r.status, signal: r.signal, stderr: r.stderr }
}

const commands = (f: Files): [string, string[], string][] =>
  (
    [
      ['matrix', 'matrix -o classes --port 8080/TCP', ['matrix', '-f', f.full, '--port', '8080/TCP', '-o', 'classes']],
      ['check', 'check (one connection, port 8080/TCP)', ['check', '-f', f.full, '--from', f.from, '--to', f.to, '--port', '8080/TCP']],
      ['lint', 'lint -o json', ['lint', '-f', f.full, '-o', 'json']],
      ['diff', 'diff (10 policies deleted; --cluster) --port 8080/TCP', ['diff', f.oldPolicies, f.newPolicies, '--cluster', f.cluster, '--port', '8080/TCP']],
      ['diff-all', 'diff (10 policies deleted; --cluster), every port', ['diff', f.oldPolicies, f.newPolicies, '--cluster', f.cluster]],
      ['errors', 'check, every 100th pod with a bad IP', ['check', '-f', f.bad, '--from', f.from, '--to', f.to, '--port', '8080/TCP']],
    ] as [string, string, string[]][]
  )
    .filter(([key]) => only.has(key))
    .map(([key, label, args]) => [label, args, key])

/** For the errors row: how many errors were printed, and whether each has file:line:col. */
function errorsSeen(r: Run, file: string): string {
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('error: '))
  const placed = lines.filter((l) => new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `).test(l))
  return `; ${lines.length} errors, ${placed.length} with file:line:col`
}

const load = () => loadavg()[0]!.toFixed(1)
const s = (ms: number | undefined) => (ms === undefined ? '' : Number.isNaN(ms) ? '—' : `${(ms / 1000).toFixed(2)} s`)
const rows: string[] = []
const results = new Map<string, Run>()
for (const format of formats) {
  for (const size of [small, big]) {
    const t = performance.now()
    const files = prepare(size, format)
    console.log(`${size.pods} pods, ${size.namespaces} namespaces, ${size.policies} policies: ${format === 'json' ? 'JSON List' : 'YAML documents'} ${files.mb} MiB, ready in ${s(performance.now() - t)}`)
    const runs = commands(files).flatMap(([label, args, key]) => [[label, args, key, undefined], ...(values.before && (beforeOnly === undefined || beforeOnly.has(key)) ? [[`${label} [before]`, args, key, values.before]] : [])] as [string, string[], string, string | undefined][])
    for (const [label, args, key, main] of runs) {
      const before = load()
      const r = cli(args, main)
      const name = `${label} (${format})`
      const smaller = results.get(name)
      results.set(name, r)
      const scale = smaller ? ` (×${(r.wallMs / smaller.wallMs).toFixed(1)})` : ''
      const p = r.phasesMs
      const same = main === undefined ? '' : r.stderr.replace(/^NETPOL_TIMINGS .*\n/m, '') === results.get(name.replace(' [before]', ''))?.stderr.replace(/^NETPOL_TIMINGS .*\n/m, '') ? '; same stderr' : '; stderr differs'
      const exit = `${r.signal === null ? r.status : `stopped (${r.signal})`}${key === 'errors' ? errorsSeen(r, files.bad) : ''}${same}`
      const c = r.phasesCpuMs
      const cpuPhases = ['parse', 'analysis', 'write'].map((k) => (c[k] === undefined ? '–' : (c[k]! / 1000).toFixed(2))).join(' / ')
      const row = `| ${label} | ${format} | ${size.pods.toLocaleString('en')} | ${s(r.wallMs)}${scale} | ${s(r.cpuMs)} | ${s(p.parse)} | ${s(p.analysis)} | ${s(p.write)} | ${cpuPhases} | ${Number.isNaN(r.maxRssMB) ? '—' : `${r.maxRssMB} MB`} | ${exit} | ${before} → ${load()} |`
      console.log(row)
      rows.push(row)
    }
    if (size === big && !values.keep) for (const path of [files.full, files.bad, files.cluster, files.oldPolicies, files.newPolicies]) rmSync(path, { force: true })
  }
}
console.log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (${availableParallelism()} CPUs)`)
console.log('\n| command | format | pods | wall | CPU (all threads) | parse | analysis | write | CPU s: parse / analysis / write | peak RSS | exit | load average (1 min) before → after |\n|---|---|---|---|---|---|---|---|---|---|---|---|')
for (const r of rows) console.log(r)
