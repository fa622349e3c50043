import fc from 'fast-check'
import { expect, test } from 'vitest'
import { PORTS, tieredClusters } from '../../test/arbitraries.js'
import { podId } from '../model/cluster.js'
import { indexCluster } from '../engine/cluster-index.js'
import { podEndpoint } from '../engine/endpoint.js'
import { evaluateFlow } from '../engine/evaluate.js'
import { clusterAddressSets, distinctIpBlocks } from '../engine/identities.js'
import { externalSpace } from './graph-external.js'
import { defaultFamily, graphReport } from './graph-report.js'
import type { GraphLevel } from './graph-types.js'

// With cluster policies, an address outside the pods may be decided by an Admin or Baseline rule (`networks`,
// `nodes`): every external edge is the engine's answer for the addresses its external node stands for, one
// representative address per region.
test('with cluster policies, external edges are the engine verdicts on the regions of their nodes', () => {
  fc.assert(
    fc.property(tieredClusters, fc.constantFrom<GraphLevel>('pod', 'workload', 'class'), fc.constantFrom(...PORTS), (c, level, port) => {
      const family = defaultFamily(c.pods)
      const index = indexCluster(c)
      const g = graphReport(c, { port, level }, index)
      const space = externalSpace(distinctIpBlocks(c.policies), family, clusterAddressSets(c))
      const at = new Map(c.pods.map((p, i) => [podId(p), i]))
      const edges = new Map(g.edges.map((e) => [e.id, e]))
      for (const x of space.nodes) {
        const reps = x.regions.map((r) => space.regions[r]!)
        for (const n of g.nodes.filter((m) => m.kind !== 'external')) {
          const members = n.pods.map((p) => c.pods[at.get(p)!]!)
          const out = members.flatMap((p) => reps.map((a) => evaluateFlow(index, { from: podEndpoint(p, family), to: { kind: 'ip', ip: a }, ...port }).allowed))
          // ingress from the pod's own node is allowed whatever the policies say ('from-node'): not an outside address
          const inn = members.flatMap((p) => reps.filter((a) => !p.hostIPs.some((h) => h.text === a.text)).map((a) => evaluateFlow(index, { from: { kind: 'ip', ip: a }, to: podEndpoint(p, family), ...port }).allowed))
          const eo = edges.get(`${n.id}->${x.id}`)
          const ei = edges.get(`${x.id}->${n.id}`)
          expect(eo !== undefined, `${n.id}->${x.id} ${port.port}/${port.protocol}`).toBe(out.some((v) => v))
          if (eo) expect(eo.all, `${n.id}->${x.id} all`).toBe(out.every((v) => v))
          expect(ei !== undefined, `${x.id}->${n.id} ${port.port}/${port.protocol}`).toBe(inn.some((v) => v))
          if (ei) expect(ei.all, `${x.id}->${n.id} all`).toBe(inn.every((v) => v))
        }
      }
    }),
    { numRuns: 300 },
  )
})
