/**
 * One case table, many implementations (like a router test suite shared by several routers): each
 * evaluator answers the same expectations on the same little clusters.
 */
import { describe, expect, test } from 'vitest'
import type { Cluster, Pod } from '../../src/model/cluster.js'
import { parseIp } from '../../src/model/ip.js'
import { splitDocuments } from '../../src/model/documents.js'
import { buildCluster } from '../../src/model/build-cluster.js'
import type { Endpoint } from '../../src/engine/verdict.js'
import type { Protocol } from '../../src/model/port.js'
import { loadConformanceCases, type ConformanceCase, type ConformanceExpectation } from './load-cases.js'
import { tierCasesToSkip } from './tier-switches.js'

export interface Evaluator {
  allowed(from: Endpoint, to: Endpoint, port: number, protocol: Protocol): boolean
}

export interface ConformanceRun {
  readonly name: string
  newEvaluator(cluster: Cluster): Evaluator
  readonly skip?: readonly { reason: string; cases: readonly string[] }[]
  /**
   * For an implementation that does not run the cases of the cluster policy tiers yet: the switch of
   * tier-switches.ts that says whether it does; while it is off they are skipped, and the count is printed.
   */
  readonly tiers?: { readonly enabled: boolean; readonly switchName: string }
}

export function caseCluster(c: ConformanceCase): Cluster {
  const split = splitDocuments(`${c.file}#${c.name}`, c.resources)
  const built = buildCluster(split.docs)
  const issues = [...split.issues, ...built.issues]
  if (issues.length > 0) throw new Error(`case "${c.name}" has invalid resources: ${JSON.stringify(issues.slice(0, 3))}`)
  return built.cluster
}

/** `ns/pod` or an address; a pod connects from/to its address of the other end's family (IPv4 first). */
export function caseEndpoints(cluster: Cluster, e: ConformanceExpectation): [Endpoint, Endpoint] {
  const find = (s: string): Pod | { ip: NonNullable<ReturnType<typeof parseIp>> } => {
    const ip = parseIp(s)
    if (ip !== null) return { ip }
    const pod = cluster.pods.find((p) => `${p.namespace}/${p.name}` === s)
    if (!pod) throw new Error(`no pod ${s}`)
    return pod
  }
  const a = find(e.from)
  const b = find(e.to)
  const family = 'ip' in a && !('namespace' in a) ? a.ip.family : 'ip' in b && !('namespace' in b) ? b.ip.family : ((b as Pod).ips[0]?.family ?? 4)
  const end = (x: typeof a): Endpoint =>
    'namespace' in x ? { kind: 'pod', pod: x, ip: x.ips.find((i) => i.family === family) ?? null } : { kind: 'ip', ip: x.ip }
  return [end(a), end(b)]
}

export function runConformance(run: ConformanceRun): void {
  const skipped = new Map<string, string>()
  for (const s of run.skip ?? []) for (const c of s.cases) skipped.set(c, s.reason)
  const all = loadConformanceCases()
  const tiers = run.tiers ?? { enabled: true, switchName: '' }
  const tierSkips = tierCasesToSkip(all, tiers.enabled)
  for (const c of tierSkips) skipped.set(c, `${tiers.switchName} is off`)
  if (tierSkips.size > 0) console.log(`conformance: ${run.name}: ${tierSkips.size} cases of the cluster policy tiers skipped (${tiers.switchName} is off)`)
  const byFile = new Map<string, ConformanceCase[]>()
  for (const c of all) byFile.set(c.file, [...(byFile.get(c.file) ?? []), c])
  describe(`conformance: ${run.name}`, () => {
    for (const [file, cases] of byFile) {
      describe(file, () => {
        for (const c of cases) {
          const reason = skipped.get(c.name)
          test.skipIf(reason !== undefined)(c.name, () => {
            const cluster = caseCluster(c)
            const ev = run.newEvaluator(cluster)
            const wrong = c.expect.filter((e) => {
              const [from, to] = caseEndpoints(cluster, e)
              return ev.allowed(from, to, e.port, e.protocol) !== e.allowed
            })
            expect(wrong.map((e) => `${e.from} → ${e.to} ${e.port}/${e.protocol} should be ${e.allowed ? 'allowed' : 'denied'}`)).toEqual([])
          })
        }
      })
    }
  })
}
