import { describe, expect, test } from 'vitest'
import { SERVED_KINDS } from '../../model/api-kinds.js'
import { API_RESOURCES, apiVersionOf, MODEL_KINDS, OPTIONAL_KINDS, resourcePath, type KindName } from './resources.js'

const all = Object.values(API_RESOURCES)

describe('API_RESOURCES: what netpol reads from a live cluster', () => {
  test('every kind the manifest reader understands, at the version it is served as; the model kinds (always or when served) are exactly those', () => {
    for (const [kind, apiVersion] of Object.entries(SERVED_KINDS)) {
      expect(apiVersionOf(API_RESOURCES[kind as KindName]), kind).toBe(apiVersion)
    }
    expect([...MODEL_KINDS, ...OPTIONAL_KINDS].sort()).toEqual(Object.keys(SERVED_KINDS).sort())
  })

  test('no other kind', () => {
    expect(all.filter((r) => SERVED_KINDS[r.kind] === undefined).map((r) => r.kind)).toEqual([])
  })

  test('plurals are unique; Namespace, Node and the cluster policy kinds are cluster-scoped', () => {
    expect(new Set(all.map((r) => r.plural)).size).toBe(all.length)
    expect(all.filter((r) => !r.namespaced).map((r) => r.kind)).toEqual(['Namespace', 'Node', 'ClusterNetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'])
  })

  test.each([
    ['Pod', undefined, '/api/v1/pods'],
    ['Pod', 'kube-system', '/api/v1/namespaces/kube-system/pods'],
    ['Namespace', 'ignored', '/api/v1/namespaces'],
    ['Deployment', 'web', '/apis/apps/v1/namespaces/web/deployments'],
    ['NetworkPolicy', undefined, '/apis/networking.k8s.io/v1/networkpolicies'],
    ['CronJob', undefined, '/apis/batch/v1/cronjobs'],
    ['ClusterNetworkPolicy', 'ignored', '/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies'],
    ['BaselineAdminNetworkPolicy', undefined, '/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies'],
  ] as const)('resourcePath(%s, %s) = %s', (kind, ns, path) => {
    expect(resourcePath(API_RESOURCES[kind], ns)).toBe(path)
  })
})
