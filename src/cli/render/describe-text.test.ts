import { describe, expect, test } from 'vitest'
import { cluster, ipPeer, namedPort, namespace, nsPeer, pod, podsPeer, policy, port, rule, sel } from '../../../test/builders.js'
import { indexCluster } from '../../engine/cluster-index.js'
import { Describer } from '../../analysis/describe.js'
import { renderPolicyText } from './describe-text.js'
import { peerWords } from '../../report/words.js'

const c = cluster({
  namespaces: [namespace('a', { team: 'a' }), namespace('b', { team: 'b' })],
  pods: [pod('a/x', { app: 'x' }, { ips: ['10.0.0.1'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }), pod('b/y', { app: 'y' }, { ips: ['10.1.0.1'] })],
  policies: [
    policy('a', 'p', {
      podSelector: sel({ app: 'x' }),
      ingress: [rule(), rule([ipPeer('10.0.0.0/8', ['10.1.0.0/16'])], [port(8000, 'TCP', 8999), namedPort('http')])],
      egress: null,
      ignored: { egress: [rule([nsPeer(sel())], [port(53, 'UDP')])] },
    }),
  ],
})

describe('describe text', () => {
  const text = renderPolicyText(new Describer(indexCluster(c)).policies()[0]!)
  test.each([
    '  [0] from:  anywhere (no from list: every pod and every address) → 2 pods in 2 namespaces (a/x, b/y)',
    '      ports: all (no ports list)',
    '  [1] from:  10.0.0.0/8 except 10.1.0.0/16 → includes the addresses of 1 pod in namespace a (a/x)',
    '      ports: 8000-8999/TCP; named port http/TCP → 80 on 1 pod',
    'Egress:        not in policyTypes: this policy neither isolates nor allows egress',
    'Ignored egress rules (Egress is not in policyTypes, so they have no effect):',
    '  [0] to:    all pods in every namespace → 2 pods in 2 namespaces (a/x, b/y)',
    '      ports: 53/UDP',
  ])('%s', (line) => expect(text.split('\n')).toContain(line))

  test.each([
    { peer: podsPeer(sel({ app: 'x' })), want: "pods app=x in the policy's namespace" },
    { peer: podsPeer(sel(), sel({ team: 'b' })), want: 'all pods in namespaces team=b' },
    { peer: podsPeer(sel({ app: 'x' }), sel({}, [{ key: 'team', operator: 'NotIn', values: ['a', 'b'] }])), want: 'pods app=x in namespaces team notin (a, b)' },
    { peer: ipPeer('::/0'), want: '::/0' },
  ])('peer in words: $want', ({ peer, want }) => expect(peerWords(peer)).toBe(want))
})
