import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { clusters } from '../../test/arbitraries.js'
import { cluster, ipPeer, namespace, pod, podsPeer, policy, rule, sel } from '../../test/builders.js'
import { indexCluster } from './cluster-index.js'
import { podEndpoint } from './endpoint.js'
import { peerMatches } from './match-peer.js'
import { PeerPods } from './peer-pods.js'

describe('the pods a peer admits, from the class cache', () => {
  test('are the pods peerMatches admits, in the pods\' order, for every peer of every policy and both families', () => {
    fc.assert(
      fc.property(clusters, (c) => {
        const index = indexCluster(c)
        for (const family of [4, 6] as const) {
          const peers = new PeerPods(index, c.pods, c.policies, family)
          for (const p of c.policies) {
            for (const r of [...(p.ingress ?? []), ...(p.egress ?? [])]) {
              if (r.peers === 'any') continue
              for (const peer of r.peers) {
                const want = c.pods.filter((x) => peerMatches(index, peer, p.namespace, podEndpoint(x, family)))
                expect(peers.of(peer, p.namespace)).toEqual(want)
              }
            }
          }
        }
      }),
      { numRuns: 300 },
    )
  })

  test('a peer matching several classes lists their members in the pods\' order', () => {
    const c = cluster({
      namespaces: [namespace('a', { team: 'x' }), namespace('b', { team: 'x' })],
      pods: [
        pod('b/b1', { app: 'web' }, { ips: ['10.0.0.4'] }),
        pod('a/a1', { app: 'db' }, { ips: ['10.0.0.1'] }),
        pod('a/a2', { app: 'web' }, { ips: ['10.0.1.2'] }),
        pod('b/b2', { app: 'db' }, { ips: ['10.0.0.3'] }),
      ],
      policies: [policy('a', 'p', { ingress: [rule([podsPeer(sel({}), sel({ team: 'x' })), ipPeer('10.0.0.0/24')])] })],
    })
    // the cluster sorts its pods; give them in another order
    const order = ['b1', 'a1', 'a2', 'b2'].map((name) => c.pods.find((p) => p.name === name)!)
    const peers = new PeerPods(indexCluster(c), order, c.policies, 4)
    const written = c.policies[0]!.ingress![0]!.peers
    if (written === 'any') throw new Error('peers expected')
    const [all, block] = written.map((peer) => peers.of(peer, 'a').map((p) => p.name))
    expect(all).toEqual(['b1', 'a1', 'a2', 'b2'])
    expect(block).toEqual(['b1', 'a1', 'b2'])
  })
})
