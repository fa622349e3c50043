import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { cluster, ipPeer, namedPort, namespace, nsPeer, pod, podsPeer, policy, port, rule, sel } from '../../test/builders.js'
import { clusters } from '../../test/arbitraries.js'
import { tierClusters } from '../../test/tier-arbitraries.js'
import { podId, standsForSeveral, type Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import { indexCluster } from '../engine/cluster-index.js'
import { podEndpoint } from '../engine/endpoint.js'
import { evaluateFlow } from '../engine/evaluate.js'
import { Describer, describePod, type PeerView, type PortView } from './describe.js'

const nss = [namespace('web', { team: 'web' }), namespace('api', { team: 'api' })]
const pods = [
  pod('web/fe', { app: 'fe' }, { ips: ['10.0.1.1'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }),
  pod('api/orders', { app: 'orders' }, { ips: ['10.0.2.1'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }),
  pod('api/pay', { app: 'pay' }, { ips: ['10.0.2.2'], ports: [{ name: 'http', port: 8081, protocol: 'TCP' }] }),
  pod('api/batch', { app: 'batch' }, { ips: ['10.0.2.3'] }),
]
const c = cluster({
  namespaces: nss,
  pods,
  policies: [
    policy('api', 'allow', {
      podSelector: sel({}, [{ key: 'app', operator: 'In', values: ['orders', 'pay', 'batch'] }]),
      ingress: [rule([podsPeer(sel({ app: 'fe' }), sel({ team: 'web' })), podsPeer(sel({ app: 'orders' }))], [namedPort('http'), port(9090)])],
      ignored: { egress: [rule('any', [port(53, 'UDP')])] },
    }),
    policy('web', 'out', { ingress: null, egress: [rule([nsPeer(sel({ team: 'api' }))], [namedPort('http')]), rule([ipPeer('0.0.0.0/0', ['10.0.0.0/8'])])] }),
  ],
})
const ids = (x: { pods: readonly { namespace: string; name: string }[] }) => x.pods.map(podId)

describe('describe a policy', () => {
  const [allow, out] = new Describer(indexCluster(c)).policies()
  test('selected pods and policy types', () => {
    expect(ids(allow!.selected)).toEqual(['api/batch', 'api/orders', 'api/pay'])
    expect(allow!.policyTypes).toEqual(['ingress'])
    expect(out!.policyTypes).toEqual(['egress'])
    expect(out!.ingress).toBeNull()
  })
  test('each peer resolves to the pods it matches now; a podSelector alone stays in the policy namespace', () => {
    const peers = allow!.ingress![0]!.peers as PeerView[]
    expect(peers.map((p) => ids(p.matched))).toEqual([['web/fe'], ['api/orders']])
    expect(ids(allow!.ingress![0]!.pods)).toEqual(['api/orders', 'web/fe'])
  })
  test('an ipBlock lists the pods whose addresses it contains', () => {
    const peers = out!.egress![1]!.peers as PeerView[]
    expect(ids(peers[0]!.matched)).toEqual([])
    expect(out!.egress![1]!.ports).toBe('any')
  })
  test.each([
    { name: 'ingress: on the selected pods', port: () => (allow!.ingress![0]!.ports as PortView[])[0]!, resolved: [{ ports: [8080], pods: ['api/orders'] }, { ports: [8081], pods: ['api/pay'] }], unresolved: ['api/batch'] },
    { name: 'egress: on the pods the rule reaches', port: () => (out!.egress![0]!.ports as PortView[])[0]!, resolved: [{ ports: [8080], pods: ['api/orders'] }, { ports: [8081], pods: ['api/pay'] }], unresolved: ['api/batch'] },
  ])('a named port resolves $name', ({ port, resolved, unresolved }) => {
    const named = port().named!
    expect(named.resolved.map((g) => ({ ports: g.ports, pods: g.pods.map(podId) }))).toEqual(resolved)
    expect(named.unresolved.map(podId)).toEqual(unresolved)
  })
  test('rules under a direction policyTypes lacks are described as ignored', () => {
    expect(allow!.egress).toBeNull()
    expect(allow!.ignored.egress).toHaveLength(1)
    expect(ids(allow!.ignored.egress[0]!.pods)).toEqual(['api/batch', 'api/orders', 'api/pay', 'web/fe'])
  })
  test('only the named policies, in cluster order', () => {
    expect(new Describer(indexCluster(c)).policies([{ namespace: 'web', name: 'out' }]).map((v) => v.policy.name)).toEqual(['out'])
  })
})

describe('describe a pod', () => {
  const index = indexCluster(c)
  test('isolation and the ports it serves (web/fe may not send to 9090: its egress allows only http)', () => {
    const v = describePod(index, pods[2]!)
    expect(v.ingress.by.map((r) => r.name)).toEqual(['allow'])
    expect(v.egress.by).toEqual([])
    expect(v.inbound.map((r) => [`${r.port}/${r.protocol}`, r.name, ids(r.allowed), r.external])).toEqual([
      ['8081/TCP', 'http', ['api/orders', 'web/fe'], { kind: 'blocks', blocks: [] }],
      ['9090/TCP', undefined, ['api/orders'], { kind: 'blocks', blocks: [] }],
    ])
  })
  test('whom it may reach: counted among the pods that serve each port, with the external blocks', () => {
    const v = describePod(index, pods[0]!)
    expect(v.outbound.map((r) => [`${r.port}/${r.protocol}`, r.considered, ids(r.allowed), r.external.kind === 'any' ? 'any' : r.external.blocks.map((b) => b.key)])).toEqual([
      ['8080/TCP', 1, ['api/orders'], ['0.0.0.0/0 10.0.0.0/8']],
      ['8081/TCP', 1, ['api/pay'], ['0.0.0.0/0 10.0.0.0/8']],
    ])
  })

  test.each([
    ['NetworkPolicies', clusters, 200],
    ['cluster policy tiers', tierClusters, 150],
  ] as const)('the counts are evaluateFlow’s, pod by pod (%s)', (_, arbitrary, numRuns) => {
    fc.assert(
      fc.property(arbitrary, fc.constantFrom<Family>(4, 6), (cl, family) => {
        const idx = indexCluster(cl)
        for (const p of cl.pods) {
          const v = describePod(idx, p, family)
          // the others: every pod but itself, or with itself when it stands for several replicas (one replica to another)
          const other = (q: Pod) => q !== p || standsForSeveral(p)
          for (const r of v.inbound) {
            const want = cl.pods.filter((q) => other(q) && evaluateFlow(idx, { from: podEndpoint(q, family), to: podEndpoint(p, family), port: r.port, protocol: r.protocol }).allowed)
            expect(ids(r.allowed)).toEqual(want.map(podId))
          }
          for (const r of v.outbound) {
            const serving = cl.pods.filter((q) => other(q) && q.ports.some((cp) => cp.port === r.port && cp.protocol === r.protocol))
            const want = serving.filter((q) => evaluateFlow(idx, { from: podEndpoint(p, family), to: podEndpoint(q, family), port: r.port, protocol: r.protocol }).allowed)
            expect(r.considered).toBe(serving.length)
            expect(ids(r.allowed)).toEqual(want.map(podId))
          }
        }
      }),
      { numRuns },
    )
  })
})
