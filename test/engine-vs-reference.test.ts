import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { computeReachability, podAllowed } from '../src/analysis/reachability.js'
import { evaluateFlow } from '../src/engine/evaluate.js'
import { indexCluster } from '../src/engine/cluster-index.js'
import { podEndpoint } from '../src/engine/endpoint.js'
import { endpointName, sideAllows, type Endpoint } from '../src/engine/verdict.js'
import { sortClusterPolicies, type ClusterPolicy } from '../src/model/cluster-policy.js'
import { standsForSeveral, type Cluster } from '../src/model/cluster.js'
import type { Family } from '../src/model/ip.js'
import { ip, sel } from './builders.js'
import { clusters, EXTERNAL_IPS, NODE_ADDRESSES, PORTS, tieredClusters } from './arbitraries.js'
import { referenceAllowed, type RefEnd } from './reference-evaluator.js'

const toRef = (e: Endpoint): RefEnd => (e.kind === 'pod' ? { pod: e.pod, ip: e.ip } : { pod: null, ip: e.ip })

/** evaluateFlow equals the reference on every pair of the pods and the `outside` addresses (not two addresses), every port. */
function everyFlowAgrees(c: Cluster, family: Family, outside: readonly string[]): void {
  const index = indexCluster(c)
  const ends: Endpoint[] = [
    ...c.pods.map((p) => podEndpoint(p, family)),
    ...outside.map(ip).filter((a) => a.family === family).map((a): Endpoint => ({ kind: 'ip', ip: a })),
  ]
  for (const from of ends) {
    for (const to of ends) {
      if (from.kind === 'ip' && to.kind === 'ip') continue
      for (const { port, protocol } of PORTS) {
        const got = evaluateFlow(index, { from, to, port, protocol }).allowed
        const want = referenceAllowed(c, toRef(from), toRef(to), port, protocol)
        if (got !== want) throw new Error(`${JSON.stringify({ from: endpointName(from), to: endpointName(to), port, protocol, got, want })}`)
      }
    }
  }
}

describe('the engine equals the reference evaluator', () => {
  test('evaluateFlow on every pod pair, external address and port', () => {
    fc.assert(
      fc.property(clusters, fc.constantFrom<Family>(4, 6), (c, family) => everyFlowAgrees(c, family, EXTERNAL_IPS)),
      { numRuns: 400 },
    )
  })

  test('the class-based matrix on every pod pair and port', () => {
    fc.assert(
      fc.property(clusters, fc.constantFrom<Family>(4, 6), (c, family) => {
        const index = indexCluster(c)
        const r = computeReachability(index, c.pods, PORTS, family)
        r.results.forEach((m) => {
          c.pods.forEach((a, i) => {
            c.pods.forEach((b, j) => {
              const want = referenceAllowed(c, toRef(podEndpoint(a, family)), toRef(podEndpoint(b, family)), m.port, m.protocol)
              expect(podAllowed(r, m, i, j), `${a.name}→${b.name} ${m.port}/${m.protocol}`).toBe(want)
              // the class rows (used by diff) say the same for two different pods, and for one replica to another
              if (i !== j || standsForSeveral(a)) expect(m.rows[r.identities.classOf[i]!]!.has(r.identities.classOf[j]!)).toBe(want)
            })
          })
        })
      }),
      { numRuns: 400 },
    )
  })
})

describe('with cluster policy tiers, the engine equals the reference evaluator', () => {
  test('evaluateFlow on every pod pair (hostNetwork pods too), outside and node address and port', () => {
    const outside = [...new Set([...EXTERNAL_IPS, ...NODE_ADDRESSES])]
    fc.assert(
      fc.property(tieredClusters, fc.constantFrom<Family>(4, 6), (c, family) => everyFlowAgrees(c, family, outside)),
      { numRuns: 1000 },
    )
  })
})

describe('domainNames: the engine answers from the resolution given, as the reference does', () => {
  const NAMES = ['a.example.com', 'b.example.com', 'c.example.org']
  const outside = [...new Set([...EXTERNAL_IPS, ...NODE_ADDRESSES])]
  const withDomains = fc.tuple(
    tieredClusters,
    fc.record({ tier: fc.constantFrom<'Admin' | 'Baseline'>('Admin', 'Baseline'), priority: fc.integer({ min: 0, max: 3 }), names: fc.subarray(NAMES, { minLength: 1 }), port443: fc.boolean() }),
    fc.dictionary(fc.constantFrom(...NAMES), fc.subarray(outside, { minLength: 1, maxLength: 2 }), { maxKeys: 3 }),
  )
  test('allowed equals the reference with the names given; a dns side forks exactly where the reference flips', () => {
    fc.assert(
      fc.property(withDomains, fc.constantFrom<Family>(4, 6), ([c0, d, mapped], family) => {
        const policy: ClusterPolicy = {
          kind: 'ClusterNetworkPolicy',
          tier: d.tier,
          priority: d.priority,
          name: 'dns',
          subject: { kind: 'namespaces', selector: sel() },
          ingress: [],
          egress: [{ action: 'Accept', peers: [{ kind: 'domainNames', names: d.names }], ports: d.port443 ? [{ kind: 'range', protocol: 'TCP', from: 80, to: 443 }] : 'any' }],
        }
        const c = { ...c0, clusterPolicies: sortClusterPolicies([...c0.clusterPolicies, policy]) }
        const resolution = new Map(Object.entries(mapped).map(([n, ips]) => [n, ips.map(ip)]))
        const index = indexCluster(c)
        const dests = outside.map(ip).filter((a) => a.family === family)
        for (const p of c.pods) {
          const from = podEndpoint(p, family)
          for (const a of dests) {
            const to: Endpoint = { kind: 'ip', ip: a }
            for (const { port, protocol } of PORTS) {
              const v = evaluateFlow(index, { from, to, port, protocol }, { resolution })
              const want = referenceAllowed(c, toRef(from), toRef(to), port, protocol, resolution)
              const at = JSON.stringify({ from: endpointName(from), to: a.text, port, protocol })
              if (v.allowed !== want) throw new Error(`allowed ${v.allowed}, reference ${want}: ${at}`)
              if (v.egress.kind === 'dns') {
                // if the first undecided name resolved to this address
                const yes = new Map(resolution).set(v.egress.names[0]!, [a])
                const wantYes = referenceAllowed(c, toRef(from), toRef(to), port, protocol, yes)
                if (sideAllows(v.egress.ifResolved) !== wantYes) throw new Error(`ifResolved ${!wantYes}, reference ${wantYes}: ${at}`)
              }
            }
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})
