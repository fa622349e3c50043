import { describe, expect, test } from 'vitest'
import { formatClusterRef } from '../model/cluster-policy.js'
import { loadManifests } from './load-manifests.js'

/** examples/tiers: a small cluster with policies in all three tiers, in both API versions. */
describe('examples/tiers', () => {
  test('the cluster with its ClusterNetworkPolicies loads without issues or notes', async () => {
    const r = await loadManifests(['examples/tiers/cluster', 'examples/tiers/cluster-network-policies.yaml'])
    expect(r.issues).toEqual([])
    expect(r.notes).toEqual([])
    expect([...r.cluster.namespaces.keys()]).toEqual(['api', 'db', 'web'])
    expect(r.cluster.pods).toHaveLength(4)
    expect(r.cluster.policies).toHaveLength(2)
    expect(r.cluster.clusterPolicies.map((p) => `${p.tier} ${formatClusterRef(p)} ${p.priority}`)).toEqual([
      'Admin cnp/deny-web-to-db 10',
      'Admin cnp/delegate-api 20',
      'Baseline cnp/baseline 10',
    ])
    expect(r.cluster.nodes.map((n) => `${n.name} ${n.addresses.map((a) => a.text).join(',')}`)).toEqual(['node-1 10.0.0.11', 'node-2 10.0.0.12'])
  })

  test('the AdminNetworkPolicy/BaselineAdminNetworkPolicy variant loads without issues, Allow read as Accept', async () => {
    const r = await loadManifests(['examples/tiers/cluster', 'examples/tiers/admin-network-policies.yaml'])
    expect(r.issues).toEqual([])
    expect(r.notes).toEqual([])
    expect(r.cluster.clusterPolicies.map((p) => `${p.tier} ${formatClusterRef(p)} ${p.priority}`)).toEqual([
      'Admin anp/deny-web-to-db 10',
      'Admin anp/delegate-api 20',
      'Baseline banp/default null',
    ])
    expect(r.cluster.clusterPolicies[2]!.egress[0]!.action).toBe('Accept')
  })

  test('both variants together: each tier in evaluation order (priority, name, kind)', async () => {
    const r = await loadManifests(['examples/tiers'])
    expect(r.issues).toEqual([])
    expect(r.cluster.clusterPolicies.map(formatClusterRef)).toEqual([
      'anp/deny-web-to-db', 'cnp/deny-web-to-db', 'anp/delegate-api', 'cnp/delegate-api', 'cnp/baseline', 'banp/default',
    ])
  })
})
