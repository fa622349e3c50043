import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { FakeApiServer, writeFakeKubeconfig } from '../../../test/fake-apiserver/index.js'
import { scratchDir } from '../../../test/scratch-dir.js'
import { watchCluster } from './cluster-watch.js'
import { createKubeClient } from './kube-client.js'
import { loadKubeConfig } from './kube-config.js'

let fake: FakeApiServer
const dir = scratchDir('netpol-cluster-watch-')

beforeAll(async () => {
  fake = await FakeApiServer.start()
})
afterAll(() => fake.close())

test('every kind synced; the model follows the watches; a node picked by a field selector', async () => {
  fake.apply(
    { kind: 'Namespace', metadata: { name: 'shop' } },
    { kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDRs: ['10.244.1.0/24'] } },
    { kind: 'Node', metadata: { name: 'n2' }, spec: { podCIDRs: ['10.244.2.0/24'] } },
    { kind: 'Pod', metadata: { namespace: 'shop', name: 'web', labels: { app: 'web' } }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Running', podIP: '10.244.1.5' } },
  )
  const cfg = loadKubeConfig({ kubeconfig: writeFakeKubeconfig(join(dir.path(), 'config'), fake), env: {} })
  if (!cfg.ok) throw new Error(cfg.error.code)
  const changes: string[] = []
  const cw = watchCluster(createKubeClient(cfg.value), {
    kinds: ['Namespace', 'Pod', 'NetworkPolicy', 'Node'],
    perKind: { Node: { fieldSelector: 'metadata.name=n1' } },
  }, { onChange: (kind, c) => changes.push(`${kind} ${c.type} ${c.key}`) })
  try {
    await cw.synced()
    expect(cw.isSynced).toBe(true)
    expect(cw.objects().map((o) => `${o.kind} ${o.metadata.name}`)).toEqual(['Namespace shop', 'Pod web', 'Node n1'])
    expect(cw.cluster().cluster.policies).toEqual([])
    while (fake.openWatches() < 4) await new Promise((r) => setTimeout(r, 10))
    fake.apply({ kind: 'NetworkPolicy', metadata: { namespace: 'shop', name: 'deny' }, spec: { podSelector: {} } })
    while (changes.length < 1) await new Promise((r) => setTimeout(r, 10))
    expect(changes).toEqual(['NetworkPolicy added shop/deny'])
    expect(cw.cluster().cluster.policies.map((p) => p.name)).toEqual(['deny'])
    expect(cw.stats().NetworkPolicy).toMatchObject({ events: 1, objects: 1 })
  } finally {
    await cw.stop()
  }
})

test('the cluster policy kinds: absent (synced, empty) while not served; followed once their CRDs are installed', async () => {
  const tiers = await FakeApiServer.start()
  try {
    tiers.apply({ kind: 'Namespace', metadata: { name: 'shop' } }, { kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } })
    const cfg = loadKubeConfig({ kubeconfig: writeFakeKubeconfig(join(dir.path(), 'tiers'), tiers), env: {} })
    if (!cfg.ok) throw new Error(cfg.error.code)
    const absent: string[] = []
    const synced: string[] = []
    const cw = watchCluster(createKubeClient(cfg.value), { all: { recheckMs: 50 } }, {
      onAbsent: (kind, a) => absent.push(`${kind} ${a.reason}`),
      onSync: (kind, s) => synced.push(`${kind} ${s.reason} ${s.changes.length}`),
    })
    try {
      await cw.synced()
      expect(absent).toEqual(['ClusterNetworkPolicy not_served', 'AdminNetworkPolicy not_served', 'BaselineAdminNetworkPolicy not_served'])
      expect(cw.stats().ClusterNetworkPolicy).toMatchObject({ synced: true, absent: 'not_served', objects: 0 })
      expect(cw.cluster().cluster.nodes.map((n) => n.addresses[0]!.text)).toEqual(['10.0.0.1'])
      // the CRDs are installed and a policy created: the next check lists it, as a relist with one change
      tiers.enableGroup('policy.networking.k8s.io')
      tiers.apply({ kind: 'ClusterNetworkPolicy', metadata: { name: 'deny' }, spec: { tier: 'Admin', priority: 1, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] } })
      while (!synced.includes('ClusterNetworkPolicy relist 1')) await new Promise((r) => setTimeout(r, 10))
      expect(cw.cluster().cluster.clusterPolicies.map((p) => p.name)).toEqual(['deny'])
      expect(cw.stats().ClusterNetworkPolicy?.absent).toBeUndefined()
      // then watched like any kind
      while (tiers.openWatches('ClusterNetworkPolicy') < 1) await new Promise((r) => setTimeout(r, 10))
      tiers.remove('ClusterNetworkPolicy', undefined, 'deny')
      while (cw.cluster().cluster.clusterPolicies.length > 0) await new Promise((r) => setTimeout(r, 10))
    } finally {
      await cw.stop()
    }
  } finally {
    await tiers.close()
  }
})

test('nodes forbidden: Node absent (synced, empty), every other kind followed', async () => {
  const closed = await FakeApiServer.start()
  try {
    closed.deny({ resource: 'nodes' })
    closed.apply({ kind: 'Namespace', metadata: { name: 'shop' } })
    const cfg = loadKubeConfig({ kubeconfig: writeFakeKubeconfig(join(dir.path(), 'closed'), closed), env: {} })
    if (!cfg.ok) throw new Error(cfg.error.code)
    const absent: string[] = []
    const cw = watchCluster(createKubeClient(cfg.value), {}, { onAbsent: (kind, a) => absent.push(`${kind} ${a.reason}`) })
    try {
      await cw.synced()
      expect(absent).toContain('Node forbidden')
      expect([...cw.cluster().cluster.namespaces.keys()]).toEqual(['shop'])
    } finally {
      await cw.stop()
    }
  } finally {
    await closed.close()
  }
})
