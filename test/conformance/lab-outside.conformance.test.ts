/**
 * Outside hosts on real packets, for every ipBlock case of the shared conformance table: the case's pods in the
 * lab, the outside hosts its ipBlocks name (src/lab/outside-hosts.ts: inside each block, inside each except,
 * outside every block) behind the node, `netpol agent --once`, and a probe per (host, pod, port) both ways.
 * Each cell: the engine (evaluateFlow), the compiled ruleset (FakeNft) and the real packet agree. Needs root;
 * builds labs, so it takes the lab test lock.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseIp, type Family } from '../../src/model/ip.js'
import { indexCluster } from '../../src/engine/cluster-index.js'
import { matrixPorts } from '../../src/analysis/matrix-ports.js'
import { LabCell, labCellOf } from '../../src/analysis/lab-compare.js'
import { compareOutside, outsideFlow, outsideProbeCells, type OutsideMeasurement } from '../../src/analysis/lab-outside.js'
import { compilePolicies } from '../../src/dataplane/compile-policies.js'
import { FakeNft } from '../../src/dataplane/fake-nft.js'
import { fullReplace } from '../../src/dataplane/nft-transaction.js'
import { labDown, labUp, planLab, probeAll, type ProbeTarget } from '../../src/lab/index.js'
import { outsideHosts, outsideWhyText, policyIpBlocks } from '../../src/lab/outside-hosts.js'
import { labPodInputs, runAgentOnce } from '../../src/cli/commands/lab.js'
import { acquireLabLock } from '../lab-lock.js'
import { hostSupports } from '../requirements.js'
import { loadConformanceCases } from './load-cases.js'
import { DATAPLANE_TIERS, tierCasesToSkip } from './tier-switches.js'
import { caseCluster } from './run-conformance.js'

const isRoot = hostSupports('the lab conformance tests with outside hosts (lab-outside.conformance.test.ts)', ['ip', 'sysctl', 'nft', 'python3'])

let release: (() => void) | null = null
let dir = ''
beforeAll(async () => {
  if (!isRoot) return
  release = await acquireLabLock()
  dir = mkdtempSync(join(tmpdir(), 'netpol-lab-outside-'))
}, 30 * 60_000)
afterAll(async () => {
  if (!isRoot) return
  await labDown()
  rmSync(dir, { recursive: true, force: true })
  release?.()
}, 60_000)

const all = loadConformanceCases()
const tierSkips = tierCasesToSkip(all, DATAPLANE_TIERS)
if (tierSkips.size > 0) console.log(`lab conformance with outside hosts: ${tierSkips.size} cases of the cluster policy tiers skipped (DATAPLANE_TIERS is off)`)
const cases = all.filter((c) => !tierSkips.has(c.name) && policyIpBlocks(caseCluster(c)).length > 0)
const total = { cells: 0, ms: 0, up: 0, agent: 0, probe: 0 }
afterAll(() => {
  if (isRoot) console.log(`lab conformance with outside hosts: ${cases.length} ipBlock cases, ${total.cells} cells both ways in ${(total.ms / 1000).toFixed(1)} s (lab up ${(total.up / 1000).toFixed(1)} s, agent ${(total.agent / 1000).toFixed(1)} s, probes ${(total.probe / 1000).toFixed(1)} s)`)
})

describe.runIf(isRoot).sequential('outside hosts on real packets: engine, compiled ruleset and packets agree', () => {
  test('the table has ipBlock cases', () => expect(cases.length).toBeGreaterThan(10))

  test.each(cases.map((c, i) => ({ name: c.name, c, i })))('$name', async ({ c, i }) => {
    const t0 = performance.now()
    const cluster = caseCluster(c)
    const file = join(dir, `case-${i}.yaml`)
    writeFileSync(file, c.resources)
    const bare = planLab(labPodInputs(cluster))
    const families = [...new Set(bare.pods.flatMap((p) => p.addresses.map((a) => a.family)))] as Family[]
    const hosts = outsideHosts(cluster, { podCidrs: [bare.podCidr4, bare.podCidr6], families })
    const ports = matrixPorts(cluster)
    const plan = planLab(labPodInputs(cluster), { externalIps: hosts.map((h) => h.ip), externalPorts: ports })
    expect(plan.issues).toEqual([])
    const t1 = performance.now()
    await labUp(plan)
    const t2 = performance.now()
    const agent = await runAgentOnce([file], 'enforce')
    const t3 = performance.now()
    total.up += t2 - t1
    total.agent += t3 - t2
    expect(agent.code, agent.stderr).toBe(0)

    const index = indexCluster(cluster)
    const compiled = compilePolicies(cluster, { managed: () => true, mode: 'enforce', table: 'netpol', logGroup: 1 })
    const nft = new FakeNft()
    const applied = nft.runSync(fullReplace(compiled.table))
    expect(applied.ok).toBe(true)

    // every family's probes in one run: the probers of all sources work at once
    const perFamily = families.map((family) => {
      const fhosts = hosts.filter((h) => h.family === family).map((h) => parseIp(h.ip)!)
      return { family, fhosts, cells: outsideProbeCells(cluster.pods, fhosts, ports, ports, family), measured: [] as OutsideMeasurement[] }
    })
    const bySource = new Map<string, ProbeTarget[]>()
    const cellOf = new Map<string, { f: (typeof perFamily)[number]; cell: (typeof perFamily)[number]['cells']['probe'][number] }>()
    for (const f of perFamily) {
      for (const cell of f.cells.probe) {
        const pod = cluster.pods[cell.pod]!
        const [source, ip] = cell.direction === 'ingress' ? [f.fhosts[cell.host]!.text, cell.podIp] : [`${pod.namespace}/${pod.name}`, f.fhosts[cell.host]!.text]
        const t: ProbeTarget = { ip, ...ports[cell.port]! }
        bySource.set(source, [...(bySource.get(source) ?? []), t])
        cellOf.set(`${source} ${ip} ${t.port}/${t.protocol}`, { f, cell })
      }
    }
    const t4 = performance.now()
    for await (const r of probeAll(plan, bySource)) {
      const hit = cellOf.get(`${r.source} ${r.ip} ${r.port}/${r.protocol}`)
      if (hit !== undefined) hit.f.measured.push({ ...hit.cell, outcome: r.result, ...(r.error === undefined ? {} : { error: r.error }) })
    }
    total.probe += performance.now() - t4
    const wrong: string[] = []
    for (const { family, fhosts, cells, measured } of perFamily) {
      expect(measured.length).toBe(cells.probe.length)
      const cmp = compareOutside(index, cluster.pods, fhosts, ports, family, measured)
      total.cells += cmp.results.length
      for (const r of cmp.results) {
        const pod = cluster.pods[r.pod]!
        const flow = outsideFlow(pod, fhosts[r.host]!, family, r.direction, ports[r.port]!)
        const src = flow.from.ip!
        const dst = flow.to.ip!
        const fake = nft.evaluate({ src, dst, protocol: flow.protocol, dport: flow.port }).verdict === 'accept'
        const cell = labCellOf(r.outcome)
        const packets = cell === LabCell.failed ? `failed (${r.outcome}${r.error ? `: ${r.error}` : ''})` : cell === LabCell.allowed
        if (packets !== r.predicted || fake !== r.predicted) {
          const why = outsideWhyText(hosts.find((h) => h.ip === fhosts[r.host]!.text)!.why)
          wrong.push(`${src.text} → ${dst.text} ${flow.port}/${flow.protocol} (host ${why}): engine ${r.predicted}, ruleset ${fake}, packets ${packets}`)
        }
      }
    }
    total.ms += performance.now() - t0
    expect(wrong).toEqual([])
  }, 60_000)
})
