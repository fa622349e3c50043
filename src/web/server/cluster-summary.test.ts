import { expect, test } from 'vitest'
import { loadManifests } from '../../io/load-manifests.js'
import { ANY_PORT_MAX_PODS, defaultPort, portsByUse } from './cluster-summary.js'

test('the ports of /api/cluster: most used first (pods that serve it, policies that name it), then by protocol and number', async () => {
  const { cluster } = await loadManifests(['examples/three-tier/'])
  expect(portsByUse(cluster)).toEqual(['9090/TCP', '53/TCP', '8080/TCP', '53/UDP', '5432/TCP', '443/TCP', '9153/TCP', '9187/TCP'])
})

test('the page opens on "any" port up to ANY_PORT_MAX_PODS pods, on the most common port above', async () => {
  const { cluster } = await loadManifests(['examples/three-tier/'])
  expect(defaultPort(cluster)).toBe('any')
  const pod = cluster.pods[0]!
  const many = { ...cluster, pods: Array.from({ length: ANY_PORT_MAX_PODS + 1 - cluster.pods.length }, (_, i) => ({ ...pod, name: `copy-${i}` })).concat(cluster.pods) }
  expect(defaultPort({ ...many, pods: many.pods.slice(1) })).toBe('any')
  expect(defaultPort(many)).toBe(portsByUse(many)[0])
})
