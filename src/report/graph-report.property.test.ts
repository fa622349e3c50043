import fc from 'fast-check'
import { expect, test } from 'vitest'
import { clusters, EXTERNAL_IPS, PORTS } from '../../test/arbitraries.js'
import { ip } from '../../test/builders.js'
import { podId, standsForSeveral, type Cluster } from '../model/cluster.js'
import { ipBlockContains } from '../model/ip-block.js'
import { indexCluster } from '../engine/cluster-index.js'
import { podEndpoint } from '../engine/endpoint.js'
import { evaluateFlow } from '../engine/evaluate.js'
import { destinationPorts } from '../analysis/diff-ports.js'
import { distinctIpBlocks } from '../analysis/identities.js'
import { matrixPorts } from '../analysis/matrix-ports.js'
import { computeReachability, podAllowed } from '../analysis/reachability.js'
import { defaultFamily, graphReport } from './graph-report.js'
import { blockText } from './graph-nodes.js'
import type { GraphLevel } from './graph-types.js'

// some pods belong to workloads, so workload nodes hold several pods
const withWorkloads = clusters.map(
  (c): Cluster => ({
    ...c,
    pods: c.pods.map((p, i) => (p.template || i % 3 === 2 ? p : { ...p, workloads: [{ kind: 'Deployment', name: `d${p.labels['app'] ?? ''}` }] })),
  }),
)
const levels = fc.constantFrom<GraphLevel>('pod', 'workload', 'class', 'namespace')

/** The ordered pod pairs two nodes stand for: different pods, or one replica of a template to another. */
function pairs(from: readonly number[], to: readonly number[], c: Cluster): [number, number][] {
  return from.flatMap((a) => to.filter((b) => a !== b || standsForSeveral(c.pods[a]!)).map((b): [number, number] => [a, b]))
}

test('an edge exists iff some member pod pair is allowed; all iff every pair is (one port, every level)', () => {
  fc.assert(
    fc.property(withWorkloads, levels, fc.constantFrom(...PORTS), (c, level, port) => {
      const family = defaultFamily(c.pods)
      const r = computeReachability(indexCluster(c), c.pods, [port], family)
      const g = graphReport(c, { port, level })
      const at = new Map(c.pods.map((p, i) => [podId(p), i]))
      const podNodes = g.nodes.filter((n) => n.kind !== 'external')
      expect(podNodes.flatMap((n) => n.pods).sort()).toEqual(c.pods.map(podId).sort())
      const edges = new Map(g.edges.map((e) => [e.id, e]))
      for (const a of podNodes) {
        for (const b of podNodes) {
          const ps = pairs(a.pods.map((p) => at.get(p)!), b.pods.map((p) => at.get(p)!), c)
          const allowed = ps.map(([x, y]) => podAllowed(r, r.results[0]!, x, y))
          const e = edges.get(`${a.id}->${b.id}`)
          expect(e !== undefined, `${level} ${a.id}->${b.id}`).toBe(allowed.some((v) => v))
          if (e) expect(e.all, `${level} ${a.id}->${b.id} all`).toBe(allowed.every((v) => v))
        }
      }
      expect(g.totals.edges).toBe(g.edges.length)
    }),
    { numRuns: 300 },
  )
})

test('external nodes agree with the engine on addresses inside them', () => {
  fc.assert(
    fc.property(withWorkloads, levels, fc.constantFrom(...PORTS), (c, level, port) => {
      const family = defaultFamily(c.pods)
      const index = indexCluster(c)
      const g = graphReport(c, { port, level }, index)
      const blocks = distinctIpBlocks(c.policies).filter((b) => b.cidr.family === family)
      const at = new Map(c.pods.map((p, i) => [podId(p), i]))
      const edges = new Map(g.edges.map((e) => [e.id, e]))
      const addresses = EXTERNAL_IPS.map(ip).filter((a) => a.family === family && !c.pods.some((p) => p.ips.some((x) => x.value === a.value)))
      for (const address of addresses) {
        const inside = blocks.filter((b) => ipBlockContains(b, address))
        const xs = inside.length === 0 ? ['world'] : inside.map((b) => `cidr:${blockText(b)}`)
        for (const n of g.nodes.filter((x) => x.kind !== 'external')) {
          const members = n.pods.map((p) => c.pods[at.get(p)!]!)
          const out = members.map((p) => evaluateFlow(index, { from: podEndpoint(p, family), to: { kind: 'ip', ip: address }, ...port }).allowed)
          const inn = members.map((p) => evaluateFlow(index, { from: { kind: 'ip', ip: address }, to: podEndpoint(p, family), ...port }).allowed)
          for (const x of xs) {
            const eo = edges.get(`${n.id}->${x}`)
            const ei = edges.get(`${x}->${n.id}`)
            // some pod reaches an address inside: there is an edge; an edge to all of the block: every pod reaches it
            if (out.some((v) => v)) expect(eo, `${n.id}->${x} for ${address.text}`).toBeDefined()
            if (eo?.all) expect(out.every((v) => v), `${n.id}->${x} all, ${address.text}`).toBe(true)
            if (inn.some((v) => v)) expect(ei, `${x}->${n.id} for ${address.text}`).toBeDefined()
            if (ei?.all) expect(inn.every((v) => v)).toBe(true)
          }
        }
      }
    }),
    { numRuns: 300 },
  )
})

test('port "any": an edge lists the ports on which some pair whose destination serves or is named for the port is allowed', () => {
  fc.assert(
    fc.property(withWorkloads, fc.constantFrom<GraphLevel>('pod', 'workload'), (c, level) => {
      const family = defaultFamily(c.pods)
      const index = indexCluster(c)
      const ports = matrixPorts(c)
      const r = computeReachability(index, c.pods, ports, family)
      const side = { cluster: c, index }
      const matters = c.pods.map((p) => destinationPorts(side, side, ports, family)([[p, p]]))
      const g = graphReport(c, { port: 'any', level }, index)
      const at = new Map(c.pods.map((p, i) => [podId(p), i]))
      const podNodes = g.nodes.filter((n) => n.kind !== 'external')
      const edges = new Map(g.edges.map((e) => [e.id, e]))
      for (const a of podNodes) {
        for (const b of podNodes) {
          const ps = pairs(a.pods.map((p) => at.get(p)!), b.pods.map((p) => at.get(p)!), c)
          const want = ports.filter((_, k) => ps.some(([x, y]) => matters[y]![k] === 1 && podAllowed(r, r.results[k]!, x, y))).map((p) => `${p.port}/${p.protocol}`)
          const e = edges.get(`${a.id}->${b.id}`)
          expect(e?.ports ?? [], `${a.id}->${b.id}`).toEqual(want)
        }
      }
    }),
    { numRuns: 200 },
  )
})
