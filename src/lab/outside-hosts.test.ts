import { describe, expect, test } from 'vitest'
import { cluster, ip, ipPeer, pod, policy, rule, sel } from '../../test/builders.js'
import { describeOutside, outsideHosts, outsideWhyText, policyIpBlocks } from './outside-hosts.js'

const withBlocks = (...peers: ReturnType<typeof ipPeer>[]) =>
  cluster({
    pods: [pod('x/a', { app: 'a' }, { ips: ['10.244.0.10', 'fd00:10:244::10'] })],
    policies: [policy('x', 'p', { podSelector: sel({ app: 'a' }), ingress: [rule(peers)], egress: [rule([ipPeer('203.0.113.0/24')])] })],
  })
const LAB = { podCidrs: ['10.244.0.0/16', 'fd00:10:244::/64'], families: [4, 6] as const }
const shown = (c: ReturnType<typeof withBlocks>, opts = LAB) => outsideHosts(c, { ...opts, families: [...opts.families] }).map((h) => `${h.ip} ${outsideWhyText(h.why)}`)

describe('outsideHosts', () => {
  test.each([
    {
      name: 'one inside each block, one inside each except, one outside every block',
      peers: [ipPeer('198.51.100.0/24', ['198.51.100.128/25'])],
      want: ['198.51.100.1 in 198.51.100.0/24', '198.51.100.129 in except 198.51.100.128/25 of 198.51.100.0/24', '203.0.113.1 in 203.0.113.0/24', '192.0.2.1 outside every ipBlock'],
    },
    {
      // 0.0.0.0/0 leaves nothing outside; its except 10.0.0.0/8 holds the pod range, so the lowest address outside it
      name: 'everything except 10/8: the pod range and special ranges are never outside hosts',
      peers: [ipPeer('0.0.0.0/0', ['10.0.0.0/8'])],
      want: ['1.0.0.1 in 0.0.0.0/0', '10.0.0.1 in except 10.0.0.0/8 of 0.0.0.0/0', '203.0.113.1 in 203.0.113.0/24'],
    },
    {
      name: 'a host that proves a block already proves a later one that holds it',
      peers: [ipPeer('203.0.113.0/25'), ipPeer('0.0.0.0/0', ['10.0.0.0/8'])],
      want: ['203.0.113.1 in 203.0.113.0/25', '10.0.0.1 in except 10.0.0.0/8 of 0.0.0.0/0'],
    },
    {
      name: 'a block inside the pod range gets no outside host (its pods are probed as pods)',
      peers: [ipPeer('10.244.0.0/24')],
      want: ['203.0.113.1 in 203.0.113.0/24', '192.0.2.1 outside every ipBlock'],
    },
    {
      name: 'when every preferred address is inside a block, the lowest free one',
      peers: [ipPeer('0.0.0.0/1'), ipPeer('192.0.0.0/3')],
      want: ['1.0.0.1 in 0.0.0.0/1', '192.0.0.1 in 192.0.0.0/3', '203.0.113.1 in 203.0.113.0/24', '128.0.0.1 outside every ipBlock'],
    },
    {
      name: 'IPv6 blocks get IPv6 hosts',
      peers: [ipPeer('2001:db8::/32', ['2001:db8:1::/48'])],
      want: ['2001:db8::1 in 2001:db8::/32', '2001:db8:1::1 in except 2001:db8:1::/48 of 2001:db8::/32', '203.0.113.1 in 203.0.113.0/24', '192.0.2.1 outside every ipBlock', '3fff::1 outside every ipBlock'],
    },
  ])('$name', ({ peers, want }) => {
    expect(shown(withBlocks(...peers))).toEqual(want)
  })

  test('a family the lab has no pods of gets none; given addresses come first and win', () => {
    const c = withBlocks(ipPeer('2001:db8::/32'))
    expect(outsideHosts(c, { podCidrs: LAB.podCidrs, families: [4], given: [ip('203.0.113.1'), ip('8.8.8.8')] }).map((h) => `${h.ip} ${outsideWhyText(h.why)}`)).toEqual([
      '203.0.113.1 given',
      '8.8.8.8 given',
      '192.0.2.1 outside every ipBlock',
    ])
  })

  test('describeOutside: inside a block that admits it wins over an except of another', () => {
    const blocks = policyIpBlocks(withBlocks(ipPeer('0.0.0.0/0', ['203.0.113.0/24'])))
    expect(describeOutside(ip('203.0.113.9'), blocks)).toEqual({ kind: 'inside', cidr: '203.0.113.0/24' })
    expect(describeOutside(ip('2001:db8::9'), blocks)).toEqual({ kind: 'outside' })
    expect(describeOutside(ip('203.0.113.9'), blocks.slice(0, 1))).toEqual({ kind: 'except', except: '203.0.113.0/24', cidr: '0.0.0.0/0' })
  })
})
