import { describe, expect, test } from 'vitest'
import { cluster, ipPeer, namespace, pod, policy, rule, sel } from '../../test/builders.js'
import { flowsToCut, parseConntrack, type CtFlow } from './conntrack.js'

describe('parseConntrack', () => {
  test('the original direction of each entry; other protocols skipped', () => {
    const text = [
      'tcp      6 431999 ESTABLISHED src=10.244.0.7 dst=10.244.0.5 sport=40000 dport=5432 src=10.244.0.5 dst=10.244.0.7 sport=5432 dport=40000 [ASSURED] mark=0 use=1',
      'udp      17 29 src=10.244.0.7 dst=10.96.0.10 sport=5353 dport=53 [UNREPLIED] src=10.96.0.10 dst=10.244.0.7 sport=53 dport=5353 mark=0 use=1',
      'sctp     132 431999 ESTABLISHED src=10.244.0.7 dst=10.244.0.5 sport=9 dport=9000 src=10.244.0.5 dst=10.244.0.7 sport=9000 dport=9 mark=0 use=1',
      'icmp     1 29 src=10.244.0.7 dst=10.244.0.5 type=8 code=0 id=1 src=10.244.0.5 dst=10.244.0.7 type=0 code=0 id=1 mark=0 use=1',
      'conntrack v1.4.7 (conntrack-tools): 4 flow entries have been shown.',
    ].join('\n')
    expect(parseConntrack(text, 4)).toEqual([
      { family: 4, protocol: 'TCP', src: '10.244.0.7', dst: '10.244.0.5', sport: 40000, dport: 5432 },
      { family: 4, protocol: 'UDP', src: '10.244.0.7', dst: '10.96.0.10', sport: 5353, dport: 53 },
      { family: 4, protocol: 'SCTP', src: '10.244.0.7', dst: '10.244.0.5', sport: 9, dport: 9000 },
    ])
  })
})

describe('flowsToCut', () => {
  const c = cluster({
    namespaces: [namespace('db'), namespace('web')],
    pods: [pod('db/pg', { app: 'pg' }, { ips: ['10.244.0.5'] }), pod('web/front', {}, { ips: ['10.244.0.7'] }), pod('web/other', {}, { ips: ['10.244.1.9'] })],
    policies: [policy('db', 'deny', { podSelector: sel({ app: 'pg' }) }), policy('web', 'out', { ingress: null, egress: [rule([ipPeer('10.244.0.0/24')])] })],
  })
  const flow = (src: string, dst: string, dport = 80): CtFlow => ({ family: 4, protocol: 'TCP', src, dst, sport: 40000, dport })
  test.each([
    { name: 'into an isolated managed pod', f: flow('10.244.0.7', '10.244.0.5'), managed: ['db/pg'], cut: true },
    { name: 'into an isolated pod another node manages', f: flow('10.244.0.7', '10.244.0.5'), managed: ['web/front'], cut: false },
    { name: 'out of a managed pod its egress denies', f: flow('10.244.0.7', '10.244.1.9'), managed: ['web/front'], cut: true },
    { name: 'out of a managed pod its egress allows', f: flow('10.244.0.7', '10.244.0.99'), managed: ['web/front'], cut: false },
    { name: 'between addresses that are no pods', f: flow('8.8.8.8', '1.1.1.1'), managed: ['web/front', 'db/pg'], cut: false },
  ])('$name', ({ f, managed, cut }) => {
    const got = flowsToCut(c, (p) => managed.includes(`${p.namespace}/${p.name}`), [f])
    expect(got.length > 0).toBe(cut)
  })
})
