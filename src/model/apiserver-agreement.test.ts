/**
 * Where netpol's validation once disagreed with kube-apiserver 1.26 (server-side dry-run, kubectl's strict
 * field validation): each row is an object as a user writes it, and what the API server makes of it.
 */
import { describe, expect, test } from 'vitest'
import { buildCluster } from './build-cluster.js'
import { splitDocuments } from './documents.js'
import { toDotPath } from './issues.js'

const build = (text: string) => buildCluster(splitDocuments('in.yaml', text).docs)
const issuesOf = (text: string) => build(text).issues.map((i) => [i.issue.code, toDotPath(i.issue.path)])

const NP = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy'
const np = (spec: string, metadata = '{ name: p, namespace: x }') => `${NP}\nmetadata: ${metadata}\nspec: ${spec}`
const F0 = 'spec.ingress[0].from[0]'

describe('accepted by the API server', () => {
  test.each([
    { name: 'an IPv6 cidr with a zero-padded 5-digit group (ParseCIDRSloppy)', text: np('{ ingress: [ { from: [ { ipBlock: { cidr: "fd00:00000::/64" } } ] } ] }') },
    { name: 'IPv4 octets and a prefix length with leading zeros', text: np('{ ingress: [ { from: [ { ipBlock: { cidr: "0010.0.0.0/08" } } ] } ] }') },
    { name: 'an IPv4-mapped IPv6 except inside an IPv4 cidr', text: np('{ ingress: [ { from: [ { ipBlock: { cidr: 10.0.0.0/8, except: [ "::ffff:10.1.2.3/128" ] } } ] } ] }') },
    { name: 'null among matchExpressions values (decoded as "")', text: np('{ podSelector: { matchExpressions: [ { key: a, operator: In, values: [ x, null ] } ] } }') },
    { name: 'generateName without name', text: np('{}', '{ generateName: allow-, namespace: x }') },
    { name: 'every ObjectMeta field, and status', text: `${NP}\nmetadata: { name: p, namespace: x, uid: u, resourceVersion: "1", generation: 1, creationTimestamp: "2024-01-01T00:00:00Z", selfLink: s, annotations: { A.example.com/Key: v }, ownerReferences: [], finalizers: [], managedFields: [], deletionGracePeriodSeconds: 0, deletionTimestamp: null }\nspec: {}\nstatus: {}` },
    { name: 'every ServiceSpec field netpol knows', text: 'apiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: x }\nspec: { selector: { app: web }, type: ClusterIP, clusterIP: 10.96.0.10, clusterIPs: [ 10.96.0.10 ], ipFamilies: [ IPv4 ], ipFamilyPolicy: SingleStack, sessionAffinity: None, internalTrafficPolicy: Cluster, ports: [ { name: http, port: 80, targetPort: 8080, protocol: TCP, appProtocol: http } ] }' },
    { name: 'a Namespace with spec.finalizers', text: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: a }\nspec: { finalizers: [ kubernetes ] }\nstatus: { phase: Active }' },
    { name: 'a custom resource named NetworkPolicy is another kind (skipped)', text: 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: { name: p }\nspec: { selector: all(), order: 10 }' },
    { name: 'a ConfigMap is another kind (skipped)', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { a: b }' },
  ])('$name', ({ text }) => expect(issuesOf(text)).toEqual([]))

  test('the null value reads as ""', () => {
    const p = build(np('{ podSelector: { matchExpressions: [ { key: a, operator: In, values: [ x, null ] } ] } }')).cluster.policies[0]!
    expect(p.podSelector.requirements[0]!.values).toEqual(['x', ''])
  })

  test('a mapped except is the IPv4 range it maps', () => {
    const p = build(np('{ ingress: [ { from: [ { ipBlock: { cidr: 10.0.0.0/8, except: [ "::ffff:10.1.2.0/120" ] } } ] } ] }')).cluster.policies[0]!
    const peer = (p.ingress![0]!.peers as unknown as { kind: string; block: { key: string } }[])[0]!
    expect(peer.block.key).toBe('10.0.0.0/8 except 10.1.2.0/24')
  })

  test('generateName: a deterministic name per object, never two objects under one name, and a note', () => {
    const pod = (app: string) => `apiVersion: v1\nkind: Pod\nmetadata: { generateName: web-, namespace: x, labels: { app: ${app} } }`
    const r = build([pod('a'), pod('b'), pod('a')].join('\n---\n'))
    const names = r.cluster.pods.map((p) => p.name)
    expect(new Set(names).size).toBe(3)
    for (const n of names) expect(n).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    expect(build(pod('a')).cluster.pods[0]!.name).toBe(build(pod('a')).cluster.pods[0]!.name)
    expect(r.notes.filter((n) => n.code === 'generated_name')).toHaveLength(3)
    expect(r.notes.some((n) => n.code === 'duplicate_object')).toBe(false)
  })

  test('generateName: a namespace made that way carries its made name as kubernetes.io/metadata.name', () => {
    const r = build('apiVersion: v1\nkind: Namespace\nmetadata: { generateName: team- }\n---\napiVersion: v1\nkind: Namespace\nmetadata: { generateName: team- }')
    const all = [...r.cluster.namespaces.values()]
    expect(all).toHaveLength(2)
    for (const n of all) expect(n.labels['kubernetes.io/metadata.name']).toBe(n.name)
  })
})

describe('rejected by the API server', () => {
  test.each([
    { name: 'an annotation key with two slashes', text: np('{}', '{ name: p, namespace: x, annotations: { a/b/c: v } }'), want: [['invalid_annotation_key', 'metadata.annotations["a/b/c"]']] },
    { name: 'an annotation key with an empty name part', text: np('{}', '{ name: p, namespace: x, annotations: { example.com/: v } }'), want: [['invalid_annotation_key', 'metadata.annotations["example.com/"]']] },
    { name: 'annotations over 256 KiB', text: np('{}', `{ name: p, namespace: x, annotations: { a: ${'x'.repeat(262144)} } }`), want: [['annotations_too_large', 'metadata.annotations']] },
    { name: 'a template annotation key', text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d, namespace: x }\nspec: { selector: { matchLabels: { a: b } }, template: { metadata: { labels: { a: b }, annotations: { "a b": v } } } }', want: [['invalid_annotation_key', 'spec.template.metadata.annotations["a b"]']] },
    { name: 'NetworkPolicy at networking.k8s.io/v1beta1', text: 'apiVersion: networking.k8s.io/v1beta1\nkind: NetworkPolicy\nmetadata: { name: p }\nspec: {}', want: [['unserved_api_version', 'apiVersion']] },
    { name: 'NetworkPolicy at extensions/v1beta1', text: 'apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: { name: p }\nspec: {}', want: [['unserved_api_version', 'apiVersion']] },
    { name: 'Deployment at apps/v1beta2', text: 'apiVersion: apps/v1beta2\nkind: Deployment\nmetadata: { name: d }', want: [['unserved_api_version', 'apiVersion']] },
    { name: 'Pod at apps/v1', text: 'apiVersion: apps/v1\nkind: Pod\nmetadata: { name: a }', want: [['unserved_api_version', 'apiVersion']] },
    { name: 'kind: networkpolicy', text: 'apiVersion: networking.k8s.io/v1\nkind: networkpolicy\nmetadata: { name: p }\nspec: {}', want: [['unknown_kind', 'kind']] },
    { name: 'kind: networkPolicy', text: 'apiVersion: networking.k8s.io/v1\nkind: networkPolicy\nmetadata: { name: p }', want: [['unknown_kind', 'kind']] },
    { name: 'kind: NetworkPolcy', text: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolcy\nmetadata: { name: p }', want: [['unknown_kind', 'kind']] },
    { name: 'kind: pod', text: 'apiVersion: v1\nkind: pod\nmetadata: { name: a }', want: [['unknown_kind', 'kind']] },
    { name: 'an unknown top-level field', text: `${NP}\nmetadata: { name: p, namespace: x }\nspecs: {}`, want: [['unknown_field', 'specs']] },
    { name: 'an unknown metadata field', text: np('{}', '{ name: p, namespace: x, labelz: { a: b } }'), want: [['unknown_field', 'metadata.labelz']] },
    { name: 'an unknown metadata field of a Pod', text: 'apiVersion: v1\nkind: Pod\nmetadata: { name: a, namspace: x }', want: [['unknown_field', 'metadata.namspace']] },
    { name: 'an unknown top-level field of a Namespace', text: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: a }\nlabels: { a: b }', want: [['unknown_field', 'labels']] },
    { name: 'an unknown field of a workload template metadata', text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d, namespace: x }\nspec: { selector: { matchLabels: { a: b } }, template: { metadata: { label: { a: b } } } }', want: [['unknown_field', 'spec.template.metadata.label'], ['selector_mismatch', 'spec.selector']] },
    { name: 'an unknown Service spec field', text: 'apiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: x }\nspec: { selectr: { app: web }, ports: [ { port: 80 } ] }', want: [['unknown_field', 'spec.selectr']] },
    { name: 'an unknown Service port field', text: 'apiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: x }\nspec: { selector: { app: web }, ports: [ { port: 80, targetport: 8080 } ] }', want: [['unknown_field', 'spec.ports[0].targetport']] },
    { name: 'an unknown container port field', text: 'apiVersion: v1\nkind: Pod\nmetadata: { name: a, namespace: x }\nspec: { containers: [ { name: c, ports: [ { containerport: 80 } ] } ] }', want: [['unknown_field', 'spec.containers[0].ports[0].containerport'], ['required', 'spec.containers[0].ports[0].containerPort']] },
    { name: 'an unknown Namespace spec field', text: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: a }\nspec: { finalizer: [] }', want: [['unknown_field', 'spec.finalizer']] },
    { name: 'clusterName is gone from ObjectMeta (1.25)', text: np('{}', '{ name: p, namespace: x, clusterName: c }'), want: [['unknown_field', 'metadata.clusterName']] },
    { name: 'neither name nor generateName', text: np('{}', '{ namespace: x }'), want: [['required', 'metadata.name']] },
    { name: 'an invalid generateName', text: np('{}', '{ generateName: Allow-, namespace: x }'), want: [['invalid_name', 'metadata.generateName']] },
    { name: 'a Namespace generateName over 63 characters', text: `apiVersion: v1\nkind: Namespace\nmetadata: { generateName: ${'a'.repeat(64)} }`, want: [['invalid_name', 'metadata.generateName']] },
    { name: 'a CronJob generateName whose made name passes 52 characters', text: `apiVersion: batch/v1\nkind: CronJob\nmetadata: { generateName: ${'a'.repeat(50)}, namespace: x }\nspec: { jobTemplate: { spec: { template: { metadata: { labels: { a: b } } } } } }`, want: [['invalid_name', 'metadata.generateName']] },
    { name: 'label key paths with "." or "/" use brackets', text: np('{ podSelector: { matchLabels: { example.com/a: "-x" } } }'), want: [['invalid_label_value', 'spec.podSelector.matchLabels["example.com/a"]']] },
  ])('$name', ({ text, want }) => expect(issuesOf(text)).toEqual(want))

  test('a null generateName with no name is still "name required"', () => {
    expect(issuesOf(np('{}', '{ generateName: null, namespace: x }'))).toEqual([['required', 'metadata.name']])
  })

  test('an invalid peer stays invalid', () => {
    expect(issuesOf(np('{ ingress: [ { from: [ {} ] } ] }'))).toEqual([['peer_empty', F0]])
  })
})
