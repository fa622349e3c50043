/**
 * The checks about cluster policies (NP018–NP021), one table per check: each case fires or does not, on builders.
 * A case's `want` holds one substring per expected finding, in order ("Kind name path: message").
 */
import { describe, expect, test } from 'vitest'
import type { Cluster } from '../../model/cluster.js'
import type { ClusterPolicy } from '../../model/cluster-policy.js'
import { toDotPath } from '../../model/issues.js'
import type { NetworkPolicy } from '../../model/policy.js'
import { cluster, namespace, pod, policy, sel } from '../../../test/builders.js'
import { anp, banp, cnamed, cnp, cport, crule, domains, inNs, namespaces, networks, node, nodes, nsSubject, pods, podSubject } from '../../../test/cluster-policy-builders.js'
import { createContext } from './context.js'
import { formatObject, partsText, type Draft } from './finding.js'
import { CHECKS } from './index.js'

const web = pod('front/web', { app: 'web' }, { ips: ['10.0.1.1'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] })
const api = pod('back/api', { app: 'api' }, { ips: ['10.0.2.1'], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] })
const db = pod('back/db', { app: 'db' }, { ips: ['10.0.2.2'] })
const agent = pod('back/agent', { app: 'agent' }, { ips: ['192.168.0.10'], hostNetwork: true })
const nss = [namespace('front', { team: 'web' }), namespace('back', { team: 'core' })]
const theNodes = [node('n1', { role: 'infra' }, ['192.168.0.10'])]

function c(clusterPolicies: ClusterPolicy[], policies: NetworkPolicy[] = []): Cluster {
  return cluster({ namespaces: nss, pods: [web, api, db, agent], policies, clusterPolicies, nodes: theNodes })
}

function run(id: string, input: Cluster): string[] {
  const r = CHECKS.find((x) => x.id === id)!.run(createContext(input)) as Draft[]
  return r.map((d) => `${formatObject(d.object)} ${toDotPath(d.path)}: ${partsText(d.message)}`)
}

interface Case {
  name: string
  c: Cluster
  /** per finding: a substring of it, or several */
  want: (string | string[])[]
}

const back = nsSubject(inNs('back'))
const front = nsSubject(inNs('front'))
const fromFront = namespaces(inNs('front'))

function table(id: string, cases: Case[]) {
  describe(id, () => {
    test.each(cases)('$name', ({ c: input, want }) => {
      const got = run(id, input)
      expect(got).toHaveLength(want.length)
      want.forEach((w, i) => (Array.isArray(w) ? w : [w]).forEach((x) => expect(got[i]).toContain(x)))
    })
  })
}

table('NP018', [
  {
    name: 'same priority, overlapping rules, different actions',
    c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Deny', [fromFront])] }), cnp('b', 'Admin', 10, { subject: back, ingress: [crule('Accept', [pods(inNs('front'), sel({ app: 'web' }))], 'any', 'web')] })]),
    want: [
      'ClusterNetworkPolicy b spec.ingress[0]: [Admin] cnp/b priority 10 ingress[0] "web" Accept and [Admin] cnp/a priority 10 ingress[0] Deny have the same priority and both match some connections (e.g. from front/web to back/api on any port) with different actions; the API leaves the order of equal priorities undefined: netpol evaluates cnp/a first (by name, then kind), so Deny decides them, but other implementations may take cnp/b first and Accept',
    ],
  },
  {
    name: 'the example is between two pods, not a pod and itself',
    c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Deny', [namespaces(inNs('back'))])] }), cnp('b', 'Admin', 10, { subject: back, ingress: [crule('Accept', [namespaces(inNs('back'))])] })]),
    want: ['(e.g. from back/api to back/db on any port)'],
  },
  { name: 'distinct priorities', c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Deny', [fromFront])] }), cnp('b', 'Admin', 11, { subject: back, ingress: [crule('Accept', [fromFront])] })]), want: [] },
  { name: 'same action', c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Deny', [fromFront])] }), cnp('b', 'Admin', 10, { subject: back, ingress: [crule('Deny', [fromFront])] })]), want: [] },
  { name: 'different tiers', c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Deny', [fromFront])] }), cnp('b', 'Baseline', 10, { subject: back, ingress: [crule('Accept', [fromFront])] })]), want: [] },
  { name: 'disjoint ports', c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Deny', [fromFront], [cport(80)])] }), cnp('b', 'Admin', 10, { subject: back, ingress: [crule('Accept', [fromFront], [cport(443)])] })]), want: [] },
  { name: 'disjoint subjects', c: c([cnp('a', 'Admin', 10, { subject: front, ingress: [crule('Deny', [namespaces()])] }), cnp('b', 'Admin', 10, { subject: back, ingress: [crule('Accept', [namespaces()])] })]), want: [] },
  { name: 'disjoint peers', c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Deny', [fromFront])] }), cnp('b', 'Admin', 10, { subject: back, ingress: [crule('Accept', [namespaces(inNs('back'))])] })]), want: [] },
  {
    name: 'an earlier rule of the same policy takes the overlap first',
    c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Accept', [fromFront]), crule('Deny', [namespaces()])] }), cnp('b', 'Admin', 10, { subject: back, ingress: [crule('Accept', [fromFront])] })]),
    want: [],
  },
  {
    name: 'Pass and Deny differ; an ANP and a CNP of one name: the ANP first (kind)',
    c: c([cnp('x', 'Admin', 5, { subject: back, egress: [crule('Pass', [networks('0.0.0.0/0')])] }), anp('x', 5, { subject: back, egress: [crule('Deny', [namespaces()])] })]),
    want: [['ClusterNetworkPolicy x spec.egress[0]: [Admin] cnp/x priority 5 egress[0] Pass and [Admin] anp/x priority 5 egress[0] Deny', 'netpol evaluates anp/x first (by name, then kind), so Deny decides them']],
  },
  {
    name: 'domainNames may be any outside address',
    c: c([cnp('a', 'Admin', 10, { subject: back, egress: [crule('Accept', [domains('*.example.com')])] }), cnp('b', 'Admin', 10, { subject: back, egress: [crule('Deny', [networks('0.0.0.0/0')])] })]),
    want: ['ClusterNetworkPolicy b spec.egress[0]: [Admin] cnp/b priority 10 egress[0] Deny and [Admin] cnp/a priority 10 egress[0] Accept have the same priority and both match some connections (e.g. from back/api to address 0.0.0.0 on any port)'],
  },
  {
    name: 'Baseline CNPs of equal priority too',
    c: c([cnp('a', 'Baseline', 1, { subject: back, ingress: [crule('Deny', [fromFront])] }), cnp('b', 'Baseline', 1, { subject: back, ingress: [crule('Accept', [fromFront])] })]),
    want: ['[Baseline] cnp/b priority 1 ingress[0] Accept and [Baseline] cnp/a priority 1 ingress[0] Deny'],
  },
])

table('NP019', [
  {
    name: 'an earlier rule of the same policy decides all it matches',
    c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Deny', [namespaces()]), crule('Accept', [fromFront], 'any', 'web')] })]),
    want: ['ClusterNetworkPolicy a spec.ingress[1]: [Admin] cnp/a priority 10 ingress[1] "web" Accept can never act: every connection it matches (e.g. from front/web to back/api on any port) is decided first by [Admin] cnp/a priority 10 ingress[0] Deny, and any action ends the evaluation of the tier for a connection'],
  },
  {
    name: 'an earlier policy of the tier decides all it matches; a Pass decides too',
    c: c([cnp('a', 'Admin', 10, { subject: nsSubject(sel()), ingress: [crule('Pass', [namespaces()])] }), anp('b', 20, { subject: back, ingress: [crule('Deny', [pods(inNs('front'), sel({ app: 'web' }))])] })]),
    want: [['AdminNetworkPolicy b spec.ingress[0]: [Admin] anp/b priority 20 ingress[0] Deny can never act', 'is decided first by [Admin] cnp/a priority 10 ingress[0] Pass']],
  },
  { name: 'a policy of the same priority decides first: the order is undefined (NP018)', c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Deny', [namespaces()])] }), cnp('b', 'Admin', 10, { subject: back, ingress: [crule('Accept', [fromFront])] })]), want: [] },
  { name: 'a port the earlier rule leaves open', c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Deny', [namespaces()], [cport(80)]), crule('Accept', [fromFront], [cport(80, 'TCP', 81)])] })]), want: [] },
  { name: 'a subject the earlier policy does not select', c: c([cnp('a', 'Admin', 10, { subject: front, ingress: [crule('Deny', [namespaces()])] }), cnp('b', 'Admin', 20, { subject: nsSubject(sel()), ingress: [crule('Accept', [namespaces()])] })]), want: [] },
  { name: 'another tier is not an earlier rule', c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Deny', [namespaces()])] }), banp({ subject: back, ingress: [crule('Deny', [namespaces()])] })]), want: [] },
  {
    name: 'networks: a pod address and every outside address inside the earlier CIDR',
    c: c([cnp('a', 'Admin', 10, { subject: back, egress: [crule('Deny', [networks('0.0.0.0/0')]), crule('Accept', [networks('10.0.0.0/8')])] })]),
    want: ['ClusterNetworkPolicy a spec.egress[1]: [Admin] cnp/a priority 10 egress[1] Accept can never act'],
  },
  { name: 'networks: an address the earlier CIDR leaves out', c: c([cnp('a', 'Admin', 10, { subject: back, egress: [crule('Deny', [networks('10.0.0.0/16')]), crule('Accept', [networks('10.0.0.0/8')])] })]), want: [] },
  { name: 'domainNames decide nothing for sure', c: c([cnp('a', 'Admin', 10, { subject: back, egress: [crule('Accept', [domains('example.com')]), crule('Deny', [networks('0.0.0.0/0')])] })]), want: [] },
  { name: 'domainNames: an IPv6 address outside 0.0.0.0/0', c: c([cnp('a', 'Admin', 10, { subject: back, egress: [crule('Deny', [networks('0.0.0.0/0')]), crule('Accept', [domains('example.com')])] })]), want: [] },
  {
    name: 'domainNames after every address of both families',
    c: c([cnp('a', 'Admin', 10, { subject: back, egress: [crule('Deny', [networks('0.0.0.0/0', '::/0')]), crule('Accept', [domains('example.com')])] })]),
    want: ['egress[1] Accept can never act'],
  },
  { name: 'a named port resolves per subject: 8080 is http on front/web only', c: c([cnp('a', 'Admin', 10, { subject: nsSubject(sel()), ingress: [crule('Deny', [namespaces()], [cnamed('http')]), crule('Accept', [namespaces()], [cport(8080)])] })]), want: [] },
  {
    name: 'a named port on the one subject that has it',
    c: c([cnp('a', 'Admin', 10, { subject: front, ingress: [crule('Deny', [namespaces()], [cnamed('http')]), crule('Accept', [namespaces()], [cport(8080)])] })]),
    want: ['ingress[1] Accept can never act'],
  },
  { name: 'nodes reach what pods peers do not (the hostNetwork pod, the node)', c: c([cnp('a', 'Admin', 10, { subject: back, egress: [crule('Deny', [namespaces()]), crule('Accept', [nodes()])] })]), want: [] },
  { name: 'a rule that matches nothing is not shadowed (NP022 says so)', c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Deny', [namespaces()]), crule('Accept', [namespaces(sel({ team: 'nobody' }))])] })]), want: [] },
])

table('NP020', [
  {
    name: 'no NetworkPolicy, no Baseline: the Pass allows',
    c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Pass', [fromFront])] })]),
    want: ['ClusterNetworkPolicy a spec.ingress[0]: [Admin] cnp/a priority 10 ingress[0] Pass allows as an Accept would for every pod whose connections it passes (back/api and back/db): no NetworkPolicy isolates them for ingress and no Baseline rule denies those connections, so the default allows them'],
  },
  { name: 'a NetworkPolicy isolates every subject', c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Pass', [fromFront])] })], [policy('back', 'deny-in')]), want: [] },
  {
    name: 'a NetworkPolicy isolates some',
    c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Pass', [fromFront])] })], [policy('back', 'api-in', { podSelector: sel({ app: 'api' }) })]),
    want: ['Pass allows as an Accept would for 1 of the pods whose connections it passes (back/db): no NetworkPolicy isolates it for ingress'],
  },
  { name: 'an egress NetworkPolicy does not isolate ingress', c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Pass', [fromFront])] })], [policy('back', 'eg', { ingress: null, egress: [] })]), want: ['Pass allows as an Accept would for every pod'] },
  { name: 'a Baseline Deny stands behind', c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Pass', [fromFront])] }), banp({ ingress: [crule('Deny', [namespaces()])] })]), want: [] },
  { name: 'a Baseline Accept allows as the default does', c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Pass', [fromFront])] }), banp({ ingress: [crule('Accept', [namespaces()])] })]), want: ['Pass allows as an Accept would for every pod'] },
  { name: 'a Baseline Deny on other ports only', c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Pass', [fromFront], [cport(80)])] }), banp({ ingress: [crule('Deny', [namespaces()], [cport(443)])] })]), want: ['Pass allows as an Accept would'] },
  { name: 'a Pass that never acts is NP019\'s', c: c([cnp('a', 'Admin', 10, { subject: back, egress: [crule('Deny', [namespaces()]), crule('Pass', [fromFront])] })]), want: [] },
  { name: 'egress', c: c([anp('a', 10, { subject: front, egress: [crule('Pass', [networks('0.0.0.0/0')])] })]), want: ['AdminNetworkPolicy a spec.egress[0]: [Admin] anp/a priority 10 egress[0] Pass allows as an Accept would for every pod whose connections it passes (front/web): no NetworkPolicy isolates it for egress'] },
])

table('NP021', [
  {
    name: 'every pod of the subject isolated for the direction',
    c: c([cnp('base', 'Baseline', 10, { subject: back, ingress: [crule('Deny', [namespaces()], 'any', 'no-in')] })], [policy('back', 'deny-in')]),
    want: ['ClusterNetworkPolicy base spec.ingress[0]: [Baseline] cnp/base priority 10 ingress[0] "no-in" Deny is never consulted: every pod its policy selects (2 pods: back/api and back/db) is isolated for ingress by a NetworkPolicy (back/deny-in), whose answer is final for the pods it isolates'],
  },
  { name: 'one pod not isolated', c: c([cnp('base', 'Baseline', 10, { subject: back, ingress: [crule('Deny', [namespaces()])] })], [policy('back', 'api-in', { podSelector: sel({ app: 'api' }) })]), want: [] },
  { name: 'isolated for the other direction only', c: c([cnp('base', 'Baseline', 10, { subject: back, ingress: [crule('Deny', [namespaces()])] })], [policy('back', 'eg', { ingress: null, egress: [] })]), want: [] },
  { name: 'an Accept is not a Deny', c: c([cnp('base', 'Baseline', 10, { subject: back, ingress: [crule('Accept', [namespaces()])] })], [policy('back', 'deny-in')]), want: [] },
  { name: 'the Admin tier is not the Baseline', c: c([cnp('adm', 'Admin', 10, { subject: back, ingress: [crule('Deny', [namespaces()])] })], [policy('back', 'deny-in')]), want: [] },
  {
    name: 'the BaselineAdminNetworkPolicy, egress',
    c: c([banp({ subject: back, egress: [crule('Deny', [networks('0.0.0.0/0')])] })], [policy('back', 'eg', { ingress: null, egress: [] })]),
    want: ['BaselineAdminNetworkPolicy default spec.egress[0]: [Baseline] banp/default egress[0] Deny is never consulted'],
  },
  { name: 'a subject that selects no pod', c: c([cnp('base', 'Baseline', 10, { subject: nsSubject(inNs('nowhere')), ingress: [crule('Deny', [namespaces()])] })], [policy('back', 'deny-in')]), want: [] },
])

table('NP022', [
  {
    name: 'a subject namespace selector with a typo',
    c: c([cnp('a', 'Admin', 10, { subject: nsSubject(sel({ team: 'cor' })), ingress: [crule('Deny', [namespaces()])] })]),
    want: ['ClusterNetworkPolicy a spec.subject.namespaces: this subject matches no namespace: no namespace has team=cor; did you mean team=core (1 namespace)?'],
  },
  {
    name: 'a subject pod selector with a typo',
    c: c([cnp('a', 'Admin', 10, { subject: podSubject(inNs('back'), sel({ app: 'apii' })), ingress: [crule('Deny', [namespaces()])] })]),
    want: ['ClusterNetworkPolicy a spec.subject.pods.podSelector: this subject selects no pod: no pod in back has app=apii; did you mean app=api (1 pod)?'],
  },
  {
    name: 'only host-network pods: never subjects',
    c: c([cnp('a', 'Admin', 10, { subject: podSubject(inNs('back'), sel({ app: 'agent' })), ingress: [crule('Deny', [namespaces()])] })]),
    want: ['spec.subject.pods.podSelector: this subject selects no pod: no pod in back has app=agent'],
  },
  {
    name: 'peers: pods, namespaces, nodes',
    c: c([cnp('a', 'Admin', 10, { subject: back, ingress: [crule('Deny', [pods(inNs('front'), sel({ app: 'wbe' })), namespaces(sel({ team: 'wev' }))])], egress: [crule('Accept', [nodes(sel({ role: 'infa' }))])] })]),
    want: [
      'ClusterNetworkPolicy a spec.ingress[0].from[0].pods.podSelector: this peer admits no pod: no pod in front has app=wbe; did you mean app=web (1 pod)?',
      'ClusterNetworkPolicy a spec.ingress[0].from[1].namespaces: this peer matches no namespace: no namespace has team=wev; did you mean team=web (1 namespace)?',
      'ClusterNetworkPolicy a spec.egress[0].to[0].nodes: this peer matches no Node: no Node has role=infa; did you mean role=infra (1 Node)?',
    ],
  },
  { name: 'everything selects something', c: c([cnp('a', 'Admin', 10, { subject: podSubject(inNs('back'), sel({ app: 'api' })), ingress: [crule('Deny', [pods(inNs('front'), sel({ app: 'web' }))])], egress: [crule('Accept', [nodes(sel({ role: 'infra' })), networks('10.0.0.0/8'), domains('a.io')])] })]), want: [] },
  {
    name: 'a namespace without pods is not judged',
    c: cluster({ namespaces: [...nss, namespace('empty')], pods: [web], clusterPolicies: [cnp('a', 'Admin', 10, { subject: front, ingress: [crule('Deny', [pods(inNs('empty'), sel({ app: 'x' }))])] })] }),
    want: [],
  },
  {
    name: 'no Node objects: nodes peers are not judged',
    c: cluster({ namespaces: nss, pods: [web], clusterPolicies: [cnp('a', 'Admin', 10, { subject: front, egress: [crule('Accept', [nodes(sel({ role: 'x' }))])] })] }),
    want: [],
  },
])

table('NP023', [
  {
    name: 'an allowlist with nothing refused after it',
    c: c([cnp('a', 'Admin', 10, { subject: back, egress: [crule('Accept', [domains('example.com', '*.example.org')], 'any', 'allowlist')] })]),
    want: ['ClusterNetworkPolicy a spec.egress[0].to: [Admin] cnp/a priority 10 egress[0] "allowlist" Accept accepts domainNames (example.com and *.example.org) but no Deny to networks comes after it for these pods'],
  },
  { name: 'a Deny to networks later in the policy', c: c([cnp('a', 'Admin', 10, { subject: back, egress: [crule('Accept', [domains('example.com')]), crule('Deny', [networks('0.0.0.0/0')])] })]), want: [] },
  { name: 'in a later policy of the tier for the same pods', c: c([cnp('a', 'Admin', 10, { subject: back, egress: [crule('Accept', [domains('example.com')])] }), cnp('z', 'Admin', 20, { subject: nsSubject(sel()), egress: [crule('Deny', [networks('0.0.0.0/0')])] })]), want: [] },
  { name: 'in the Baseline tier', c: c([cnp('a', 'Admin', 10, { subject: back, egress: [crule('Accept', [domains('example.com')])] }), banp({ egress: [crule('Deny', [networks('0.0.0.0/0')])] })]), want: [] },
  { name: 'a Deny before the rule does not count', c: c([cnp('a', 'Admin', 10, { subject: back, egress: [crule('Deny', [networks('192.0.2.0/24')]), crule('Accept', [domains('example.com')])] })]), want: ['egress[1] Accept accepts domainNames'] },
  { name: 'a later Deny for other pods does not count', c: c([cnp('a', 'Admin', 10, { subject: back, egress: [crule('Accept', [domains('example.com')])] }), cnp('z', 'Admin', 20, { subject: front, egress: [crule('Deny', [networks('0.0.0.0/0')])] })]), want: ['egress[0] Accept accepts domainNames'] },
])

test('no cluster policies: the tier checks compute nothing and find nothing', () => {
  const ctx = createContext(cluster({ namespaces: nss, pods: [web, api] }))
  for (const id of ['NP018', 'NP019', 'NP020', 'NP021', 'NP022', 'NP023']) expect(CHECKS.find((x) => x.id === id)!.run(ctx)).toEqual([])
  expect(ctx.tiers).toBeNull()
})
