/**
 * A live cluster with the policy tiers: ClusterNetworkPolicy, AdminNetworkPolicy and BaselineAdminNetworkPolicy
 * read where policy.networking.k8s.io is served, and Node objects unless RBAC forbids them.
 */
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { applyExample } from '../../../test/fake-apiserver/example.js'
import { FakeApiServer, POLICY_GROUP, writeFakeKubeconfig } from '../../../test/fake-apiserver/index.js'
import { scratchDir } from '../../../test/scratch-dir.js'
import { formatClusterRef } from '../../model/cluster-policy.js'
import { loadManifests } from '../load-manifests.js'
import { connect } from './connect.js'
import { absenceNote } from './discovery.js'
import type { KubeClient } from './kube-client.js'
import { formatKubeError } from './kube-error.js'
import { loadCluster } from './load-cluster.js'

let fake: FakeApiServer
const dir = scratchDir('netpol-live-tiers-')

beforeEach(async () => {
  fake = await FakeApiServer.start({ policyApi: true })
  applyExample(fake, 'examples/tiers')
})
afterEach(() => fake.close())

function client(): KubeClient {
  const c = connect({ kubeconfig: writeFakeKubeconfig(join(dir.path(), 'config'), fake, { context: 'prod' }), env: {} })
  if (!c.ok) throw new Error(formatKubeError(c.error))
  return c.value.client
}

/** The model without where each object came from. */
const withoutSources = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x) => (k === 'source' ? undefined : x instanceof Map ? [...x] : typeof x === 'bigint' ? String(x) : x)))

describe('a cluster with the policy.networking.k8s.io CRDs', () => {
  test('reads every cluster policy and node: the same model as the example files', async () => {
    const live = await loadCluster(client())
    expect(live.ok).toBe(true)
    if (!live.ok) return
    expect(live.value.issues).toEqual([])
    expect(live.value.absent).toEqual([])
    const files = await loadManifests(['examples/tiers'])
    expect(withoutSources(live.value.cluster)).toEqual(withoutSources(files.cluster))
    expect(live.value.cluster.clusterPolicies.map(formatClusterRef)).toEqual(['anp/deny-web-to-db', 'cnp/deny-web-to-db', 'anp/delegate-api', 'cnp/delegate-api', 'cnp/baseline', 'banp/default'])
    expect(live.value.cluster.clusterPolicies[0]!.source?.file).toBe('cluster prod: AdminNetworkPolicy deny-web-to-db')
    expect(live.value.cluster.nodes.map((n) => n.name)).toEqual(['node-1', 'node-2'])
    // the lists read, at cluster scope
    const paths = fake.requests.map((r) => r.path)
    expect(paths).toContain('/apis/policy.networking.k8s.io/v1alpha2')
    expect(paths).toContain('/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies')
    expect(paths).toContain('/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies')
    expect(paths).toContain('/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies')
    expect(paths).toContain('/api/v1/nodes')
  })

  test('not served (404 for the group): no error, the kinds are absent and nothing of them is listed', async () => {
    fake.disableGroup(POLICY_GROUP)
    const live = await loadCluster(client())
    expect(live.ok && live.value.absent.map((a) => `${a.kind} ${a.reason}`)).toEqual(['ClusterNetworkPolicy not_served', 'AdminNetworkPolicy not_served', 'BaselineAdminNetworkPolicy not_served'])
    expect(live.ok && live.value.cluster.clusterPolicies).toEqual([])
    expect(live.ok && live.value.absent.map(absenceNote)).toEqual([undefined, undefined, undefined])
    expect(fake.requests.filter((r) => r.path.endsWith('policies') && r.path.includes(POLICY_GROUP))).toEqual([])
  })

  test('only the v1alpha1 CRDs (network-policy-api v0.1.x): ANP and BANP read, CNP absent', async () => {
    // such an install serves no v1alpha2: that version's discovery document is a 404
    fake.disableGroup(`${POLICY_GROUP}/v1alpha2`)
    const c = client()
    const about = { verb: 'list', resource: { kind: 'ClusterNetworkPolicy', group: POLICY_GROUP, version: 'v1alpha2', plural: 'clusternetworkpolicies', namespaced: false } } as const
    expect(await c.getDiscovery(POLICY_GROUP, 'v1alpha2', about)).toEqual({ ok: true, value: null })
    const live = await loadCluster(c)
    expect(live.ok && live.value.absent).toEqual([{ kind: 'ClusterNetworkPolicy', reason: 'not_served' }])
    expect(live.ok && live.value.cluster.clusterPolicies.map(formatClusterRef)).toEqual(['anp/deny-web-to-db', 'anp/delegate-api', 'banp/default'])
  })

  test('nodes forbidden: a note naming the RBAC rule, and the cluster without nodes', async () => {
    fake.deny({ resource: 'nodes' })
    const live = await loadCluster(client())
    expect(live.ok).toBe(true)
    if (!live.ok) return
    expect(live.value.cluster.nodes).toEqual([])
    expect(live.value.cluster.clusterPolicies).toHaveLength(6)
    expect(live.value.absent.map(absenceNote)).toEqual([
      'cluster prod: user "system:serviceaccount:netpol:netpol" cannot list nodes at cluster scope: grant get/list/watch on nodes; see deploy/20-rbac.yaml; going on without Node objects, so the nodes peers of cluster policies match no address',
    ])
  })

  test('a cluster policy kind forbidden is an error: without it the answers would be wrong', async () => {
    fake.deny({ resource: 'clusternetworkpolicies' })
    const live = await loadCluster(client())
    expect(live.ok ? 'ok' : formatKubeError(live.error)).toBe(
      'cluster prod: user "system:serviceaccount:netpol:netpol" cannot list clusternetworkpolicies.policy.networking.k8s.io at cluster scope: grant get/list/watch on clusternetworkpolicies.policy.networking.k8s.io; see deploy/20-rbac.yaml',
    )
  })

  test('an invalid cluster policy is an issue naming the cluster, the object and the field', async () => {
    fake.apply({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'bad' }, spec: { tier: 'Admin', priority: 5, subject: { namespaces: {} }, egress: [{ action: 'Accept', to: [{ networks: ['10.0.0.0/33'] }] }] } })
    const live = await loadCluster(client())
    const { formatIssue } = await import('../../cli/render/format-issue.js')
    expect(live.ok && live.value.issues.map(formatIssue)).toEqual([
      'cluster prod: ClusterNetworkPolicy bad: spec.egress[0].to[0].networks[0]: "10.0.0.0/33" is not a valid CIDR; expected an address and a prefix length such as 10.0.0.0/8 or fd00::/64',
    ])
  })
})
