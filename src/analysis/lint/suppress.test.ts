import { describe, expect, test } from 'vitest'
import { cluster, namespace, pod, policy, rule } from '../../../test/builders.js'
import { cnp, crule, namespaces } from '../../../test/cluster-policy-builders.js'
import { CHECKS, lintCluster } from './index.js'
import { annotationChecks, parseObjectPattern } from './suppress.js'

test.each([
  { text: 'shop/api', want: { namespace: 'shop', name: 'api' } },
  { text: 'NetworkPolicy shop/api', want: { kind: 'NetworkPolicy', namespace: 'shop', name: 'api' } },
  { text: 'shop', want: { kind: 'Namespace', name: 'shop' } },
  { text: 'Namespace shop', want: { kind: 'Namespace', name: 'shop' } },
  { text: 'Pod shop', want: undefined },
  { text: 'ClusterNetworkPolicy deny-db', want: { kind: 'ClusterNetworkPolicy', name: 'deny-db' } },
  { text: 'BaselineAdminNetworkPolicy default', want: { kind: 'BaselineAdminNetworkPolicy', name: 'default' } },
  { text: 'ClusterNetworkPolicy shop/deny-db', want: undefined },
  { text: 'Namespace shop/api', want: undefined },
  { text: 'a/b/c', want: undefined },
  { text: 'Shop/API', want: undefined },
])('object pattern $text', ({ text, want }) => expect(parseObjectPattern(text)).toEqual(want))

test('an annotation names ids or slugs, separated by commas or spaces, in any case; unknown words are left out', () => {
  expect([...annotationChecks('NP003, egress-no-dns np007 nonsense', CHECKS)].sort()).toEqual(['NP002', 'NP003', 'NP007'])
})

describe('suppression by annotation on the object a finding is about', () => {
  const annotated = (ids: string) => ({ annotations: { 'netpol.dev/lint-ignore': ids } })
  const web = pod('shop/web', { app: 'web' })
  test.each([
    { name: 'on the namespace', c: cluster({ namespaces: [{ ...namespace('shop'), ...annotated('NP001') }], pods: [web] }), suppressed: ['NP001 Namespace shop', 'NP001 Namespace shop'] },
    { name: 'on the namespace, another check', c: cluster({ namespaces: [{ ...namespace('shop'), ...annotated('NP002') }], pods: [web] }), suppressed: [] },
    { name: 'on the policy', c: cluster({ pods: [web], policies: [{ ...policy('shop', 'p', { ingress: [], egress: [rule()], policyTypesDefaulted: true }), ...annotated('egress-policy-isolates-ingress') }] }), suppressed: ['NP016 NetworkPolicy shop/p'] },
  ])('$name', ({ c, suppressed }) => {
    const r = lintCluster(c)
    expect(r.suppressed.map((f) => `${f.id} ${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`)).toEqual(suppressed)
    for (const f of r.suppressed) expect(f.suppressed).toEqual({ by: 'annotation' })
    for (const f of r.findings) expect(suppressed).not.toContain(`${f.id} ${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`)
  })
})

describe('findings on cluster policies', () => {
  const web = pod('shop/web', { app: 'web' }, { ips: ['10.0.0.1'] })
  const first = cnp('deny-all', 'Admin', 10, { ingress: [crule('Deny', [namespaces()])] })
  const later = cnp('allow-all', 'Admin', 20, { ingress: [crule('Accept', [namespaces()])] })
  const shadowed = (r: ReturnType<typeof lintCluster>) => r.suppressed.filter((f) => f.id === 'NP019').map((f) => `${f.object.kind} ${f.object.name} ${JSON.stringify(f.suppressed)}`)
  test('by the annotation on the cluster policy', () => {
    const annotated = { ...later, annotations: { 'netpol.dev/lint-ignore': 'tier-rule-shadowed' } }
    const r = lintCluster(cluster({ pods: [web], clusterPolicies: [first, annotated] }))
    expect(shadowed(r)).toEqual(['ClusterNetworkPolicy allow-all {"by":"annotation"}'])
    expect(r.findings.filter((f) => f.id === 'NP019')).toEqual([])
  })
  test('by the config, naming it KIND NAME', () => {
    const r = lintCluster(cluster({ pods: [web], clusterPolicies: [first, later] }), { disable: [], severity: {}, ignore: [{ check: 'NP019', object: parseObjectPattern('ClusterNetworkPolicy allow-all')!, reason: 'kept for later' }] })
    expect(shadowed(r)).toEqual(['ClusterNetworkPolicy allow-all {"by":"config","reason":"kept for later"}'])
  })
})
