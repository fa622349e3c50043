import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { PORTS } from '../../test/arbitraries.js'
import { tierClusters } from '../../test/tier-arbitraries.js'
import { cluster, namespace, pod, policy, rule, podsPeer, sel } from '../../test/builders.js'
import { standsForSeveral, type Pod } from '../model/cluster.js'
import type { ClusterPeer, ClusterPolicy, ClusterPort, Tier } from '../model/cluster-policy.js'
import { cidrContains, type Family } from '../model/ip.js'
import { selectorMatches } from '../model/label-selector.js'
import type { Direction } from '../model/policy.js'
import type { Protocol } from '../model/port.js'
import { indexCluster, type ClusterIndex } from '../engine/cluster-index.js'
import { podEndpoint } from '../engine/endpoint.js'
import { evaluateSide } from '../engine/evaluate.js'
import { sideAllows, type Endpoint } from '../engine/verdict.js'
import { classPairs } from './class-pairs.js'
import { computeReachability, PodRows } from './reachability.js'

/** tiers.md read literally, one flow at a time (the NetworkPolicy tier is the engine's evaluateSide). */
function referenceAllowed(index: ClusterIndex, from: Pod, to: Pod, family: Family, port: number, protocol: Protocol): boolean {
  if (from === to && !standsForSeveral(from)) return true
  const a = podEndpoint(from, family)
  const b = podEndpoint(to, family)
  return side(index, from, 'egress', b, to, port, protocol) && side(index, to, 'ingress', a, to, port, protocol)
}

function side(index: ClusterIndex, p: Pod, d: Direction, other: Endpoint, dest: Pod, port: number, protocol: Protocol): boolean {
  const admin = p.hostNetwork ? undefined : tier(index, 'Admin', p, d, other, dest, port, protocol)
  if (admin === 'Accept') return true
  if (admin === 'Deny') return false
  const flow = { from: d === 'egress' ? podEndpoint(p, other.ip?.family ?? 4) : other, to: d === 'egress' ? other : podEndpoint(p, other.ip?.family ?? 4), port, protocol }
  const np = evaluateSide(index, p, d, other, flow)
  if (np.kind !== 'not-isolated') return sideAllows(np)
  const base = p.hostNetwork ? undefined : tier(index, 'Baseline', p, d, other, dest, port, protocol)
  return base !== 'Deny'
}

function tier(index: ClusterIndex, t: Tier, p: Pod, d: Direction, other: Endpoint, dest: Pod, port: number, protocol: Protocol): string | undefined {
  for (const cp of index.cluster.clusterPolicies) {
    if (cp.tier !== t || !subjectSelects(index, cp, p)) continue
    for (const r of cp[d]) {
      if (!r.peers.some((peer) => peerMatches(index, peer, other))) continue
      if (r.ports !== 'any' && !r.ports.some((x) => portMatches(x, dest, port, protocol))) continue
      return r.action === 'Pass' ? undefined : r.action
    }
  }
  return undefined
}

function subjectSelects(index: ClusterIndex, cp: ClusterPolicy, p: Pod): boolean {
  const s = cp.subject
  if (s.kind === 'namespaces') return selectorMatches(s.selector, index.namespaceLabels(p.namespace))
  return selectorMatches(s.namespaceSelector, index.namespaceLabels(p.namespace)) && selectorMatches(s.podSelector, p.labels)
}

function peerMatches(index: ClusterIndex, peer: ClusterPeer, o: Endpoint): boolean {
  switch (peer.kind) {
    case 'namespaces':
      return o.kind === 'pod' && !o.pod.hostNetwork && selectorMatches(peer.selector, index.namespaceLabels(o.pod.namespace))
    case 'pods':
      return o.kind === 'pod' && !o.pod.hostNetwork && selectorMatches(peer.namespaceSelector, index.namespaceLabels(o.pod.namespace)) && selectorMatches(peer.podSelector, o.pod.labels)
    case 'networks':
      return o.ip !== null && peer.cidrs.some((c) => cidrContains(c, o.ip!))
    case 'nodes':
      return o.ip !== null && index.cluster.nodes.some((n) => selectorMatches(peer.selector, n.labels) && n.addresses.some((a) => a.family === o.ip!.family && a.value === o.ip!.value))
    case 'domainNames':
      return false
  }
}

function portMatches(x: ClusterPort, dest: Pod, port: number, protocol: Protocol): boolean {
  if (x.kind === 'range') return x.protocol === protocol && x.from <= port && port <= x.to
  return dest.ports.some((cp) => cp.name === x.name && cp.port === port && cp.protocol === protocol)
}

describe('the matrix with cluster policy tiers', () => {
  test('every pod pair on every port is the per-flow tier chain, and PodRows and classPairs say the same', () => {
    fc.assert(
      fc.property(tierClusters, (c) => {
        const index = indexCluster(c)
        for (const family of [4, 6] as const) {
          const r = computeReachability(index, c.pods, PORTS, family)
          const n = c.pods.length
          r.results.forEach((m) => {
            const rows = new PodRows(r, m)
            const out = new Uint8Array(n)
            for (let i = 0; i < n; i++) {
              // a non-square matrix: the columns are some of the pods
              const columns = Int32Array.from(c.pods.keys()).filter((j) => j % 2 === 1)
              const part = new Uint8Array(columns.length)
              rows.fill(i, part, columns)
              columns.forEach((j, k) => expect(part[k]).toBe(referenceAllowed(index, c.pods[i]!, c.pods[j]!, family, m.port, m.protocol) ? 1 : 0))
              rows.fill(i, out)
              for (let j = 0; j < n; j++) {
                const want = referenceAllowed(index, c.pods[i]!, c.pods[j]!, family, m.port, m.protocol)
                expect({ from: c.pods[i]!.name, to: c.pods[j]!.name, port: m.port, protocol: m.protocol, allowed: out[j] === 1 }).toEqual({
                  from: c.pods[i]!.name, to: c.pods[j]!.name, port: m.port, protocol: m.protocol, allowed: want,
                })
              }
            }
          })
          const ids = r.identities
          const cp = classPairs(r)
          cp.results.forEach((p, k) => {
            const m = r.results[k]!
            const got = new Set<string>()
            for (const g of p.groups) for (const f of g.from) for (let x = 0; x < g.to.length; x += 2) for (let t = g.to[x]!; t <= g.to[x + 1]!; t++) got.add(`${cp.order[f]}>${cp.order[t]}`)
            for (let s = 0; s < ids.classes.length; s++) for (let d = 0; d < ids.classes.length; d++) expect(got.has(`${s}>${d}`)).toBe(m.allowed(s, d))
            m.rows.forEach((row, s) => {
              for (let d = 0; d < ids.classes.length; d++) expect(row.has(d)).toBe(m.allowed(s, d))
            })
          })
        }
      }),
      { numRuns: 400 },
    )
  })
})
