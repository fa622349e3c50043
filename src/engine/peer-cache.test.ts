import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { clusters } from '../../test/arbitraries.js'
import { selectorMatches } from '../model/label-selector.js'
import { indexCluster } from './cluster-index.js'
import { computeIdentities } from './identities.js'
import { identitySpace, PeerCache } from './peer-cache.js'

describe('the selector classes a peer admits', () => {
  test('are those of the namespaces it names that its pod selector matches, however they are found', () => {
    fc.assert(
      fc.property(clusters, (c) => {
        const index = indexCluster(c)
        const space = identitySpace(computeIdentities(c.pods, c.policies, 4))
        const cache = new PeerCache(index, space)
        for (const p of c.policies) {
          for (const r of [...(p.ingress ?? []), ...(p.egress ?? [])]) {
            if (r.peers === 'any') continue
            for (const peer of r.peers) {
              if (peer.kind !== 'pods') continue
              const namespaces = peer.namespaces.kind === 'own' ? [p.namespace] : cache.namespacesMatching(peer.namespaces.selector)
              // one namespace at a time, every class of it (what the cache did before it kept answers per selector)
              const want: number[] = []
              for (const ns of namespaces) for (const id of space.selectorsByNamespace.get(ns) ?? []) if (selectorMatches(peer.podSelector, space.selectorRep(id).pod.labels)) want.push(id)
              const got: number[] = []
              cache.forPeer(peer, p.namespace).forEach((id) => got.push(id))
              expect(got).toEqual(want.sort((a, b) => a - b))
            }
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})
