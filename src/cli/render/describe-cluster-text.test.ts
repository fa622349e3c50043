import { describe, expect, test } from 'vitest'
import { cluster, namespace, pod, policy, rule } from '../../../test/builders.js'
import { anp, banp, cnamed, cnp, cport, crule, domains, inNs, namespaces, networks, node, nodes, nsSubject, podSubject, pods } from '../../../test/cluster-policy-builders.js'
import { sel } from '../../../test/builders.js'
import { indexCluster } from '../../engine/cluster-index.js'
import { describePod } from '../../analysis/describe.js'
import { describeClusterPolicy } from '../../analysis/describe-cluster-policy.js'
import { describeClusterPoliciesReport } from '../../report/describe-cluster-report.js'
import { describePodsReport } from '../../report/describe-report.js'
import { renderClusterPolicyText } from './describe-cluster-text.js'
import { renderPodText } from './describe-text.js'

const c = cluster({
  namespaces: [namespace('front', { team: 'web' }), namespace('back', { team: 'core' })],
  pods: [
    pod('front/web', { app: 'web' }, { ips: ['10.0.1.1'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }),
    pod('back/api', { app: 'api' }, { ips: ['10.0.2.1'], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] }),
    pod('back/agent', { app: 'agent' }, { ips: ['192.168.0.11'], hostNetwork: true }),
  ],
  policies: [policy('back', 'allow-all-in', { ingress: [rule()] })],
  nodes: [node('n1', { role: 'infra' }, ['192.168.0.11'])],
  clusterPolicies: [
    anp('pass-front', 5, { subject: nsSubject(inNs('back')), ingress: [crule('Pass', [namespaces(sel({ team: 'web' }))], [cport(80)], 'to np')] }),
    cnp('deny-all', 'Admin', 10, { subject: nsSubject(inNs('back')), ingress: [crule('Deny', [namespaces()])] }),
    cnp('egress', 'Admin', 1, {
      subject: podSubject(sel(), sel({ app: 'web' })),
      egress: [crule('Accept', [domains('example.com')], [cport(443)]), crule('Accept', [pods(sel({ team: 'core' }), sel({ app: 'api' })), nodes(sel({ role: 'infra' })), networks('10.0.0.0/8')], [cnamed('http'), cport(8000, 'TCP', 9000)])],
    }),
    banp({ egress: [crule('Deny', [networks('0.0.0.0/0')])] }),
  ],
})
const index = indexCluster(c)
const byName = (n: string) => c.clusterPolicies.find((p) => p.name === n)!

describe('describe a cluster policy', () => {
  test('its tier and place, the pods its subject selects, each rule in words with what its peers match now', () => {
    expect(renderClusterPolicyText(describeClusterPolicy(index, byName('egress')))).toBe(`Name:          cnp/egress
Kind:          ClusterNetworkPolicy
Tier:          Admin, priority 1 (evaluated 1st of 3 in the Admin tier)
Subject:       pods app=web in namespaces {} (all) → selects 1 pod in namespace front (front/web)
Ingress:       no rules: this policy does not affect ingress (cluster policies never isolate)
Egress rules (in order; the first whose peer and port match decides):
  [0] Accept
      to:    domainNames example.com → addresses as the names resolve (netpol check --resolve)
      ports: 443/TCP
  [1] Accept
      to:    pods app=api in namespaces team=core → 1 pod in namespace back (back/api)
      to:    nodes role=infra → the addresses of Node n1
      to:    networks 10.0.0.0/8 → includes the addresses of 2 pods in 2 namespaces (back/api, front/web)
      ports: named port http; 8000-9000/TCP
`)
  })
  test('a v1alpha1 kind writes Accept as Allow; the BANP has no priority; the JSON says the same', () => {
    const v = describeClusterPolicy(index, byName('default'))
    expect(renderClusterPolicyText(v).split('\n').slice(0, 4)).toEqual([
      'Name:          banp/default',
      'Kind:          BaselineAdminNetworkPolicy',
      'Tier:          Baseline (evaluated 1st of 1 in the Baseline tier)',
      'Subject:       namespaces {} (all) → selects 2 pods in 2 namespaces (back/api, front/web)',
    ])
    expect(describeClusterPoliciesReport([describeClusterPolicy(index, byName('pass-front'))])).toEqual({
      clusterPolicies: [
        {
          policy: 'anp/pass-front',
          kind: 'AdminNetworkPolicy',
          name: 'pass-front',
          tier: 'Admin',
          priority: 5,
          place: { position: 2, of: 3 },
          subject: { text: 'namespaces kubernetes.io/metadata.name=back', pods: ['back/api'] },
          ingress: [{ index: 0, name: 'to np', action: 'Pass', peers: [{ kind: 'namespaces', text: 'namespaces team=web', selector: 'team=web', pods: ['front/web'], nodes: [] }], ports: [{ text: '80/TCP', kind: 'range', protocol: 'TCP', from: 80, to: 80 }] }],
          egress: [],
        },
      ],
    })
  })
})

describe('describe pod with cluster policies', () => {
  test('the cluster policies per direction in evaluation order around the NetworkPolicy tier; verdicts through the tiers', () => {
    const api = c.pods.find((p) => p.name === 'api')!
    const v = describePod(index, api)
    const text = renderPodText(v)
    expect(text).toContain(`Cluster policies (in evaluation order; the first rule that matches in a tier decides):
  ingress: [Admin] anp/pass-front priority 5 → [Admin] cnp/deny-all priority 10 → [NetworkPolicy]
  egress:  [NetworkPolicy] → [Baseline] banp/default
`)
    // port 9090: front/web is denied by cnp/deny-all (anp/pass-front passes only port 80); the hostNetwork agent is
    // no namespaces peer, so the NetworkPolicy lets it in
    expect(v.inbound.find((r) => r.port === 9090)!.allowed.pods.map((p) => p.name)).toEqual(['agent'])
    // port 80 (named by anp/pass-front): its Pass lets the NetworkPolicy allow front/web in, but front/web's own egress
    // meets the BaselineAdminNetworkPolicy's Deny
    expect(v.inbound.find((r) => r.port === 80)!.allowed.pods.map((p) => p.name)).toEqual(['agent'])
    expect(describePodsReport([v]).pods[0]!.tiers).toEqual({
      ingress: [
        { policy: 'anp/pass-front', kind: 'AdminNetworkPolicy', name: 'pass-front', tier: 'Admin', priority: 5 },
        { policy: 'cnp/deny-all', kind: 'ClusterNetworkPolicy', name: 'deny-all', tier: 'Admin', priority: 10 },
      ],
      egress: [{ policy: 'banp/default', kind: 'BaselineAdminNetworkPolicy', name: 'default', tier: 'Baseline', priority: null }],
    })
  })
  test('a hostNetwork pod is no subject: nothing about tiers is shown', () => {
    const agent = c.pods.find((p) => p.name === 'agent')!
    expect(describePod(index, agent).tiers).toBeUndefined()
  })
})
