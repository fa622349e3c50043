import { describe, expect, test } from 'vitest'
import { planLab, resolveLabSource, uniqueHashes, type LabPodInput, type LabPort } from './lab-plan.js'

const pod = (id: string, ips: string[] = [], ports: LabPort[] = []): LabPodInput => {
  const [namespace = '', name = ''] = id.split('/')
  return { namespace, name, ips, ports }
}
const addrs = (plan: ReturnType<typeof planLab>, id: string) => plan.pods.find((p) => p.id === id)?.addresses.map((a) => `${a.ip}/${a.prefix}`)

describe('names', () => {
  const many = Array.from({ length: 5000 }, (_, i) => pod(`ns${i % 50}/pod-${i}`))
  const plan = planLab(many)

  test('fit in 15 characters and carry the lab prefixes', () => {
    for (const p of plan.pods) {
      expect(p.netns).toMatch(/^npl-[0-9a-f]{10}$/)
      expect(p.hostVeth).toMatch(/^nplh[0-9a-f]{10}$/)
      expect(p.mac).toBe(`02:${p.netns.slice(4).match(/../g)!.join(':')}`)
      expect(p.hostVeth.length).toBeLessThanOrEqual(15)
    }
  })
  test('are unique', () => {
    expect(new Set(plan.pods.map((p) => p.netns)).size).toBe(many.length)
    expect(new Set(plan.pods.map((p) => p.hostVeth)).size).toBe(many.length)
    expect(new Set([...plan.pods.map((p) => p.mac), plan.bridgeMac, 'external']).size).toBe(many.length + 2)
  })
  test('do not depend on input order', () => {
    const reversed = planLab([...many].reverse())
    expect(reversed.pods.map((p) => [p.id, p.netns, p.addresses[0]?.ip])).toEqual(plan.pods.map((p) => [p.id, p.netns, p.addresses[0]?.ip]))
  })
  test('are sha1 of namespace/name', () => {
    // sha1("default/web") = 5887b1109c74d4c1…
    expect(planLab([pod('default/web')]).pods[0]?.netns).toBe('npl-5887b1109c')
  })
  test.each([
    { name: 'no collision', hash: (t: string) => t.slice(-2), ids: ['a/x1', 'a/x2'], want: { 'a/x1': 'x1', 'a/x2': 'x2' } },
    {
      // sorted: a/p keeps 'same'; b/p → b/p#1 → 'r1'; c/p → c/p#1 → 'r1' (taken) → c/p#2 → 'r2'
      name: 'collisions rehash the later ids',
      hash: (t: string) => (t.includes('#') ? `r${t.slice(-1)}` : 'same'),
      ids: ['b/p', 'a/p', 'c/p'],
      want: { 'a/p': 'same', 'b/p': 'r1', 'c/p': 'r2' },
    },
  ])('uniqueHashes: $name', ({ hash, ids, want }) => {
    expect(Object.fromEntries(uniqueHashes(ids, hash))).toEqual(want)
  })
})

describe('addresses', () => {
  test.each([
    {
      name: 'pods without IPs get the lowest free IPv4 addresses after the gateway',
      pods: [pod('a/one'), pod('a/two', ['10.244.0.2']), pod('a/three')],
      opts: {},
      want: { 'a/one': ['10.244.0.3/16'], 'a/two': ['10.244.0.2/16'], 'a/three': ['10.244.0.4/16'] },
      gateways: ['10.244.0.1/16'],
    },
    {
      name: 'a pod holding the default gateway address moves the gateway to the highest host',
      pods: [pod('a/gw', ['10.244.0.1']), pod('a/new')],
      opts: {},
      want: { 'a/gw': ['10.244.0.1/16'], 'a/new': ['10.244.0.2/16'] },
      gateways: ['10.244.255.254/16'],
    },
    {
      name: 'both highest and first taken: the next highest',
      pods: [pod('a/gw', ['10.9.0.1']), pod('a/top', ['10.9.0.254'])],
      opts: { podCidr4: '10.9.0.0/24' },
      want: { 'a/gw': ['10.9.0.1/24'], 'a/top': ['10.9.0.254/24'] },
      gateways: ['10.9.0.253/24'],
    },
    {
      name: 'the prefix of --pod-cidr is used, and only its family is assigned',
      pods: [pod('a/x'), pod('a/y', ['fd00:1::9'])],
      opts: { podCidr6: 'fd00:1::/48' },
      want: { 'a/x': ['fd00:1::2/48'], 'a/y': ['fd00:1::9/48'] },
      gateways: ['fd00:1::1/48'],
    },
    {
      name: 'both CIDRs given: pods without IPs become dual-stack',
      pods: [pod('a/x')],
      opts: { podCidr4: '10.1.0.0/16', podCidr6: 'fd00:1::/64' },
      want: { 'a/x': ['10.1.0.2/16', 'fd00:1::2/64'] },
      gateways: ['10.1.0.1/16', 'fd00:1::1/64'],
    },
    {
      name: 'addresses are written canonically; an address outside the pod CIDR keeps a host prefix',
      pods: [pod('a/x', ['010.244.000.007', 'FD00:10:244:0::7']), pod('a/out', ['192.168.1.5'])],
      opts: {},
      want: { 'a/x': ['10.244.0.7/16', 'fd00:10:244::7/64'], 'a/out': ['192.168.1.5/32'] },
      gateways: ['10.244.0.1/16', 'fd00:10:244::1/64'],
    },
  ])('$name', ({ pods, opts, want, gateways }) => {
    const plan = planLab(pods, opts)
    for (const [id, a] of Object.entries(want)) expect(addrs(plan, id)).toEqual(a)
    expect(plan.gateways.map((g) => `${g.ip}/${g.prefix}`)).toEqual(gateways)
  })

  test('assigned addresses skip external addresses and the gateway', () => {
    const plan = planLab([pod('a/x'), pod('a/y')], { externalIps: ['10.244.0.2'] })
    expect(addrs(plan, 'a/x')).toEqual(['10.244.0.3/16'])
    expect(addrs(plan, 'a/y')).toEqual(['10.244.0.4/16'])
    expect(plan.pods.every((p) => p.assigned)).toBe(true)
  })

  test('a full CIDR is reported, not overrun', () => {
    const plan = planLab([pod('a/1'), pod('a/2'), pod('a/3')], { podCidr4: '10.0.0.0/30' })
    expect(plan.pods.map((p) => p.addresses.map((a) => a.ip))).toEqual([['10.0.0.2'], [], []])
    expect(plan.issues).toEqual([
      { code: 'pod_cidr_exhausted', path: ['pods', 1], cidr: '10.0.0.0/30' },
      { code: 'pod_cidr_exhausted', path: ['pods', 2], cidr: '10.0.0.0/30' },
    ])
  })
})

describe('issues', () => {
  test.each([
    { name: 'invalid IP', pods: [pod('a/x', ['10.0.0.300'])], opts: {}, want: [{ code: 'invalid_ip', path: ['pods', 0, 'ips', 0], input: '10.0.0.300' }] },
    {
      name: 'duplicate IP: the first pod in id order keeps it',
      pods: [pod('b/x', ['10.244.0.5']), pod('a/x', ['10.244.0.5'])],
      opts: {},
      want: [{ code: 'duplicate_ip', path: ['pods', 0, 'ips', 0], ip: '10.244.0.5', usedBy: 'a/x' }],
    },
    {
      name: 'external address taken by a pod',
      pods: [pod('a/x', ['10.244.0.5'])],
      opts: { externalIps: ['10.244.0.5'] },
      want: [{ code: 'duplicate_ip', path: ['externalIps', 0], ip: '10.244.0.5', usedBy: 'a/x' }],
    },
    { name: 'duplicate pod', pods: [pod('a/x'), pod('a/x')], opts: {}, want: [{ code: 'duplicate_pod', path: ['pods', 1], id: 'a/x' }] },
    {
      name: 'invalid port',
      pods: [pod('a/x', [], [{ port: 0, protocol: 'TCP' }, { port: 80, protocol: 'TCP' }])],
      opts: {},
      want: [{ code: 'invalid_port', path: ['pods', 0, 'ports', 0, 'port'], port: 0 }],
    },
    { name: 'CIDR of the wrong family', pods: [], opts: { podCidr4: 'fd00::/64' }, want: [{ code: 'invalid_cidr', path: ['podCidr4'], input: 'fd00::/64', family: 4 }] },
    {
      name: 'IP outside the pod CIDR',
      pods: [pod('a/x', ['10.1.2.3'])],
      opts: {},
      want: [{ code: 'ip_outside_pod_cidr', path: ['pods', 0, 'ips', 0], ip: '10.1.2.3', cidr: '10.244.0.0/16' }],
    },
  ])('$name', ({ pods, opts, want }) => {
    expect(planLab(pods, opts).issues).toEqual(want)
  })
})

describe('routes, external namespace and servers', () => {
  const plan = planLab(
    [
      pod('a/web', ['10.244.0.10'], [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }, { port: 80, protocol: 'TCP' }]),
      pod('a/sctp', [], [{ port: 9000, protocol: 'SCTP' }]),
      pod('b/dual', ['10.244.0.20', 'fd00:10:244::20'], [{ port: 8080, protocol: 'TCP' }]),
      pod('b/far', ['172.16.0.9']),
    ],
    { externalIps: ['203.0.113.7', '2001:db8::7'], externalPorts: [{ port: 443, protocol: 'TCP' }] },
  )
  const routes = (id: string) => plan.pods.find((p) => p.id === id)?.routes.map((r) => `${r.dst}${r.via === null ? ' onlink' : ` via ${r.via}`}`)

  test('pods route their CIDR on-link, stray hosts on-link, external hosts and the default via the gateway', () => {
    expect(routes('a/web')).toEqual(['172.16.0.9/32 onlink', '203.0.113.7/32 via 10.244.0.1', 'default via 10.244.0.1'])
    expect(routes('b/dual')).toEqual([
      '172.16.0.9/32 onlink',
      '203.0.113.7/32 via 10.244.0.1',
      'default via 10.244.0.1',
      '2001:db8::7/128 via fd00:10:244::1',
      'default via fd00:10:244::1',
    ])
    expect(routes('b/far')).toEqual(['10.244.0.0/16 onlink', '203.0.113.7/32 via 10.244.0.1', 'default via 10.244.0.1'])
  })
  test('the external namespace holds host addresses behind the node: default via the gateway, routed by the node through its own veth', () => {
    expect(plan.external?.addresses.map((a) => `${a.ip}/${a.prefix}`)).toEqual(['203.0.113.7/32', '2001:db8::7/128'])
    expect(plan.external?.routes).toEqual([
      { dst: 'default', family: 4, via: '10.244.0.1', onlink: true },
      { dst: 'default', family: 6, via: 'fd00:10:244::1', onlink: true },
    ])
    expect(plan.nodeRoutes).toEqual([
      { dst: '172.16.0.9/32', family: 4, via: null },
      { dst: '203.0.113.7/32', family: 4, via: null, dev: 'nplhext' },
      { dst: '2001:db8::7/128', family: 6, via: null, dev: 'nplhext' },
    ])
  })
  test('an external address inside a pod CIDR is routed through the gateway too', () => {
    const p = planLab([pod('a/x')], { externalIps: ['10.244.9.9'] })
    expect(p.pods[0]?.routes.map((r) => `${r.dst} via ${r.via}`)).toEqual(['10.244.9.9/32 via 10.244.0.1', 'default via 10.244.0.1'])
  })
  test('an external address of a family no pod has is left out: the node has no gateway of it', () => {
    const p = planLab([pod('a/x')], { externalIps: ['2001:db8::1', '192.0.2.1'] })
    expect(p.external?.addresses.map((a) => a.ip)).toEqual(['192.0.2.1'])
    expect(p.issues).toEqual([{ code: 'external_unreachable', path: ['externalIps', 0], ip: '2001:db8::1' }])
  })
  test('one server per namespace with TCP or UDP ports, deduplicated', () => {
    expect(plan.servers.map((s) => ({ ...s, netns: s.netns.slice(0, 4) }))).toEqual([
      { netns: 'npl-', banner: 'netpol-lab a/web\n', addresses: ['10.244.0.10'], tcp: [80], udp: [53] },
      { netns: 'npl-', banner: 'netpol-lab b/dual\n', addresses: ['10.244.0.20', 'fd00:10:244::20'], tcp: [8080], udp: [] },
      { netns: 'netp', banner: 'netpol-lab external\n', addresses: ['203.0.113.7', '2001:db8::7'], tcp: [443], udp: [] },
    ])
  })
  test('the SCTP responder covers every namespace with addresses', () => {
    expect(plan.sctp.home).toBe('netpol-lab-node')
    expect(plan.sctp.namespaces.map((n) => n.ports)).toEqual([[9000], [], [], [], []])
    expect(plan.sctp.namespaces.length).toBe(plan.pods.length + 1)
  })
  test.each([
    { source: 'a/web', want: ['10.244.0.10'] },
    { source: '2001:DB8::7', want: ['2001:db8::7'] },
    { source: '8.8.8.8', want: null },
    { source: 'x/none', want: null },
  ])('resolveLabSource($source)', ({ source, want }) => {
    expect(resolveLabSource(plan, source)?.addresses ?? null).toEqual(want)
  })
})

describe('hostNetwork pods', () => {
  const plan = planLab([pod('a/web', [], [{ port: 80, protocol: 'TCP' }])], {
    hostPods: [
      { namespace: 'kube-system', name: 'proxy-2', ports: [{ port: 10256, protocol: 'TCP' }] },
      { namespace: 'kube-system', name: 'proxy-1', ports: [{ port: 10256, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }, { port: 9, protocol: 'SCTP' }] },
    ],
  })
  test('live in the node namespace: one server on the node addresses for all their TCP and UDP ports', () => {
    expect(plan.hostPods.map((h) => h.id)).toEqual(['kube-system/proxy-1', 'kube-system/proxy-2'])
    expect(plan.servers[0]).toEqual({ netns: 'netpol-lab-node', banner: 'netpol-lab node\n', addresses: ['10.244.0.1'], tcp: [10256], udp: [53] })
  })
  test('probe from the node namespace, from the node addresses', () => {
    expect(resolveLabSource(plan, 'kube-system/proxy-2')).toEqual({ netns: 'netpol-lab-node', addresses: ['10.244.0.1'] })
  })
  test("their own addresses (their nodes') become the node namespace's, served too; a gateway's or a pod's is not taken twice", () => {
    const withIps = planLab([pod('a/web', ['10.244.0.5'], [{ port: 80, protocol: 'TCP' }])], {
      hostPods: [
        { namespace: 'f', name: 'centaur-0', ips: ['172.18.0.3'], ports: [{ port: 36363, protocol: 'TCP' }] },
        { namespace: 'f', name: 'centaur-1', ips: ['172.18.0.4', '10.244.0.1', '10.244.0.5'], ports: [{ port: 36363, protocol: 'TCP' }] },
        { namespace: 'f', name: 'again', ips: ['172.18.0.3'], ports: [] },
      ],
    })
    expect(withIps.nodeAddresses).toEqual([
      { ip: '172.18.0.3', family: 4, prefix: 32 },
      { ip: '172.18.0.4', family: 4, prefix: 32 },
    ])
    expect(withIps.servers[0]).toMatchObject({ netns: 'netpol-lab-node', addresses: ['10.244.0.1', '172.18.0.3', '172.18.0.4'], tcp: [36363] })
    expect(withIps.issues).toEqual([{ code: 'duplicate_ip', path: ['hostPods', 1, 'ips', 2], ip: '10.244.0.5', usedBy: 'a/web' }])
    expect(plan.nodeAddresses).toBeUndefined()
  })
})
