import { expect, test } from 'vitest'
import { loadManifests } from '../../io/load-manifests.js'
import { portsByUse } from './cluster-summary.js'

test('the ports of /api/cluster: most used first (pods that serve it, policies that name it), then by protocol and number', async () => {
  const { cluster } = await loadManifests(['examples/three-tier/'])
  expect(portsByUse(cluster)).toEqual(['9090/TCP', '53/TCP', '8080/TCP', '53/UDP', '5432/TCP', '443/TCP', '9153/TCP', '9187/TCP'])
})
