import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FakeApiServer, writeFakeKubeconfig, type Obj } from '../../../test/fake-apiserver/index.js'
import { scratchDir } from '../../../test/scratch-dir.js'
import { formatIssue } from '../../cli/render/format-issue.js'
import { loadManifests } from '../load-manifests.js'
import { connect } from './connect.js'
import type { KubeClient } from './kube-client.js'
import { formatKubeError } from './kube-error.js'
import { loadCluster } from './load-cluster.js'

let fake: FakeApiServer
const dir = scratchDir('netpol-live-')

const OBJECTS: Obj[] = [
  { kind: 'Namespace', metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop', team: 'a' } } },
  { kind: 'Namespace', metadata: { name: 'ops', labels: { 'kubernetes.io/metadata.name': 'ops' } } },
  { kind: 'Pod', metadata: { namespace: 'shop', name: 'web-1', labels: { app: 'web' } }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }] }] }, status: { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }] } },
  { kind: 'Pod', metadata: { namespace: 'ops', name: 'probe', labels: { app: 'probe' } }, spec: { nodeName: 'n2', containers: [{ name: 'c', image: 'busybox' }] }, status: { phase: 'Running', podIP: '10.0.1.7', podIPs: [{ ip: '10.0.1.7' }] } },
  { kind: 'Service', metadata: { namespace: 'shop', name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }], clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] } },
  {
    kind: 'NetworkPolicy', metadata: { namespace: 'shop', name: 'web-from-ops' },
    spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } }], ports: [{ port: 'http' }] }] },
  },
  { kind: 'Deployment', metadata: { namespace: 'ops', name: 'tools' }, spec: { replicas: 1, selector: { matchLabels: { app: 'tools' } }, template: { metadata: { labels: { app: 'tools' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } },
]

beforeAll(async () => {
  fake = await FakeApiServer.start()
  fake.apply(...OBJECTS)
})
afterAll(() => fake.close())

function client(): KubeClient {
  const c = connect({ kubeconfig: writeFakeKubeconfig(join(dir.path(), 'config'), fake, { context: 'prod' }), env: {} })
  if (!c.ok) throw new Error(formatKubeError(c.error))
  return c.value.client
}

/** The model without where each object came from. */
const withoutSources = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x) => (k === 'source' ? undefined : x instanceof Map ? [...x] : typeof x === 'bigint' ? String(x) : x)))

describe('loadCluster', () => {
  test('gives the same cluster as a `kubectl get -o json` dump of it, with live origins', async () => {
    const progress: number[] = []
    const live = await loadCluster(client(), { limit: 1, onProgress: (n) => progress.push(n) })
    expect(live.ok).toBe(true)
    if (!live.ok) return
    // what `kubectl get namespaces,pods,services,networkpolicies,deployments -A -o json` prints: a List of the objects
    const dump = dir.write('dump.json', JSON.stringify({ kind: 'List', apiVersion: 'v1', items: OBJECTS.flatMap((o) => fake.all(String(o.kind)).filter((x) => x.metadata.name === o.metadata.name)) }))
    const files = await loadManifests([dump])
    expect(files.issues).toEqual([])
    expect(live.value.issues).toEqual([])
    expect(withoutSources(live.value.cluster)).toEqual(withoutSources(files.cluster))
    expect(live.value.notes).toEqual(files.notes)
    const c = live.value.cluster
    // a live Deployment none of whose pods is in the cluster runs none now (note template_skipped_no_live_pods)
    expect([c.pods.map((p) => p.name).sort(), c.policies.length, c.services.length, [...c.namespaces.keys()]]).toEqual([['probe', 'web-1'], 1, 1, ['ops', 'shop']])
    expect(live.value.objects).toBe(OBJECTS.length)
    expect(progress.at(-1)).toBe(OBJECTS.length)
    // the 11 kinds every cluster serves, and Node; the cluster policy kinds are not served (no CRDs installed)
    expect(Object.keys(live.value.resourceVersions)).toHaveLength(12)
    expect(live.value.resourceVersions.Node).toBeDefined()
    expect(live.value.absent).toEqual([
      { kind: 'ClusterNetworkPolicy', reason: 'not_served' },
      { kind: 'AdminNetworkPolicy', reason: 'not_served' },
      { kind: 'BaselineAdminNetworkPolicy', reason: 'not_served' },
    ])
    const policy = live.value.cluster.policies[0]!
    expect(policy.source?.file).toBe('cluster prod: NetworkPolicy shop/web-from-ops')
    expect(live.value.cluster.namespaces.get('shop')?.source?.file).toBe('cluster prod: Namespace shop')
  })

  test('an invalid object is an issue naming the cluster, the object and the field', async () => {
    fake.apply({ kind: 'NetworkPolicy', metadata: { namespace: 'shop', name: 'bad' }, spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] } })
    try {
      const live = await loadCluster(client())
      expect(live.ok && live.value.issues.map(formatIssue)).toEqual([
        'cluster prod: NetworkPolicy shop/bad: spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.0/33" is not a valid CIDR; expected an address and a prefix length such as 10.0.0.0/8 or fd00::/64',
      ])
    } finally {
      fake.remove('NetworkPolicy', 'shop', 'bad')
    }
  })

  test('the first list that fails is the result', async () => {
    fake.deny({ resource: 'networkpolicies', scope: 'cluster' })
    try {
      const live = await loadCluster(client())
      expect(live.ok ? 'ok' : formatKubeError(live.error)).toBe(
        'cluster prod: user "system:serviceaccount:netpol:netpol" cannot list networkpolicies.networking.k8s.io at cluster scope: grant get/list/watch on networkpolicies.networking.k8s.io; see deploy/20-rbac.yaml',
      )
    } finally {
      fake.allowAll()
    }
  })
})
