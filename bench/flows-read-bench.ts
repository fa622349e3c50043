/**
 * Reading 1,000,000 Hubble lines (≈ 1 GB) of traffic in the 10k-pod generated cluster: how fast read-hubble
 * turns them into records, against baselines over the same file in the same run (splitting lines only, and
 * JSON.parse of every line), and node:readline as the other way to split.
 *
 *   npx tsx bench/flows-read-bench.ts [--lines 1000000] [--pods 10000 --namespaces 200 --seed 1] [--keep FILE]
 *
 * With --keep, the file is kept, and read as it is when it exists (the lines audit-bench keeps, for example).
 *
 * Each phase runs in its own process (this file with `--phase`), so that its peak RSS is its own.
 */
import { spawnSync } from 'node:child_process'
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { eachLine } from '../src/flows/each-line.js'
import { hubbleReader } from '../src/flows/read-hubble.js'
import { loadManifests } from '../src/io/load-manifests.js'
import { generateCluster, renderCluster } from './generate-cluster.js'
import { CLUSTER_SIZE_OPTIONS, clusterSize } from './cluster-size.js'
import { writeObservedTraffic } from './observed-traffic.js'

const { values: o } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    ...CLUSTER_SIZE_OPTIONS,
    keep: { type: 'string' },
    phase: { type: 'string' },
    file: { type: 'string' },
  },
})

/** Writes `lines` Hubble lines of traffic in the generated cluster whose verdicts follow its policies (bench/observed-traffic.ts). */
async function writeFlows(file: string, lines: number): Promise<void> {
  const objects = generateCluster(clusterSize(o))
  const clusterFile = `${file}.cluster.json`
  writeFileSync(clusterFile, renderCluster(objects, 'json'))
  const { cluster } = await loadManifests([clusterFile])
  rmSync(clusterFile)
  writeObservedTraffic(objects, cluster, file, lines, Number(o.seed))
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
    // a kept file is read again as it is (writing it takes longer than reading it four times)
    if (o.keep === undefined || !existsSync(file)) await writeFlows(file, Number(o.lines))
    const size = statSync(file).size
    process.stderr.write(`${o.lines} lines, ${(size / 1e6).toFixed(0)} MB (${(size / 2 ** 20).toFixed(0)} MiB) in ${((performance.now() - t) / 1000).toFixed(1)} s\n`)
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
