import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { FakeApiServer, writeFakeKubeconfig } from '../../../test/fake-apiserver/index.js'
import { scratchDir } from '../../../test/scratch-dir.js'
import { getObject } from './get-object.js'
import { createKubeClient, type KubeClient } from './kube-client.js'
import { loadKubeConfig } from './kube-config.js'
import { formatKubeError } from './kube-error.js'

let fake: FakeApiServer
const dir = scratchDir('netpol-get-')
beforeAll(async () => {
  fake = await FakeApiServer.start()
  fake.apply({ kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDRs: ['10.244.1.0/24', 'fd00:1::/64'] } })
})
afterAll(() => fake.close())

function client(): KubeClient {
  const cfg = loadKubeConfig({ kubeconfig: writeFakeKubeconfig(join(dir.path(), 'config'), fake, { context: 'c' }), env: {} })
  if (!cfg.ok) throw new Error(formatKubeError(cfg.error))
  return createKubeClient(cfg.value)
}

test.each([
  { name: 'a node', node: 'n1', deny: false, want: 'Node n1 10.244.1.0/24,fd00:1::/64' },
  { name: 'a node that does not exist', node: 'n9', deny: false, want: 'cluster c: Node n9 not found' },
  { name: 'a denied get', node: 'n1', deny: true, want: 'cluster c: user "system:serviceaccount:netpol:netpol" cannot get nodes "n1" at cluster scope: grant get/list/watch on nodes; see deploy/20-rbac.yaml' },
])('$name', async ({ node, deny, want }) => {
  if (deny) fake.deny({ resource: 'nodes', verbs: ['get'] })
  try {
    const r = await getObject(client(), 'Node', undefined, node)
    const got = r.ok ? `${r.value.kind} ${r.value.metadata.name} ${(r.value.spec as { podCIDRs: string[] }).podCIDRs.join(',')}` : formatKubeError(r.error)
    expect(got).toBe(want)
  } finally {
    fake.allowAll()
  }
})
