import { describe, expect, test } from 'vitest'
import type { ClusterPolicy, ClusterRule } from '../model/cluster-policy.js'
import { parseCidr } from '../model/ip.js'
import { cluster, ip, namespace, pod, sel } from '../../test/builders.js'
import { indexCluster } from './cluster-index.js'
import { computeIdentities } from './identities.js'
import { identitySpace, PeerCache } from './peer-cache.js'
import { TierDecisions, intersect, merge, subtract } from './tier-decisions.js'

const cnp = (name: string, priority: number, tweak: Partial<ClusterPolicy> = {}): ClusterPolicy =>
  ({ kind: 'ClusterNetworkPolicy', tier: 'Admin', priority, name, subject: { kind: 'namespaces', selector: sel() }, ingress: [], egress: [], ...tweak }) as ClusterPolicy

const fromNs = (ns: string, action: ClusterRule['action'], ports: ClusterRule['ports'] = 'any'): ClusterRule => ({
  action,
  peers: [{ kind: 'namespaces', selector: sel({ 'kubernetes.io/metadata.name': ns }) }],
  ports,
})

function setup(clusterPolicies: ClusterPolicy[]) {
  const c = cluster({
    namespaces: [namespace('a'), namespace('b')],
    pods: [
      pod('a/web', { app: 'web' }, { ips: ['10.0.0.1'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }),
      pod('b/client', { app: 'client' }, { ips: ['10.0.1.1'] }),
      pod('b/host', { app: 'client' }, { ips: ['192.168.0.5'], hostNetwork: true }),
    ],
    clusterPolicies,
    nodes: [{ name: 'n1', labels: { role: 'worker' }, addresses: [ip('192.168.0.5')] }],
  })
  const index = indexCluster(c)
  const ids = computeIdentities(c.pods, c.policies, 4, c)
  const tiers = new TierDecisions(new PeerCache(index, identitySpace(ids)))
  const classOf = (name: string) => ids.classOf[c.pods.findIndex((p) => `${p.namespace}/${p.name}` === name)]!
  const end = (name: string) => ({ sel: ids.selectorOf[classOf(name)]!, addr: ids.addressOf[classOf(name)]! })
  return { ids, tiers, end }
}

describe('tier decisions between classes', () => {
  test('first match per port, in policy order; Pass ends the tier for its ports', () => {
    const { tiers, end } = setup([
      cnp('first', 1, { ingress: [fromNs('b', 'Pass', [{ kind: 'range', protocol: 'TCP', from: 80, to: 80 }]), fromNs('b', 'Accept', [{ kind: 'named', name: 'http' }])] }),
      cnp('second', 2, { ingress: [fromNs('b', 'Deny')] }),
    ])
    const d = tiers.decide(end('a/web').sel, 'ingress', 'Admin', end('b/client'))
    expect(d.accept).toEqual([{ protocol: 'TCP', from: 8080, to: 8080 }])
    expect(d.deny).toEqual([
      { protocol: 'TCP', from: 0, to: 79 },
      { protocol: 'TCP', from: 81, to: 8079 },
      { protocol: 'TCP', from: 8081, to: 65535 },
      { protocol: 'UDP', from: 0, to: 65535 },
      { protocol: 'SCTP', from: 0, to: 65535 },
    ])
    expect(d.pieces.find((p) => p.action === 'Pass')).toMatchObject({ ports: { protocol: 'TCP', from: 80, to: 80 }, by: { rule: 0 } })
    expect(tiers.decide(end('a/web').sel, 'ingress', 'Baseline', end('b/client')).pieces).toEqual([])
  })

  test('hostNetwork pods are never subjects nor namespaces peers, but nodes and networks peers see their address', () => {
    const { tiers, end, ids } = setup([
      cnp('all', 1, {
        egress: [
          { action: 'Deny', peers: [{ kind: 'nodes', selector: sel({ role: 'worker' }) }], ports: 'any' },
          { action: 'Accept', peers: [{ kind: 'networks', cidrs: [parseCidr('10.0.0.0/24')!] }], ports: 'any' },
          { action: 'Pass', peers: [{ kind: 'namespaces', selector: sel() }], ports: 'any' },
        ],
      }),
    ])
    expect(ids.selectorOf[0]).not.toBe(undefined)
    expect(tiers.policiesOf(end('b/host').sel, 'Admin')).toEqual([])
    const from = end('b/client').sel
    expect(tiers.decide(from, 'egress', 'Admin', end('b/host')).deny).toHaveLength(3)
    expect(tiers.decide(from, 'egress', 'Admin', end('a/web')).accept).toHaveLength(3)
    const pass = tiers.decide(from, 'egress', 'Admin', end('b/client'))
    expect(pass.accept.concat(pass.deny)).toEqual([])
    expect(pass.pieces.map((p) => p.action)).toEqual(['Pass', 'Pass', 'Pass'])
  })

  test('port sets: merge, intersect, subtract', () => {
    const a = merge([{ protocol: 'UDP', from: 5, to: 9 }, { protocol: 'TCP', from: 1, to: 3 }, { protocol: 'TCP', from: 4, to: 6 }])
    expect(a).toEqual([{ protocol: 'TCP', from: 1, to: 6 }, { protocol: 'UDP', from: 5, to: 9 }])
    expect(intersect(a, [{ protocol: 'TCP', from: 5, to: 100 }])).toEqual([{ protocol: 'TCP', from: 5, to: 6 }])
    expect(subtract(a, [{ protocol: 'TCP', from: 2, to: 3 }])).toEqual([{ protocol: 'TCP', from: 1, to: 1 }, { protocol: 'TCP', from: 4, to: 6 }, { protocol: 'UDP', from: 5, to: 9 }])
  })
})
