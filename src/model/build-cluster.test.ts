import { describe, expect, test } from 'vitest'
import { buildCluster } from './build-cluster.js'
import { splitDocuments } from './documents.js'
import { toDotPath } from './issues.js'

const build = (...objects: string[]) => buildCluster(splitDocuments('in.yaml', objects.join('\n---\n')).docs)

const ns = (name: string, labels = '{}') => `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${name}, labels: ${labels} }`
const pod = (name: string, namespace: string, labels = '{}', extra = '') =>
  `apiVersion: v1\nkind: Pod\nmetadata: { name: ${name}, namespace: ${namespace}, labels: ${labels} }\nspec: { containers: [ { name: c } ] }\n${extra}`
const np = (name: string, namespace: string, spec = '{}') => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: ${name}, namespace: ${namespace} }\nspec: ${spec}`
const deploy = (name: string, namespace: string, labels: string, kind = 'Deployment') =>
  `apiVersion: apps/v1\nkind: ${kind}\nmetadata: { name: ${name}, namespace: ${namespace} }\nspec:\n  selector: { matchLabels: ${labels} }\n  template:\n    metadata: { labels: ${labels} }\n    spec: { containers: [ { name: c } ] }`
const svc = (name: string, namespace: string) => `apiVersion: v1\nkind: Service\nmetadata: { name: ${name}, namespace: ${namespace} }\nspec: { selector: { app: web }, ports: [ { port: 80 } ] }`

describe('objects and notes', () => {
  test('namespaces get their name label; referenced but undeclared ones are created', () => {
    const r = build(ns('shop', '{ team: a }'), pod('a', 'shop'), np('p', 'billing'), svc('web', 'front'))
    expect([...r.cluster.namespaces.values()]).toEqual([
      { name: 'billing', labels: { 'kubernetes.io/metadata.name': 'billing' }, implicit: true },
      { name: 'front', labels: { 'kubernetes.io/metadata.name': 'front' }, implicit: true },
      // a declared namespace knows where it was given, so findings about it can point there
      { name: 'shop', labels: { team: 'a', 'kubernetes.io/metadata.name': 'shop' }, implicit: false, source: { file: 'in.yaml', doc: 0 } },
    ])
    expect(r.notes).toEqual([
      { code: 'namespace_created', namespace: 'billing', referencedBy: 'NetworkPolicy billing/p' },
      { code: 'namespace_created', namespace: 'front', referencedBy: 'Service front/web' },
    ])
    expect(r.issues).toEqual([])
  })

  test('missing namespace means default', () => {
    const r = build('apiVersion: v1\nkind: Pod\nmetadata: { name: a }')
    expect(r.cluster.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['default/a'])
    expect(r.cluster.namespaces.get('default')?.implicit).toBe(true)
  })

  test('unknown kinds are skipped with a note', () => {
    const r = build('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cfg }', pod('a', 'x'))
    expect(r.notes[0]).toEqual({ code: 'unknown_kind_skipped', kind: 'ConfigMap', name: 'cfg' })
    expect(r.cluster.pods).toHaveLength(1)
  })

  test('duplicates: the last one is kept', () => {
    const r = build(pod('a', 'x', '{ v: one }'), pod('a', 'x', '{ v: two }'))
    expect(r.cluster.pods.map((p) => p.labels.v)).toEqual(['two'])
    expect(r.notes).toContainEqual({ code: 'duplicate_object', kind: 'Pod', namespace: 'x', name: 'a' })
  })

  test('duplicates: an invalid last one removes the object and is reported', () => {
    const r = build(np('p', 'x'), np('p', 'x', '{ policyTypes: [Sideways] }'))
    expect(r.cluster.policies).toEqual([])
    expect(r.issues.map((i) => i.issue.code)).toEqual(['invalid_policy_type'])
  })

  test('finished pods are skipped with a note', () => {
    const r = build(pod('done', 'x', '{}', 'status: { phase: Succeeded, podIP: 10.0.0.1 }'), pod('bad', 'x', '{}', 'status: { phase: Failed }'), pod('run', 'x', '{}', 'status: { phase: Running }'))
    expect(r.cluster.pods.map((p) => p.name)).toEqual(['run'])
    expect(r.notes.filter((n) => n.code === 'pod_not_running_skipped').map((n) => n.code === 'pod_not_running_skipped' && n.phase)).toEqual(['Succeeded', 'Failed'])
  })

  test('pods and policies come out sorted by namespace, then name', () => {
    const r = build(pod('b', 'y'), pod('a', 'y'), pod('z', 'x'), np('q', 'y'), np('p', 'y'), np('r', 'a'))
    expect(r.cluster.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['x/z', 'y/a', 'y/b'])
    expect(r.cluster.policies.map((p) => `${p.namespace}/${p.name}`)).toEqual(['a/r', 'y/p', 'y/q'])
  })

  test('objects carry their source', () => {
    const r = build(pod('a', 'x'), np('p', 'x'))
    expect(r.cluster.pods[0]!.source).toEqual({ file: 'in.yaml', doc: 0 })
    expect(r.cluster.policies[0]!.source).toEqual({ file: 'in.yaml', doc: 1 })
  })
})

describe('workload templates', () => {
  test('a template stands for its pods when there are none', () => {
    const r = build(deploy('web', 'shop', '{ app: web }'))
    expect(r.cluster.pods).toMatchObject([{ namespace: 'shop', name: 'web', labels: { app: 'web' }, ips: [], template: { kind: 'Deployment', name: 'web' } }])
  })

  test('a template is skipped when real pods match its selector', () => {
    const r = build(deploy('web', 'shop', '{ app: web }'), pod('web-7d9f-abcde', 'shop', '{ app: web, pod-template-hash: 7d9f }'))
    expect(r.cluster.pods.map((p) => p.name)).toEqual(['web-7d9f-abcde'])
    expect(r.notes).toContainEqual({ code: 'template_skipped_pods_present', kind: 'Deployment', namespace: 'shop', name: 'web' })
  })

  test('pods of another namespace do not count', () => {
    const r = build(deploy('web', 'shop', '{ app: web }'), pod('web-1', 'other', '{ app: web }'))
    expect(r.cluster.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['other/web-1', 'shop/web'])
  })

  test('name clashes: the template gets its kind appended', () => {
    const r = build(deploy('web', 'shop', '{ app: web }'), pod('web', 'shop', '{ app: other }'), deploy('db', 'shop', '{ app: db }', 'StatefulSet'), deploy('db', 'shop', '{ app: db2 }', 'DaemonSet'))
    expect(r.cluster.pods.map((p) => `${p.name}:${p.template?.kind ?? 'Pod'}`)).toEqual(['db-daemonset:DaemonSet', 'db-statefulset:StatefulSet', 'web:Pod', 'web-deployment:Deployment'])
    expect(r.cluster.pods.find((p) => p.name === 'web-deployment')!.template).toEqual({ kind: 'Deployment', name: 'web', replicas: 1 })
  })

  test('a CronJob without selector matches real pods by template labels', () => {
    const cron = 'apiVersion: batch/v1\nkind: CronJob\nmetadata: { name: report, namespace: ops }\nspec:\n  schedule: "0 * * * *"\n  jobTemplate:\n    spec:\n      template:\n        metadata: { labels: { job: report } }\n        spec: { containers: [ { name: c } ] }'
    expect(build(cron).cluster.pods.map((p) => p.name)).toEqual(['report'])
    expect(build(cron, pod('report-123', 'ops', '{ job: report }')).cluster.pods.map((p) => p.name)).toEqual(['report-123'])
  })
})

describe('issues', () => {
  test.each<{ name: string; text: string; want: [string, string][] }>([
    { name: 'kind missing', text: 'apiVersion: v1\nmetadata: { name: a }', want: [['required', 'kind']] },
    { name: 'kind not a string', text: 'apiVersion: v1\nkind: 3\nmetadata: { name: a }', want: [['wrong_type', 'kind']] },
    { name: 'apiVersion missing', text: 'kind: Pod\nmetadata: { name: a }', want: [['required', 'apiVersion']] },
    { name: 'apiVersion not a string', text: 'apiVersion: 1\nkind: Pod\nmetadata: { name: a }', want: [['wrong_type', 'apiVersion']] },
    { name: 'a document that is a string', text: 'just text', want: [['not_an_object', '']] },
    { name: 'a List item that is a number', text: 'kind: List\nitems: [ 3 ]', want: [['not_an_object', 'items[0]']] },
    { name: 'a List item is reported with its path', text: 'kind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: { name: A }', want: [['invalid_name', 'items[0].metadata.name']] },
  ])('$name', ({ text, want }) => {
    expect(build(text).issues.map((i) => [i.issue.code, toDotPath(i.issue.path)])).toEqual(want)
  })

  test('issues of every object are collected, with file, document and object', () => {
    const r = build(pod('ok', 'x'), np('p', 'shop', '{ ingress: [ { from: [ {} ] } ] }'), pod('Bad', 'x'))
    expect(r.issues).toEqual([
      { file: 'in.yaml', doc: 1, object: { kind: 'NetworkPolicy', namespace: 'shop', name: 'p' }, issue: { code: 'peer_empty', path: ['spec', 'ingress', 0, 'from', 0] } },
      { file: 'in.yaml', doc: 2, object: { kind: 'Pod', namespace: 'x', name: 'Bad' }, issue: expect.objectContaining({ code: 'invalid_name', path: ['metadata', 'name'] }) },
    ])
    expect(r.cluster.pods.map((p) => p.name)).toEqual(['ok'])
  })
})

describe('scale', () => {
  test('20,000 objects of every kind build without issues (timing lives in bench/)', () => {
    const docs = []
    for (let i = 0; i < 20_000; i++) {
      const namespace = `ns-${i % 50}`
      const value =
        i % 4 === 0
          ? { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `p-${i}`, namespace }, spec: { podSelector: { matchLabels: { app: `a${i % 100}` } }, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 80 }, { port: 'http' }] }] } }
          : i % 4 === 1
            ? { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `d-${i}`, namespace }, spec: { selector: { matchLabels: { app: `a${i}` } }, template: { metadata: { labels: { app: `a${i}`, tier: 'web' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080, name: 'http' }] }] } } } }
            : { apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}`, namespace, labels: { app: `a${i % 100}`, tier: 'web', 'example.com/team': 'blue' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }] }] }, status: { podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` } }
      docs.push({ file: 'big.yaml', doc: i, pathPrefix: [], value })
    }
    const r = buildCluster(docs)
    expect(r.issues).toEqual([])
    expect(r.cluster.pods.length).toBe(15_000)
  })
})

describe('cluster policies and nodes', () => {
  const cnp = (name: string, tier: string, priority: number, extra = '') =>
    `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: { name: ${name}${extra} }\nspec: { tier: ${tier}, priority: ${priority}, subject: { namespaces: {} } }`
  const node = (name: string, ip: string) => `apiVersion: v1\nkind: Node\nmetadata: { name: ${name} }\nstatus: { addresses: [ { type: InternalIP, address: ${ip} } ] }`

  test('sorted: Admin tier first, each tier by priority then name; nodes by name', () => {
    const r = build(cnp('z', 'Baseline', 1), cnp('b', 'Admin', 5), cnp('a', 'Admin', 5), cnp('c', 'Admin', 1), node('n2', '10.0.0.2'), node('n1', '10.0.0.1'))
    expect(r.issues).toEqual([])
    expect(r.cluster.clusterPolicies.map((p) => p.name)).toEqual(['c', 'a', 'b', 'z'])
    expect(r.cluster.nodes.map((n) => n.name)).toEqual(['n1', 'n2'])
  })

  test('cluster-scoped: a metadata.namespace is ignored, as the API server clears it; a duplicate replaces the first', () => {
    const r = build(cnp('a', 'Admin', 5, ', namespace: x'), cnp('a', 'Admin', 7), node('n1', '10.0.0.1'), node('n1', '10.0.0.9'))
    expect(r.issues).toEqual([])
    expect(r.cluster.clusterPolicies.map((p) => `${p.name} ${p.priority}`)).toEqual(['a 7'])
    expect(r.cluster.nodes.map((n) => n.addresses[0]!.text)).toEqual(['10.0.0.9'])
    expect(r.notes).toEqual([
      { code: 'duplicate_object', kind: 'ClusterNetworkPolicy', namespace: '', name: 'a' },
      { code: 'duplicate_object', kind: 'Node', namespace: '', name: 'n1' },
    ])
    // no namespace is created for it
    expect(r.cluster.namespaces.size).toBe(0)
  })

  test('a CNP and an ANP of one name are two objects', () => {
    const anp = 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: { name: a }\nspec: { priority: 5, subject: { namespaces: {} } }'
    const r = build(cnp('a', 'Admin', 5), anp)
    expect(r.issues).toEqual([])
    expect(r.cluster.clusterPolicies.map((p) => p.kind)).toEqual(['AdminNetworkPolicy', 'ClusterNetworkPolicy'])
  })

  test('an invalid cluster policy is left out, with its issues located on the object', () => {
    const r = build(cnp('a', 'Middle', 5))
    expect(r.cluster.clusterPolicies).toEqual([])
    expect(r.issues.map((i) => [i.object, toDotPath(i.issue.path), i.issue.code])).toEqual([[{ kind: 'ClusterNetworkPolicy', name: 'a' }, 'spec.tier', 'unsupported_value']])
  })
})
