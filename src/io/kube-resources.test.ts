import { describe, expect, test } from 'vitest'
import { SERVED_KINDS } from '../model/api-kinds.js'
import { READ_RESOURCES, MANIFEST_RESOURCES, apiVersionOf, collectionPath, readResource } from './kube-resources.js'

describe('READ_RESOURCES', () => {
  test('every kind the manifest reader understands is read, at the version it is served as', () => {
    for (const [kind, apiVersion] of Object.entries(SERVED_KINDS)) {
      const r = readResource(kind)
      expect(r, kind).toBeDefined()
      expect(apiVersionOf(r!)).toBe(apiVersion)
    }
    expect(MANIFEST_RESOURCES.map((r) => r.kind).sort()).toEqual(Object.keys(SERVED_KINDS).sort())
  })

  test('besides those, only Node (the agent reads its spec.podCIDRs)', () => {
    expect(READ_RESOURCES.filter((r) => SERVED_KINDS[r.kind] === undefined).map((r) => r.kind)).toEqual(['Node'])
  })

  test('kinds and plurals are unique; only Namespace and Node are cluster-scoped', () => {
    expect(new Set(READ_RESOURCES.map((r) => r.kind)).size).toBe(READ_RESOURCES.length)
    expect(new Set(READ_RESOURCES.map((r) => r.plural)).size).toBe(READ_RESOURCES.length)
    expect(READ_RESOURCES.filter((r) => !r.namespaced).map((r) => r.kind)).toEqual(['Namespace', 'Node'])
  })

  test.each([
    ['Pod', undefined, '/api/v1/pods'],
    ['Pod', 'kube-system', '/api/v1/namespaces/kube-system/pods'],
    ['Namespace', 'ignored', '/api/v1/namespaces'],
    ['Node', undefined, '/api/v1/nodes'],
    ['Deployment', 'web', '/apis/apps/v1/namespaces/web/deployments'],
    ['NetworkPolicy', undefined, '/apis/networking.k8s.io/v1/networkpolicies'],
    ['CronJob', undefined, '/apis/batch/v1/cronjobs'],
  ] as const)('collectionPath(%s, %s) = %s', (kind, ns, path) => {
    expect(collectionPath(readResource(kind)!, ns)).toBe(path)
  })
})
