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
