/**
 * Property: for random clusters and random observed connections among their pods (and to and from outside
 * addresses), the generated policies
 * 1. allow every observed allowed connection, with the cluster's existing policies beside them (the engine);
 * 2. on their own, allow nothing else between the pods involved beyond the documented widenings: a rule selects
 *    a whole workload by its labels (so any pod those labels select), and ports merge only into contiguous runs
 *    of observed ports.
 */
import fc from 'fast-check'
import { expect, test } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { clusters, EXTERNAL_IPS, PORTS } from '../../test/arbitraries.js'
import { ip } from '../../test/builders.js'
import { standsForSeveral, type Cluster, type Pod } from '../model/cluster.js'
import { selectorMatches } from '../model/label-selector.js'
import { indexCluster } from '../engine/cluster-index.js'
import { defaultFamily, podEndpoint } from '../engine/endpoint.js'
import { evaluateFlow } from '../engine/evaluate.js'
import { generatePolicies } from './generate-policies.js'
import type { ObservedConnection, ObservedEnd } from './observed.js'
import { renderPolicies } from './render-policies.js'
import { verifyGenerated } from './verify-generated.js'
import { selectWorkload, workloadKey, workloadOf } from './workload-selector.js'

const scenario = clusters.chain((cluster) =>
  fc
    .array(
      fc.record({
        from: fc.integer({ min: -1, max: cluster.pods.length - 1 }),
        to: fc.integer({ min: -1, max: cluster.pods.length - 1 }),
        ext: fc.constantFrom(...EXTERNAL_IPS),
        port: fc.constantFrom(...PORTS),
        count: fc.integer({ min: 1, max: 5 }),
      }),
      { minLength: 1, maxLength: 8 },
    )
    .map((raw) => {
      const podIps = new Set(cluster.pods.flatMap((p) => p.ips.map((a) => a.text)))
      const end = (i: number, ext: string): ObservedEnd | null => (i >= 0 ? { kind: 'pod', pod: cluster.pods[i]! } : podIps.has(ext) ? null : { kind: 'external', ip: ip(ext) })
      const conns: ObservedConnection[] = []
      for (const r of raw) {
        const from = end(r.from, r.ext)
        const to = end(r.to, r.ext)
        if (from === null || to === null || (from.kind === 'external' && to.kind === 'external')) continue
        conns.push({ from, to, port: r.port.port, protocol: r.port.protocol, verdict: 'allowed', count: r.count })
      }
      return { cluster, conns }
    }),
)

test('the output allows every observed connection (with the existing policies)', () => {
  fc.assert(
    fc.property(scenario, ({ cluster, conns }) => {
      const r = generatePolicies(cluster, conns)
      const v = verifyGenerated(cluster, r.policies, r.allowed)
      expect(v.invalid).toEqual([])
      expect(v.failures.map((f) => f.connection)).toEqual([])
      // and the YAML written says exactly that
      expect(parseAllDocuments(renderPolicies(r.policies)).map((d) => d.toJSON())).toEqual(r.policies.map((p) => p.manifest))
    }),
    { numRuns: 300 },
  )
})

test('on its own, the output allows nothing between the pods involved beyond the documented widenings', () => {
  fc.assert(
    fc.property(scenario, ({ cluster, conns }) => {
      const bare: Cluster = { ...cluster, policies: [] }
      const r = generatePolicies(bare, conns)
      const { after } = verifyGenerated(bare, r.policies, r.allowed)
      const index = indexCluster(after)
      const groups = new Map<string, Pod[]>()
      for (const p of cluster.pods) groups.set(workloadKey(workloadOf(p)), [...(groups.get(workloadKey(workloadOf(p))) ?? []), p])
      const selects = (of: Pod, p: Pod) => of.namespace === p.namespace && selectorMatches(selectWorkload(cluster, groups.get(workloadKey(workloadOf(of)))!).selector, p.labels)
      const podConns = conns.filter((c) => c.from.kind === 'pod' && c.to.kind === 'pod') as (ObservedConnection & { from: { pod: Pod }; to: { pod: Pod } })[]
      // the observed ports of each workload pair and protocol: a run of contiguous ones is one range
      const observedPorts = (a: Pod, b: Pod, protocol: string) =>
        new Set(podConns.filter((c) => c.protocol === protocol && workloadKey(workloadOf(c.from.pod)) === workloadKey(workloadOf(a)) && workloadKey(workloadOf(c.to.pod)) === workloadKey(workloadOf(b))).map((c) => c.port))
      const inRun = (ports: Set<number>, from: number, p: number) => {
        for (let q = Math.min(from, p); q <= Math.max(from, p); q++) if (!ports.has(q)) return false
        return true
      }
      // the pods of the connections the output was made for (a pod seen only reaching itself needs no rule)
      const involved = [...new Set(r.allowed.flatMap((c) => [c.from, c.to]).flatMap((e) => (e.kind === 'pod' ? [e.pod] : [])))]
      for (const a of involved) {
        for (const b of involved) {
          if (a === b && !standsForSeveral(a)) continue
          for (const { port, protocol } of PORTS) {
            const family = defaultFamily(a, b)
            const v = evaluateFlow(index, { from: podEndpoint(a, family), to: podEndpoint(b, family), port, protocol })
            if (!v.allowed) continue
            const justified = podConns.some((c) => c.protocol === protocol && selects(c.from.pod, a) && selects(c.to.pod, b) && inRun(observedPorts(c.from.pod, c.to.pod, protocol), c.port, port))
            expect({ from: `${a.namespace}/${a.name}`, to: `${b.namespace}/${b.name}`, port, protocol, justified }).toMatchObject({ justified: true })
          }
        }
      }
    }),
    { numRuns: 300 },
  )
})
