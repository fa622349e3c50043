/**
 * Reading 1,000,000 Hubble lines (≈ 1 GB) of traffic in the 10k-pod generated cluster: how fast read-hubble
 * turns them into records, against baselines over the same file in the same run (splitting lines only, and
 * JSON.parse of every line), and node:readline as the other way to split.
 *
 *   npx tsx bench/flows-read-bench.ts [--lines 1000000] [--pods 10000 --namespaces 200 --seed 1] [--keep FILE]
 *
 * Each phase runs in its own process (this file with `--phase`), so that its peak RSS is its own.
 */
import { spawnSync } from 'node:child_process'
import { createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { eachLine } from '../src/flows/each-line.js'
import { hubbleReader } from '../src/flows/read-hubble.js'
import { generateCluster, mulberry32, type PodJson } from './generate-cluster.js'
import { hubbleLines, type Connection, type End } from './flow-lines.js'

const { values: o } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    pods: { type: 'string', default: '10000' },
    namespaces: { type: 'string', default: '200' },
    policies: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'string' },
    phase: { type: 'string' },
    file: { type: 'string' },
  },
})

/** Writes about `lines` Hubble lines of random connections between the cluster's pods, CoreDNS and the world. */
function writeFlows(file: string, lines: number): void {
  const objects = generateCluster({ seed: Number(o.seed), pods: Number(o.pods), namespaces: Number(o.namespaces), policies: Number(o.policies) })
  const pods = objects.filter((x): x is PodJson => x.kind === 'Pod')
  const ends: { end: End; ports: { port: number; protocol: string }[] }[] = pods.map((p) => {
    const m = p.metadata
    const name = m.name
    const parts = name.split('-')
    const workload = parts.length > 2 ? { name: parts.slice(0, -2).join('-'), kind: 'Deployment' } : undefined
    return {
      end: { ip: p.status.podIP, pod: { namespace: m.namespace!, name, labels: m.labels ?? {}, node: p.spec.nodeName, enforced: true, ...(workload ? { workload } : {}) } },
      ports: p.spec.containers.flatMap((c) => c.ports.map((q) => ({ port: q.containerPort, protocol: q.protocol }))),
    }
  })
  const dns = ends.filter((e) => e.end.pod!.labels['k8s-app'] === 'kube-dns')
  const rnd = mulberry32(Number(o.seed))
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  const fd = openSync(file, 'w')
  let buf: string[] = []
  let size = 0
  let written = 0
  let t = Date.UTC(2026, 11, 7, 9, 0, 0)
  while (written < lines) {
    const r = rnd()
    const from = pick(ends)
    let c: Connection
    t += 1 + Math.floor(rnd() * 3)
    const sourcePort = 32768 + Math.floor(rnd() * 28000)
    if (r < 0.25) c = { from: from.end, to: pick(dns).end, protocol: 'UDP', port: 53, sourcePort, time: t }
    else if (r < 0.3) {
      const to = pick(ends)
      c = { from: { ip: `198.51.100.${1 + Math.floor(rnd() * 250)}` }, to: to.end, protocol: 'TCP', port: to.ports[0]?.port ?? 8080, sourcePort, time: t }
    } else {
      const to = pick(ends)
      const tcp = to.ports.filter((p) => p.protocol === 'TCP')
      const port = tcp.length > 0 ? pick(tcp).port : 8080
      c = { from: from.end, to: to.end, protocol: 'TCP', port, sourcePort, time: t, ...(r > 0.95 ? { deniedAt: 'ingress' as const, deniedBy: `${to.end.pod!.namespace}/default-deny` } : {}) }
    }
    for (const l of hubbleLines(c)) {
      if (written === lines) break
      buf.push(l)
      size += l.length + 1
      written++
    }
    if (size > 4 << 20) {
      writeSync(fd, `${buf.join('\n')}\n`)
      buf = []
      size = 0
    }
  }
  if (buf.length > 0) writeSync(fd, `${buf.join('\n')}\n`)
  closeSync(fd)
}

type Phase = 'split' | 'json' | 'hubble' | 'readline-hubble'

async function runPhase(phase: Phase, file: string): Promise<Record<string, number>> {
  const start = performance.now()
  const stream = createReadStream(file, { highWaterMark: 1 << 20 })
  const reader = hubbleReader(file)
  let records = 0
  let issues = 0
  let notAStart = 0
  let bytes = 0
  const onLine =
    phase === 'split'
      ? (s: string) => {
          bytes += s.length
        }
      : phase === 'json'
        ? (s: string) => {
            if (JSON.parse(s) !== null) records++
          }
        : (s: string, n: number) => {
            const r = reader.line(s, n)
            if (Array.isArray(r)) {
              records += r.length
              for (const x of r) if (x.notAStart) notAStart++
            } else issues++
          }
  let lines = 0
  if (phase === 'readline-hubble') {
    for await (const s of createInterface({ input: stream, crlfDelay: Infinity })) onLine(s, ++lines)
  } else lines = await eachLine(stream, onLine)
  const ms = performance.now() - start
  return { lines, records, issues, notAStart, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 }
}

if (o.phase !== undefined) {
  const r = await runPhase(o.phase as Phase, o.file!)
  process.stdout.write(`${JSON.stringify(r)}\n`)
} else {
  const dir = o.keep === undefined ? mkdtempSync(join(tmpdir(), 'netpol-flows-bench-')) : undefined
  const file = o.keep ?? join(dir!, 'hubble.jsonl')
  try {
    let t = performance.now()
    writeFlows(file, Number(o.lines))
    const size = statSync(file).size
    process.stderr.write(`wrote ${o.lines} lines, ${(size / 1e6).toFixed(0)} MB (${(size / 2 ** 20).toFixed(0)} MiB) in ${((performance.now() - t) / 1000).toFixed(1)} s\n`)
    const self = fileURLToPath(import.meta.url)
    const rows: string[] = []
    for (const phase of ['split', 'json', 'hubble', 'readline-hubble'] as Phase[]) {
      t = performance.now()
      const p = spawnSync(process.execPath, [...process.execArgv, self, '--phase', phase, '--file', file], { encoding: 'utf8', maxBuffer: 1 << 20 })
      if (p.status !== 0) throw new Error(`phase ${phase} failed: ${p.stderr}`)
      const r = JSON.parse(p.stdout.trim().split('\n').pop()!) as Record<string, number>
      const s = r.ms! / 1000
      rows.push(`| ${phase} | ${r.lines} | ${s.toFixed(2)} s | ${Math.round(r.lines! / s).toLocaleString('en-US')} | ${(size / 2 ** 20 / s).toFixed(0)} MiB/s | ${r.maxRssMiB!.toFixed(0)} MiB | ${phase.includes('hubble') ? `${r.records} records (${r.notAStart} not a start), ${r.issues} issues` : ''} |`)
    }
    process.stdout.write(`| phase | lines | time | lines/s | throughput | peak RSS | |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`)
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  }
}
