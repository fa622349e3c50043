/**
 * --kubeconfig on a cluster with the policy tiers (examples/tiers in the FAKE API server, which serves
 * policy.networking.k8s.io as a cluster with sig-network-policy-api's CRDs does): the same answers as -f on a
 * dump of the same objects; Node objects forbidden by RBAC are a note, not an error.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { FakeApiServer, writeFakeKubeconfig } from '../fake-apiserver/index.js'
import { applyExample, dumpList } from '../fake-apiserver/example.js'
import { scratchDir } from '../scratch-dir.js'
import { runCli } from './cli-harness.js'

const dir = scratchDir('netpol-live-tiers-')
let fake: FakeApiServer

beforeEach(async () => {
  fake = await FakeApiServer.start({ policyApi: true })
  applyExample(fake, 'examples/tiers')
})
afterEach(() => fake.close())

function setup(): { kubeconfig: string; dump: string } {
  const kubeconfig = writeFakeKubeconfig(join(dir.path(), 'kubeconfig'), fake)
  const dump = join(dir.path(), 'dump.json')
  writeFileSync(dump, JSON.stringify(dumpList(fake), null, 2))
  return { kubeconfig, dump }
}

describe('a cluster with cluster policies', () => {
  test('matrix and describe answer as for a dump of the same objects', async () => {
    const { kubeconfig, dump } = setup()
    for (const argv of [['matrix', '-o', 'json'], ['describe']]) {
      const live = await runCli([...argv, '--kubeconfig', kubeconfig])
      const files = await runCli([...argv, '-f', dump])
      expect(live.err).toBe('')
      expect({ code: live.code, out: live.out }).toEqual({ code: files.code, out: files.out })
    }
    expect(dumpList(fake).items.filter((o) => String(o.kind).endsWith('NetworkPolicy') && o.kind !== 'NetworkPolicy').map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([
      'ClusterNetworkPolicy baseline', 'ClusterNetworkPolicy delegate-api', 'ClusterNetworkPolicy deny-web-to-db',
      'AdminNetworkPolicy delegate-api', 'AdminNetworkPolicy deny-web-to-db', 'BaselineAdminNetworkPolicy default',
    ])
  })

  test('nodes forbidden: a note naming the RBAC rule on stderr, and the command goes on', async () => {
    fake.deny({ resource: 'nodes' })
    const { kubeconfig } = setup()
    const r = await runCli(['matrix', '--port', '8080/TCP', '--kubeconfig', kubeconfig])
    expect(r.code).toBe(0)
    expect(r.err).toBe(
      'note: cluster fake: user "system:serviceaccount:netpol:netpol" cannot list nodes at cluster scope: grant get/list/watch on nodes; see deploy/20-rbac.yaml; going on without Node objects, so the nodes peers of cluster policies match no address\n',
    )
  })

  test('a cluster policy kind forbidden: an error (exit 2)', async () => {
    fake.deny({ resource: 'adminnetworkpolicies' })
    const { kubeconfig } = setup()
    const r = await runCli(['matrix', '--kubeconfig', kubeconfig])
    expect(r.code).toBe(2)
    expect(r.err).toContain('cannot list adminnetworkpolicies.policy.networking.k8s.io at cluster scope: grant get/list/watch on adminnetworkpolicies.policy.networking.k8s.io')
  })
})
