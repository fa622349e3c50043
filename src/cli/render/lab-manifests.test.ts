import { describe, expect, test } from 'vitest'
import { loadManifests } from '../../io/load-manifests.js'
import { buildCluster } from '../../model/build-cluster.js'
import type { Cluster } from '../../model/cluster.js'
import { splitDocuments, type ManifestDoc } from '../../model/documents.js'
import { indexCluster } from '../../engine/cluster-index.js'
import { computeReachability } from '../../analysis/reachability.js'
import { matrixPorts } from '../../analysis/matrix-ports.js'
import { policyDocuments, renderLabManifests } from './lab-manifests.js'
import { writeMatrixReport } from '../../report/matrix-report.js'

/** The lab copy of `cluster`, read back; `texts` are the input files (for the policies' documents). */
function roundTrip(cluster: Cluster, texts: Record<string, string>, addresses = new Map<string, string[]>()): Cluster {
  const split = new Map(Object.entries(texts).map(([f, t]) => [f, splitDocuments(f, t).docs]))
  const { docs, missing } = policyDocuments(cluster.policies, (f) => split.get(f) ?? [])
  expect(missing).toEqual([])
  const text = renderLabManifests(cluster, addresses, docs)
  const back = splitDocuments('lab.yaml', text)
  const built = buildCluster(back.docs)
  expect([...back.issues, ...built.issues]).toEqual([])
  return built.cluster
}

async function matrixJson(cluster: Cluster): Promise<string> {
  let out = ''
  const r = computeReachability(indexCluster(cluster), cluster.pods, matrixPorts(cluster), 4)
  await writeMatrixReport(r, (c) => void (out += typeof c === 'string' ? c : Buffer.from(c).toString()))
  return out
}

const strip = (c: Cluster) => ({
  namespaces: [...c.namespaces.values()].map((n) => ({ name: n.name, labels: n.labels })),
  pods: c.pods.map(({ namespace, name, labels, ips, hostIPs, hostNetwork, ports, nodeName }) => ({ namespace, name, labels, ips, hostIPs, hostNetwork, ports, nodeName })),
  policies: c.policies.map(({ source: _source, ...p }) => JSON.stringify(p, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))),
})

describe('the lab copy of the manifests', () => {
  test('of the three-tier example: the same namespaces, pods and policies, and the same matrix', async () => {
    const { readFile } = await import('node:fs/promises')
    const loaded = await loadManifests(['examples/three-tier'])
    expect(loaded.issues).toEqual([])
    const files = [...new Set(loaded.cluster.policies.map((p) => p.source!.file))]
    const texts = Object.fromEntries(await Promise.all(files.map(async (f) => [f, await readFile(f, 'utf8')] as const)))
    const copy = roundTrip(loaded.cluster, texts)
    expect(strip(copy)).toEqual(strip(loaded.cluster))
    expect(await matrixJson(copy)).toBe(await matrixJson(loaded.cluster))
  })

  const shop = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: a, image: x, ports: [{name: http, containerPort: 80}]}, {name: b, image: x, ports: [{name: http, containerPort: 81, protocol: UDP}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {hostNetwork: true, nodeName: n1, containers: [{name: db, image: pg}]}
status: {podIP: 10.0.0.5, hostIP: 10.0.0.5}
---
apiVersion: v1
kind: List
items:
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: one}
  spec: {podSelector: {}}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: two, namespace: shop}
  spec: {podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: http}]}]}
`

  test('a workload template becomes a Pod with the lab addresses; hostNetwork pods keep theirs; policies in a List are found', () => {
    const built = buildCluster(splitDocuments('shop.yaml', shop).docs)
    expect(built.issues).toEqual([])
    const copy = roundTrip(built.cluster, { 'shop.yaml': shop }, new Map([['shop/web', ['10.244.0.9', 'fd00:10:244::9']]]))
    const web = copy.pods.find((p) => p.name === 'web')!
    expect(web.template).toBeUndefined()
    expect(web.ips.map((a) => a.text)).toEqual(['10.244.0.9', 'fd00:10:244::9'])
    expect(web.ports).toEqual([
      { name: 'http', port: 80, protocol: 'TCP' },
      { name: 'http', port: 81, protocol: 'UDP' },
    ])
    const db = copy.pods.find((p) => p.name === 'db')!
    expect(db).toMatchObject({ hostNetwork: true, nodeName: 'n1' })
    expect(db.ips.map((a) => a.text)).toEqual(['10.0.0.5'])
    expect(copy.policies.map((p) => `${p.namespace}/${p.name}`).sort()).toEqual(['default/one', 'shop/two'])
  })

  test('a policy whose document is not found again is reported by name', () => {
    const built = buildCluster(splitDocuments('shop.yaml', shop).docs)
    const none: readonly ManifestDoc[] = []
    expect(policyDocuments(built.cluster.policies, () => none).missing.sort()).toEqual(['default/one', 'shop/two'])
  })
})
