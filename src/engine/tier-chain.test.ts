/**
 * The tier chain, one case per sentence of the semantics (Admin tier → NetworkPolicy tier → Baseline tier →
 * default), each quoting the API text it holds the engine to.
 */
import { describe, expect, test } from 'vitest'
import { cluster, ip, namespace, pod, policy, rule, sel } from '../../test/builders.js'
import { anp, banp, cnamed, cnp, cport, crule, domains, inNs, namespaces, networks, node, nodes, nsSubject, podSubject, pods } from '../../test/cluster-policy-builders.js'
import type { ClusterPolicy } from '../model/cluster-policy.js'
import { formatClusterRef } from '../model/cluster-policy.js'
import { formatRef, type NetworkPolicy } from '../model/policy.js'
import { indexCluster } from './cluster-index.js'
import { podEndpoint } from './endpoint.js'
import { evaluateFlow } from './evaluate.js'
import type { NameResolution } from './name-resolution.js'
import { dependsOnDns, type ClusterStep, type Endpoint, type SideVerdict, type Verdict } from './verdict.js'

const web = pod('front/web', { app: 'web' }, { ips: ['10.0.1.1'], hostIPs: ['192.168.0.10'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] })
const api = pod('back/api', { app: 'api' }, { ips: ['10.0.2.1'], hostIPs: ['192.168.0.10'], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] })
const db = pod('back/db', { app: 'db' }, { ips: ['10.0.2.2'], hostIPs: ['192.168.0.11'] })
const agent = pod('back/agent', { app: 'agent' }, { ips: ['192.168.0.11'], hostIPs: ['192.168.0.11'], hostNetwork: true })
const worker = pod('back/worker', { app: 'worker' }, { template: { kind: 'Deployment', name: 'worker', replicas: 3 } })
const solo = pod('back/solo', { app: 'solo' }, { template: { kind: 'Deployment', name: 'solo', replicas: 1 } })
const nss = [namespace('front', { team: 'web' }), namespace('back', { team: 'core' })]
const theNodes = [node('n1', { role: 'infra' }, ['192.168.0.10']), node('n2', { role: 'worker' }, ['192.168.0.11'])]

function verdict(cps: ClusterPolicy[], nps: NetworkPolicy[], from: string, to: string, p = 80, protocol: 'TCP' | 'UDP' | 'SCTP' = 'TCP', resolution?: NameResolution): Verdict {
  const c = cluster({ namespaces: nss, pods: [web, api, db, agent, worker, solo], policies: nps, clusterPolicies: cps, nodes: theNodes })
  const end = (e: string): Endpoint => {
    const found = c.pods.find((x) => `${x.namespace}/${x.name}` === e)
    return found ? podEndpoint(found, 4) : { kind: 'ip', ip: ip(e) }
  }
  return evaluateFlow(indexCluster(c), { from: end(from), to: end(to), port: p, protocol }, resolution ? { resolution } : {})
}

/** A side as its steps: "Admin cnp/x[0] Deny", "NP allowed", "Baseline banp/default[1] Accept", … */
function steps(v: SideVerdict): string {
  const s = (x: ClusterStep) => `${x.tier} ${formatClusterRef(x.policy)}[${x.rule}] ${x.action}`
  switch (v.kind) {
    case 'admin':
      return s(v.step)
    case 'admin-pass':
      return `${s(v.pass)} → ${steps(v.then)}`
    case 'baseline':
      return s(v.step)
    case 'allowed':
      return `NP allowed by ${v.allowedBy.map((h) => formatRef(h.policy)).join(',')}`
    case 'denied':
      return `NP denied`
    case 'dns':
      return `dns ${v.names.join(',')}? ${steps(v.ifResolved)} : ${steps(v.otherwise)}`
    default:
      return v.kind
  }
}

const denyAllIn = (name = 'deny-in', priority = 10) => cnp(name, 'Admin', priority, { ingress: [crule('Deny', [namespaces()])] })
const npAllowIn = policy('back', 'allow-in', { ingress: [rule()] })
const npDenyIn = policy('back', 'deny-in')

describe('the order of the tiers', () => {
  test.each([
    // 1. "a pod reaching its own IP": no tier is consulted
    { name: 'a pod reaching itself is allowed under an Admin Deny', cps: [cnp('d', 'Admin', 1, { egress: [crule('Deny', [networks('0.0.0.0/0')])], ingress: [crule('Deny', [namespaces()])] })], from: 'back/api', to: 'back/api', want: ['self', 'self', true] },
    { name: 'a template of one replica reaching itself is self', cps: [denyAllIn()], from: 'back/solo', to: 'back/solo', want: ['self', 'self', true] },
    { name: 'a template of several replicas to itself is one replica to another: the Admin Deny applies', cps: [denyAllIn()], from: 'back/worker', to: 'back/worker', want: ['not-isolated', 'Admin cnp/deny-in[0] Deny', false] },
    // ingress from the pod's own node: "always allowed"; no cluster ingress peer can match a node
    { name: 'ingress from the pod’s node is allowed under an Admin Deny', cps: [denyAllIn()], from: '192.168.0.10', to: 'back/api', want: ['not-a-pod', 'from-node', true] },
    // 2. "host-networked pods are not included in subject selection"
    { name: 'a hostNetwork pod is never a subject', cps: [denyAllIn()], from: 'back/api', to: 'back/agent', want: ['not-isolated', 'not-isolated', true] },
    { name: 'a hostNetwork subject still has its NetworkPolicies', cps: [denyAllIn()], nps: [policy('back', 'np', { podSelector: sel({ app: 'agent' }) })], from: 'back/api', to: 'back/agent', want: ['not-isolated', 'NP denied', false] },
    { name: 'an outside address is never a subject', cps: [cnp('e', 'Admin', 1, { egress: [crule('Deny', [networks('0.0.0.0/0')])] })], from: '8.8.8.8', to: 'back/api', want: ['not-a-pod', 'not-isolated', true] },
    // 3. Admin: "Accept: accepts the selected traffic ... no further ... rules will be processed"
    { name: 'Admin Accept wins over a NetworkPolicy that isolates and denies', cps: [cnp('a', 'Admin', 5, { ingress: [crule('Accept', [namespaces(sel({ team: 'web' }))])] })], nps: [npDenyIn], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Admin cnp/a[0] Accept', true] },
    { name: 'Admin Accept wins over the Baseline Deny', cps: [cnp('a', 'Admin', 5, { ingress: [crule('Accept', [namespaces()])] }), banp({ ingress: [crule('Deny', [namespaces()])] })], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Admin cnp/a[0] Accept', true] },
    // "Deny: drops the selected traffic. No further ClusterNetworkPolicy or NetworkPolicy rules will be processed"
    { name: 'Admin Deny wins over a NetworkPolicy that allows', cps: [denyAllIn()], nps: [npAllowIn], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Admin cnp/deny-in[0] Deny', false] },
    // "Pass: skips all further ClusterNetworkPolicy rules in the current tier ... and passes evaluation to the next tier"
    { name: 'Admin Pass skips a later Admin Deny; the NetworkPolicy allows', cps: [cnp('p', 'Admin', 1, { ingress: [crule('Pass', [namespaces()])] }), denyAllIn('d', 2)], nps: [npAllowIn], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Admin cnp/p[0] Pass → NP allowed by back/allow-in', true] },
    { name: 'Admin Pass skips the later rules of its own policy', cps: [cnp('p', 'Admin', 1, { ingress: [crule('Pass', [namespaces()]), crule('Deny', [namespaces()])] })], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Admin cnp/p[0] Pass → not-isolated', true] },
    { name: 'Admin Pass, NetworkPolicy denies: the chain says both', cps: [cnp('p', 'Admin', 1, { ingress: [crule('Pass', [namespaces()])] })], nps: [npDenyIn], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Admin cnp/p[0] Pass → NP denied', false] },
    { name: 'Admin Pass, no NetworkPolicy: the Baseline decides', cps: [cnp('p', 'Admin', 1, { ingress: [crule('Pass', [namespaces()])] }), banp({ ingress: [crule('Deny', [namespaces()])] })], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Admin cnp/p[0] Pass → Baseline banp/default[0] Deny', false] },
    // the first rule that matches decides, in written order; a policy whose rules do not match passes to the next
    { name: 'the first matching rule in written order decides', cps: [cnp('a', 'Admin', 1, { ingress: [crule('Accept', [namespaces(sel({ team: 'core' }))]), crule('Deny', [namespaces()]), crule('Accept', [namespaces()])] })], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Admin cnp/a[1] Deny', false] },
    { name: 'a policy whose rules do not match leaves the decision to the next', cps: [cnp('a', 'Admin', 1, { ingress: [crule('Accept', [namespaces(sel({ team: 'core' }))])] }), denyAllIn('d', 2)], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Admin cnp/d[0] Deny', false] },
    { name: 'lower priority number first', cps: [denyAllIn('d', 20), cnp('a', 'Admin', 3, { ingress: [crule('Accept', [namespaces()])] })], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Admin cnp/a[0] Accept', true] },
    { name: 'a rule whose peer matches but whose port does not is not the one', cps: [cnp('a', 'Admin', 1, { ingress: [crule('Deny', [namespaces()], [cport(443)]), crule('Accept', [namespaces()])] })], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Admin cnp/a[1] Accept', true] },
    // 4. "if some NetworkPolicy isolates P for d, its answer is final"
    { name: 'an isolating NetworkPolicy’s allow is final over a Baseline Deny', cps: [banp({ ingress: [crule('Deny', [namespaces()])] })], nps: [npAllowIn], from: 'front/web', to: 'back/api', want: ['not-isolated', 'NP allowed by back/allow-in', true] },
    { name: 'an isolating NetworkPolicy’s deny is final over a Baseline Accept', cps: [cnp('b', 'Baseline', 1, { ingress: [crule('Accept', [namespaces()])] })], nps: [npDenyIn], from: 'front/web', to: 'back/api', want: ['not-isolated', 'NP denied', false] },
    // 5. Baseline, "the BaselineAdminNetworkPolicy ... after every Baseline CNP"
    { name: 'Baseline Deny when no NetworkPolicy isolates', cps: [banp({ ingress: [crule('Deny', [namespaces()])] })], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Baseline banp/default[0] Deny', false] },
    { name: 'Baseline Accept', cps: [cnp('b', 'Baseline', 1, { ingress: [crule('Accept', [namespaces()])] }), banp({ ingress: [crule('Deny', [namespaces()])] })], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Baseline cnp/b[0] Accept', true] },
    { name: 'a Baseline CNP comes before the BANP whatever its priority', cps: [banp({ ingress: [crule('Accept', [namespaces()])] }), cnp('b', 'Baseline', 1000, { ingress: [crule('Deny', [namespaces()])] })], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Baseline cnp/b[0] Deny', false] },
    { name: 'Baseline Pass goes to the default: allowed', cps: [cnp('b', 'Baseline', 1, { ingress: [crule('Pass', [namespaces()])] }), banp({ ingress: [crule('Deny', [namespaces()])] })], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Baseline cnp/b[0] Pass', true] },
    // 6. "the default kubernetes policy is applied"; "cluster policies never isolate a pod by selecting it"
    { name: 'a cluster policy that selects the pod but matches nothing does not isolate', cps: [cnp('a', 'Admin', 1, { ingress: [crule('Deny', [namespaces(sel({ team: 'nope' }))])] }), banp({ ingress: [crule('Deny', [namespaces(sel({ team: 'nope' }))])] })], from: 'front/web', to: 'back/api', want: ['not-isolated', 'not-isolated', true] },
    // egress is decided at the source, ingress at the destination; both must allow
    { name: 'an Admin egress Deny at the source denies though the destination accepts', cps: [cnp('e', 'Admin', 1, { subject: nsSubject(inNs('front')), egress: [crule('Deny', [namespaces()])] }), cnp('i', 'Admin', 2, { subject: nsSubject(inNs('back')), ingress: [crule('Accept', [namespaces()])] })], from: 'front/web', to: 'back/api', want: ['Admin cnp/e[0] Deny', 'Admin cnp/i[0] Accept', false] },
    // equal priorities: by name, then kind
    { name: 'equal priorities: by name', cps: [denyAllIn('b', 5), cnp('a', 'Admin', 5, { ingress: [crule('Accept', [namespaces()])] })], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Admin cnp/a[0] Accept', true] },
    { name: 'equal priorities and names: by kind (AdminNetworkPolicy before ClusterNetworkPolicy)', cps: [cnp('x', 'Admin', 5, { ingress: [crule('Deny', [namespaces()])] }), anp('x', 5, { ingress: [crule('Accept', [namespaces()])] })], from: 'front/web', to: 'back/api', want: ['not-isolated', 'Admin anp/x[0] Accept', true] },
  ])('$name', ({ cps, nps, from, to, want }) => {
    const v = verdict(cps, nps ?? [], from, to)
    expect([steps(v.egress), steps(v.ingress), v.allowed]).toEqual(want)
  })
})

describe('peers', () => {
  const deny = (peer: Parameters<typeof crule>[1][number], dir: 'ingress' | 'egress' = 'egress') => [cnp('d', 'Admin', 1, { [dir]: [crule('Deny', [peer])] })]
  test.each([
    // "namespaces": the namespace's labels, with kubernetes.io/metadata.name
    { name: 'namespaces by label', cps: deny(namespaces(sel({ team: 'web' })), 'ingress'), from: 'front/web', to: 'back/api', denied: true },
    { name: 'namespaces by name label', cps: deny(namespaces(inNs('front')), 'ingress'), from: 'front/web', to: 'back/api', denied: true },
    { name: 'namespaces not matching', cps: deny(namespaces(inNs('back')), 'ingress'), from: 'front/web', to: 'back/api', denied: false },
    { name: 'pods: namespace and pod labels', cps: deny(pods(sel({ team: 'web' }), sel({ app: 'web' })), 'ingress'), from: 'front/web', to: 'back/api', denied: true },
    { name: 'pods: pod labels not matching', cps: deny(pods(sel(), sel({ app: 'db' })), 'ingress'), from: 'front/web', to: 'back/api', denied: false },
    { name: 'a hostNetwork pod is no namespaces peer', cps: deny(namespaces(), 'ingress'), from: 'back/agent', to: 'back/api', denied: false },
    { name: 'an outside address is no namespaces peer', cps: deny(namespaces(), 'ingress'), from: '8.8.8.8', to: 'back/api', denied: false },
    // "networks": "cluster-internal traffic will be checked against the rule as well"
    { name: 'networks match a pod’s address', cps: deny(networks('10.0.2.0/24')), from: 'front/web', to: 'back/api', denied: true },
    { name: 'networks match an outside address', cps: deny(networks('8.8.8.0/24')), from: 'front/web', to: '8.8.8.8', denied: true },
    { name: 'networks outside', cps: deny(networks('10.9.0.0/16')), from: 'front/web', to: 'back/api', denied: false },
    { name: 'a template has no address: no network matches it', cps: deny(networks('0.0.0.0/0')), from: 'front/web', to: 'back/worker', denied: false },
    // "nodes": "the IPs present in the node.Status.Addresses field"
    { name: 'nodes: an outside address that is a node’s', cps: deny(nodes(sel({ role: 'infra' }))), from: 'front/web', to: '192.168.0.10', denied: true },
    { name: 'nodes: a hostNetwork pod, whose address is its node’s', cps: deny(nodes(sel({ role: 'worker' }))), from: 'front/web', to: 'back/agent', denied: true },
    { name: 'nodes: labels not matching', cps: deny(nodes(sel({ role: 'worker' }))), from: 'front/web', to: '192.168.0.10', denied: false },
    { name: 'nodes: a pod on the pod network is no node', cps: deny(nodes()), from: 'front/web', to: 'back/api', denied: false },
  ])('$name', ({ cps, from, to, denied }) => {
    expect(verdict(cps, [], from, to).allowed).toBe(!denied)
  })
})

describe('ports', () => {
  const denyPorts = (ports: Parameters<typeof crule>[2], dir: 'ingress' | 'egress' = 'ingress') => [cnp('d', 'Admin', 1, { [dir]: [crule('Deny', [namespaces()], ports)] })]
  test.each([
    { name: 'no ports: every port and protocol', cps: denyPorts('any'), port: 9000, protocol: 'SCTP' as const, denied: true },
    { name: 'a number matches its protocol', cps: denyPorts([cport(80)]), port: 80, protocol: 'TCP' as const, denied: true },
    { name: 'a number does not match another protocol', cps: denyPorts([cport(80)]), port: 80, protocol: 'UDP' as const, denied: false },
    { name: 'a range: start ≤ port ≤ end', cps: denyPorts([cport(8000, 'TCP', 9000)]), port: 9000, protocol: 'TCP' as const, denied: true },
    { name: 'a range: outside', cps: denyPorts([cport(8000, 'TCP', 9000)]), port: 9001, protocol: 'TCP' as const, denied: false },
    { name: 'a named port resolves on the destination pod (the ingress subject)', cps: denyPorts([cnamed('http')]), port: 9090, protocol: 'TCP' as const, denied: true },
    { name: 'a named port: the destination’s number, not another pod’s', cps: denyPorts([cnamed('http')]), port: 8080, protocol: 'TCP' as const, denied: false },
    { name: 'a named port: the container port’s protocol', cps: denyPorts([cnamed('http')]), port: 9090, protocol: 'UDP' as const, denied: false },
    { name: 'a named port in an egress rule resolves on the destination (the peer)', cps: denyPorts([cnamed('http')], 'egress'), port: 9090, protocol: 'TCP' as const, denied: true },
  ])('$name', ({ cps, port, protocol, denied }) => {
    expect(verdict(cps, [], 'front/web', 'back/api', port, protocol).allowed).toBe(!denied)
  })
  test('a named port never matches an outside destination', () => {
    expect(verdict([cnp('d', 'Admin', 1, { egress: [crule('Deny', [networks('0.0.0.0/0')], [cnamed('http')])] })], [], 'front/web', '8.8.8.8', 8080).allowed).toBe(true)
  })
})

describe('what a step tells', () => {
  test('policy, tier, priority, direction, rule index and name, action, peer and port', () => {
    const cps = [anp('guard', 7, { ingress: [crule('Deny', [namespaces(sel({ team: 'nope' })), namespaces(sel({ team: 'web' }))], [cport(443), cnamed('http')], 'block web')] })]
    const v = verdict(cps, [], 'front/web', 'back/api', 9090)
    expect(v.ingress).toEqual({ kind: 'admin', step: { policy: { kind: 'AdminNetworkPolicy', name: 'guard' }, tier: 'Admin', priority: 7, direction: 'ingress', rule: 0, name: 'block web', action: 'Deny', peer: 1, port: 1, resolvedPort: 9090 } })
  })
  test('the BaselineAdminNetworkPolicy has no priority; no ports list is port "any"', () => {
    const v = verdict([banp({ egress: [crule('Accept', [networks('0.0.0.0/0')])] })], [], 'front/web', '8.8.8.8')
    expect(v.egress).toEqual({ kind: 'baseline', step: { policy: { kind: 'BaselineAdminNetworkPolicy', name: 'default' }, tier: 'Baseline', priority: null, direction: 'egress', rule: 0, action: 'Accept', peer: 0, port: 'any' } })
  })
  test('selected by cluster policies whose rules do not match, and not isolated: the side names the policies asked', () => {
    const cps = [cnp('a', 'Admin', 1, { ingress: [crule('Deny', [namespaces(sel({ team: 'nope' }))])] }), banp({ ingress: [crule('Deny', [namespaces(sel({ team: 'nope' }))])] })]
    expect(verdict(cps, [], 'front/web', 'back/api').ingress).toEqual({ kind: 'not-isolated', unmatched: [{ kind: 'ClusterNetworkPolicy', name: 'a' }, { kind: 'BaselineAdminNetworkPolicy', name: 'default' }] })
  })
  test('without cluster policies the verdicts are the NetworkPolicy ones, unchanged', () => {
    const v = verdict([], [npDenyIn], 'front/web', 'back/api')
    expect(v.ingress.kind).toBe('denied')
    expect(v.egress).toEqual({ kind: 'not-isolated' })
  })
})

describe('domainNames: answered from the resolution given, never guessed', () => {
  const allowDomains = (...names: string[]) => [cnp('dns', 'Admin', 1, { subject: podSubject(inNs('front'), sel()), egress: [crule('Accept', [domains(...names)])] }), cnp('rest', 'Admin', 2, { egress: [crule('Deny', [networks('0.0.0.0/0')])] })]
  const res = (entries: Record<string, string[]>): NameResolution => new Map(Object.entries(entries).map(([n, ips]) => [n, ips.map(ip)]))
  test.each([
    { name: 'an exact name resolving to the address', cps: allowDomains('example.com'), r: res({ 'example.com': ['93.184.216.34'] }), want: 'Admin cnp/dns[0] Accept' },
    { name: 'an exact name resolving elsewhere', cps: allowDomains('example.com'), r: res({ 'example.com': ['1.1.1.1'] }), want: 'Admin cnp/rest[0] Deny' },
    { name: 'case-insensitive, trailing dot ignored', cps: allowDomains('Example.COM.'), r: res({ 'example.com': ['93.184.216.34'] }), want: 'Admin cnp/dns[0] Accept' },
    { name: '*. matches one label', cps: allowDomains('*.example.com'), r: res({ 'www.example.com': ['93.184.216.34'] }), want: 'Admin cnp/dns[0] Accept' },
    { name: '*. matches several labels', cps: allowDomains('*.example.com'), r: res({ 'a.b.example.com': ['93.184.216.34'] }), want: 'Admin cnp/dns[0] Accept' },
    { name: '*. does not match the domain itself; the address is known as that name only', cps: allowDomains('*.example.com'), r: res({ 'example.com': ['93.184.216.34'] }), want: 'Admin cnp/rest[0] Deny' },
    { name: 'no resolution: depends on DNS, with the answer either way', cps: allowDomains('example.com'), r: res({}), want: 'dns example.com? Admin cnp/dns[0] Accept : Admin cnp/rest[0] Deny' },
    { name: 'a wildcard the resolution does not decide', cps: allowDomains('*.example.com', 'example.org'), r: res({ 'example.org': ['1.1.1.1'] }), want: 'dns *.example.com? Admin cnp/dns[0] Accept : Admin cnp/rest[0] Deny' },
  ])('$name', ({ cps, r, want }) => {
    expect(steps(verdict(cps, [], 'front/web', '93.184.216.34', 443, 'TCP', r).egress)).toBe(want)
  })
  test('the flow depends on DNS when the answers differ; allowed is the answer when the names do not resolve there', () => {
    const v = verdict(allowDomains('example.com'), [], 'front/web', '93.184.216.34')
    expect([dependsOnDns(v), v.allowed]).toEqual([true, false])
    const w = verdict([cnp('dns', 'Admin', 1, { egress: [crule('Accept', [domains('example.com')])] })], [], 'front/web', '93.184.216.34')
    expect([dependsOnDns(w), w.allowed, w.egress.kind]).toEqual([false, true, 'dns'])
  })
  test('pod addresses never match domainNames', () => {
    const v = verdict(allowDomains('example.com'), [], 'front/web', 'back/api', 80, 'TCP', res({ 'example.com': ['10.0.2.1'] }))
    expect(steps(v.egress)).toBe('Admin cnp/rest[0] Deny')
  })
  test('an earlier rule that matches decides before the DNS question is asked', () => {
    const cps = [cnp('first', 'Admin', 0, { egress: [crule('Deny', [networks('93.184.0.0/16')])] }), ...allowDomains('example.com')]
    expect(steps(verdict(cps, [], 'front/web', '93.184.216.34').egress)).toBe('Admin cnp/first[0] Deny')
  })
  test('a peer of the same rule that matches makes the DNS question moot', () => {
    const cps = [cnp('one', 'Admin', 0, { egress: [crule('Accept', [domains('example.com'), networks('93.184.0.0/16')])] })]
    expect(steps(verdict(cps, [], 'front/web', '93.184.216.34').egress)).toBe('Admin cnp/one[0] Accept')
  })
})

