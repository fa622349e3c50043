/**
 * The checks about cluster policies on YAML as users write it (both API versions): each case adds cluster policies
 * to a small cluster and says which checks fire, at which field.
 */
import { describe, expect, test } from 'vitest'
import { buildCluster } from '../../model/build-cluster.js'
import { splitDocuments } from '../../model/documents.js'
import { toDotPath } from '../../model/issues.js'
import { lintCluster } from './index.js'

const BASE = `
apiVersion: v1
kind: Namespace
metadata: {name: web, labels: {env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: db, labels: {env: prod}}
---
apiVersion: v1
kind: Pod
metadata: {name: frontend-1, namespace: web, labels: {app: frontend}}
spec: {containers: [{name: main, image: example/frontend}]}
status: {phase: Running, podIP: 10.244.1.10, podIPs: [{ip: 10.244.1.10}]}
---
apiVersion: v1
kind: Pod
metadata: {name: postgres-0, namespace: db, labels: {app: postgres}}
spec: {containers: [{name: main, image: postgres, ports: [{name: pg, containerPort: 5432}]}]}
status: {phase: Running, podIP: 10.244.2.10, podIPs: [{ip: 10.244.2.10}]}
`

const cnp = (name: string, priority: number, spec: string, tier = 'Admin') =>
  `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  tier: ${tier}\n  priority: ${priority}\n${spec}`
const anp = (name: string, priority: number, spec: string) =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  priority: ${priority}\n${spec}`
const banp = (spec: string) => `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n${spec}`
const denyNp = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-all, namespace: db}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n`

const DB = '  subject:\n    namespaces: {matchLabels: {kubernetes.io/metadata.name: db}}\n'
const fromWeb = (action: string, extra = '') => `  ingress:\n  - action: ${action}\n    from:\n    - namespaces: {matchLabels: {kubernetes.io/metadata.name: web}}\n${extra}`
const PORT_5432_V2 = '    protocols:\n    - tcp: {destinationPort: {number: 5432}}\n'
const PORT_5432_V1 = '    ports:\n    - portNumber: {protocol: TCP, port: 5432}\n'

/** `ID Kind name path` per finding of the tier checks (NP018 and up). */
function findings(docs: string[]): string[] {
  const { cluster, issues } = buildCluster(splitDocuments('t.yaml', [BASE, ...docs].join('\n---\n')).docs)
  expect(issues).toEqual([])
  return lintCluster(cluster)
    .findings.filter((f) => f.id >= 'NP018')
    .map((f) => `${f.id} ${f.object.kind} ${f.object.name} ${toDotPath(f.path)}`)
}

describe.each<{ name: string; docs: string[]; want: string[] }>([
  { name: 'NP018 fires: equal priorities, Deny and Accept', docs: [cnp('a', 5, DB + fromWeb('Deny')), cnp('b', 5, DB + fromWeb('Accept'))], want: ['NP018 ClusterNetworkPolicy b spec.ingress[0]'] },
  { name: 'NP018 does not fire: priorities differ (NP019 does)', docs: [cnp('a', 5, DB + fromWeb('Deny')), cnp('b', 6, DB + fromWeb('Accept'))], want: ['NP019 ClusterNetworkPolicy b spec.ingress[0]'] },
  { name: 'NP018 fires across API versions', docs: [anp('a', 5, DB + fromWeb('Allow')), cnp('a', 5, DB + fromWeb('Pass'))], want: ['NP018 ClusterNetworkPolicy a spec.ingress[0]'] },
  { name: 'NP019 fires: a port inside the earlier rule\'s', docs: [cnp('a', 5, DB + fromWeb('Deny')), anp('b', 6, DB + fromWeb('Allow', PORT_5432_V1))], want: ['NP019 AdminNetworkPolicy b spec.ingress[0]'] },
  { name: 'NP019 does not fire: the earlier rule leaves the port', docs: [cnp('a', 5, DB + fromWeb('Deny', PORT_5432_V2)), cnp('b', 6, DB + fromWeb('Accept'))], want: [] },
  { name: 'NP020 fires: nothing behind the Pass', docs: [cnp('a', 5, DB + fromWeb('Pass'))], want: ['NP020 ClusterNetworkPolicy a spec.ingress[0]'] },
  { name: 'NP020 does not fire: a NetworkPolicy decides', docs: [cnp('a', 5, DB + fromWeb('Pass')), denyNp], want: [] },
  { name: 'NP020 does not fire: the BANP denies', docs: [cnp('a', 5, DB + fromWeb('Pass')), banp(DB + fromWeb('Deny'))], want: [] },
  { name: 'NP021 fires: the BANP Deny behind a NetworkPolicy', docs: [banp(DB + fromWeb('Deny')), denyNp], want: ['NP021 BaselineAdminNetworkPolicy default spec.ingress[0]'] },
  { name: 'NP021 does not fire: no NetworkPolicy', docs: [cnp('base', 5, DB + fromWeb('Deny'), 'Baseline')], want: [] },
  {
    name: 'NP022 fires: a subject with a typo',
    docs: [cnp('a', 5, '  subject:\n    pods:\n      namespaceSelector: {}\n      podSelector: {matchLabels: {app: postgress}}\n' + fromWeb('Deny'))],
    want: ['NP022 ClusterNetworkPolicy a spec.subject.pods.podSelector'],
  },
  { name: 'NP022 does not fire', docs: [cnp('a', 5, '  subject:\n    pods:\n      namespaceSelector: {}\n      podSelector: {matchLabels: {app: postgres}}\n' + fromWeb('Deny'))], want: [] },
  {
    name: 'NP023 fires: an allowlist alone',
    docs: [cnp('a', 5, DB + '  egress:\n  - action: Accept\n    to:\n    - domainNames: [api.example.com]\n')],
    want: ['NP023 ClusterNetworkPolicy a spec.egress[0].to'],
  },
  {
    name: 'NP023 does not fire: a Deny follows',
    docs: [cnp('a', 5, DB + '  egress:\n  - action: Accept\n    to:\n    - domainNames: [api.example.com]\n  - action: Deny\n    to:\n    - networks: [0.0.0.0/0]\n')],
    want: [],
  },
])('$name', ({ docs, want }) => {
  test('findings', () => expect(findings(docs)).toEqual(want))
})

test('the netpol.dev/lint-ignore annotation on a cluster policy in YAML suppresses its findings', () => {
  const annotated = cnp('b', 6, DB + fromWeb('Accept')).replace('metadata: {name: b}', "metadata: {name: b, annotations: {netpol.dev/lint-ignore: 'NP019'}}")
  const { cluster, issues } = buildCluster(splitDocuments('t.yaml', [BASE, cnp('a', 5, DB + fromWeb('Deny')), annotated].join('\n---\n')).docs)
  expect(issues).toEqual([])
  const result = lintCluster(cluster)
  expect(result.findings.filter((f) => f.id === 'NP019')).toEqual([])
  expect(result.suppressed.map((f) => `${f.id} ${f.object.name} ${f.suppressed?.by}`)).toEqual(['NP019 b annotation'])
})
