import { describe, expect, test } from 'vitest'
import { hostSupports } from '../../test/requirements.js'
import { cluster, namespace, pod, podsPeer, policy, port, rule, sel } from '../../test/builders.js'
import { cnp, crule, nsSubject, toNamespaces } from '../../test/tier-builders.js'
import { FlowLog, parseUlogdLine, ulogdConfig } from './flow-log.js'

/** A line as ulogd2's JSON plugin writes it (fields trimmed to the ones that matter plus a few others). */
const line = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    timestamp: '2026-01-01T10:00:00.000001',
    dvc: 'Netfilter',
    'oob.prefix': 'netpol drop ingress',
    'oob.time.sec': 1767261600,
    'oob.time.usec': 250000,
    'oob.family': 2,
    'ip.protocol': 6,
    src_port: 44640,
    dest_port: 5432,
    'tcp.syn': 1,
    src_ip: '10.244.0.7',
    dest_ip: '10.244.0.5',
    ...over,
  })

const c = cluster({
  namespaces: [namespace('db'), namespace('web')],
  pods: [pod('db/postgres-0', { app: 'pg' }, { ips: ['10.244.0.5'] }), pod('web/front', {}, { ips: ['10.244.0.7'] })],
  policies: [policy('db', 'default-deny'), policy('web', 'no-egress', { ingress: null, egress: [] })],
})

describe('parseUlogdLine', () => {
  test.each([
    { name: 'a dropped TCP SYN', input: line(), want: { verdict: 'denied', direction: 'ingress', protocol: 'TCP', port: 5432, src: '10.244.0.7', time: 1767261600250 } },
    { name: 'audited UDP', input: line({ 'oob.prefix': 'netpol audit egress', 'ip.protocol': 17, dest_port: 53 }), want: { verdict: 'audited', direction: 'egress', protocol: 'UDP', port: 53 } },
    { name: 'the unknown-pod guard', input: line({ 'oob.prefix': 'netpol drop ingress unknown' }), want: { verdict: 'denied', direction: 'ingress', unknownPod: true } },
    { name: 'SCTP', input: line({ 'ip.protocol': 132, dest_port: 9000 }), want: { protocol: 'SCTP', port: 9000 } },
    { name: 'an accepted connection (--flow-log-all)', input: line({ 'oob.prefix': 'netpol accept egress' }), want: { verdict: 'allowed', direction: 'egress', port: 5432 } },
    {
      name: 'a cluster policy Deny',
      input: line({ 'oob.prefix': 'netpol audit ingress [Admin] cnp/deny-web ingress[1]' }),
      want: { verdict: 'audited', direction: 'ingress', tierRule: { tier: 'Admin', kind: 'ClusterNetworkPolicy', name: 'deny-web', direction: 'ingress', index: 1 } },
    },
    { name: 'IPv6', input: line({ src_ip: 'fd00::7', dest_ip: 'fd00::5', 'ip.protocol': undefined, 'ip6.nexthdr': 6 }), want: { protocol: 'TCP', src: 'fd00::7' } },
  ])('$name', ({ input, want }) => {
    const p = parseUlogdLine(input)
    expect(p).not.toBeNull()
    expect({ ...p, src: p!.src.text, dst: p!.dst.text }).toMatchObject(want)
  })

  test.each([
    { name: 'another prefix', input: line({ 'oob.prefix': 'kube-proxy drop' }) },
    { name: 'a tier rule of the other direction', input: line({ 'oob.prefix': 'netpol drop ingress [Admin] cnp/x egress[0]' }) },
    { name: 'a tier step not understood', input: line({ 'oob.prefix': 'netpol drop ingress [Cluster] cnp/x ingress[0]' }) },
    { name: 'accept with the guard word', input: line({ 'oob.prefix': 'netpol accept ingress unknown' }) },
    { name: 'ICMP', input: line({ 'ip.protocol': 1 }) },
    { name: 'not JSON', input: 'ulogd: started' },
  ])('ignores $name', ({ input }) => expect(parseUlogdLine(input)).toBeNull())
})

function setup(maxPerSecond = 100, allowed = false, forCluster = c) {
  let now = 1_000_000
  const out: string[] = []
  const packets: string[] = []
  const log = new FlowLog({ write: (l) => out.push(l), now: () => now, maxPerSecond, maxAllowedPerSecond: maxPerSecond, allowed, dedupeMs: 10_000, onPacket: (e) => packets.push(e.dst.pod ?? '') })
  log.setCluster(forCluster)
  return { log, out, packets, tick: (ms: number) => (now += ms) }
}

describe('FlowLog', () => {

  test('one line per connection with both pods and the reason in the engine words', () => {
    const { log, out } = setup()
    log.ingest(line())
    expect(out.map((l) => JSON.parse(l))).toEqual([
      {
        time: '2026-01-01T10:00:00.250Z',
        verdict: 'denied',
        direction: 'ingress',
        protocol: 'TCP',
        port: 5432,
        src: { ip: '10.244.0.7', namespace: 'web', pod: 'front' },
        dst: { ip: '10.244.0.5', namespace: 'db', pod: 'postgres-0' },
        reason: 'ingress to db/postgres-0: isolated by db/default-deny; no rule matched',
      },
    ])
  })

  test('the unknown-pod guard: a new pod whose rules are not in yet', () => {
    const { log, out } = setup()
    log.ingest(line({ 'oob.prefix': 'netpol drop ingress unknown', dest_ip: '10.244.0.50' }))
    expect(JSON.parse(out[0]!)).toMatchObject({
      verdict: 'denied',
      dst: { ip: '10.244.0.50' },
      reason: 'ingress to 10.244.0.50: unknown pod address (in the pod CIDRs of this node, no pod known there yet: its rules are not in)',
    })
  })

  test('a cluster policy Deny: the tier, the policy and the rule, from the policy in force', () => {
    const tiered = cluster({
      namespaces: [namespace('db'), namespace('web')],
      pods: [pod('db/postgres-0', { app: 'pg' }, { ips: ['10.244.0.5'] }), pod('web/front', {}, { ips: ['10.244.0.7'] })],
      clusterPolicies: [cnp('db-lockdown', 'Admin', 10, nsSubject(sel({ 'kubernetes.io/metadata.name': 'db' })), { ingress: [crule('Deny', [toNamespaces(sel())], 'any', 'no-one')] })],
    })
    const { log, out } = setup(100, false, tiered)
    log.ingest(line({ 'oob.prefix': 'netpol drop ingress [Admin] cnp/db-lockdown ingress[0]' }))
    // a rule no longer in force: the engine's words for now, the fields for what the kernel ran
    log.ingest(line({ 'oob.prefix': 'netpol drop ingress [Baseline] banp/default ingress[3]', dest_port: 80 }))
    expect(out.map((l) => JSON.parse(l))).toMatchObject([
      { verdict: 'denied', reason: 'ingress to db/postgres-0: [Admin] cnp/db-lockdown priority 10 ingress[0] "no-one" Deny', tier: 'Admin', policy: 'cnp/db-lockdown', rule: 'ingress[0]' },
      { reason: 'ingress to db/postgres-0: [Admin] cnp/db-lockdown priority 10 ingress[0] "no-one" Deny', tier: 'Baseline', policy: 'banp/default', rule: 'ingress[3]' },
    ])
  })

  test('egress to an address outside the cluster', () => {
    const { log, out } = setup()
    log.ingest(line({ 'oob.prefix': 'netpol drop egress', dest_ip: '8.8.8.8', dest_port: 443 }))
    expect(JSON.parse(out[0]!)).toMatchObject({ dst: { ip: '8.8.8.8' }, reason: 'egress of web/front: isolated by web/no-egress; no rule matched' })
  })

  test('repeats of a flow within the window are counted, not written', () => {
    const { log, out, packets, tick } = setup()
    log.ingest(line())
    log.ingest(line({ src_port: 44641 }))
    log.ingest(line({ src_port: 44642 }))
    tick(11_000)
    log.ingest(line())
    expect(out).toHaveLength(2)
    expect(JSON.parse(out[1]!).repeated).toBe(2)
    expect(packets).toHaveLength(4)
    expect(log.stats).toMatchObject({ received: 4, written: 2, duplicates: 2 })
  })

  test('lines beyond the rate are dropped', () => {
    const { log, out, tick } = setup(2)
    for (let i = 0; i < 5; i++) log.ingest(line({ dest_port: 1000 + i }))
    expect(out).toHaveLength(2)
    tick(1000)
    log.ingest(line({ dest_port: 2000 }))
    expect(out).toHaveLength(3)
    expect(log.stats.rateLimited).toBe(3)
  })
})

describe('FlowLog with allowed lines (--flow-log-all)', () => {
  const open = cluster({
    namespaces: [namespace('db'), namespace('web')],
    pods: [pod('db/postgres-0', { app: 'pg' }, { ips: ['10.244.0.5'] }), pod('web/front', { app: 'front' }, { ips: ['10.244.0.7'] })],
    policies: [policy('db', 'from-front', { podSelector: sel({ app: 'pg' }), ingress: [rule([podsPeer(sel({ app: 'front' }), sel())], [port(5432)])] })],
  })
  const accepted = (over: Record<string, unknown> = {}) => line({ 'oob.prefix': 'netpol accept ingress', ...over })

  test('one line per accepted connection, with the rule that allowed each side', () => {
    const { log, out, packets } = setup(100, true, open)
    log.ingest(accepted())
    expect(out.map((l) => JSON.parse(l))).toEqual([
      {
        time: '2026-01-01T10:00:00.250Z',
        verdict: 'allowed',
        direction: 'ingress',
        protocol: 'TCP',
        port: 5432,
        src: { ip: '10.244.0.7', namespace: 'web', pod: 'front' },
        dst: { ip: '10.244.0.5', namespace: 'db', pod: 'postgres-0' },
        reason: 'egress of web/front: not isolated; ingress to db/postgres-0: allowed by db/from-front ingress[0]',
      },
    ])
    // the metrics count denials and audits, not what was allowed
    expect(packets).toEqual([])
  })

  test('repeats of an accepted flow within the window are counted, not written; another port is another flow', () => {
    const { log, out, tick } = setup(100, true, open)
    for (let i = 0; i < 5; i++) log.ingest(accepted({ src_port: 40000 + i }))
    log.ingest(accepted({ dest_port: 5433 }))
    expect(out).toHaveLength(2)
    tick(11_000)
    log.ingest(accepted())
    expect(out).toHaveLength(3)
    expect(JSON.parse(out[2]!)).toMatchObject({ verdict: 'allowed', repeated: 4 })
    expect(log.stats).toMatchObject({ received: 7, written: 3, duplicates: 4 })
  })

  test('allowed lines have a rate of their own: a flood of them never hides a denial', () => {
    const { log, out } = setup(2, true, open)
    for (let i = 0; i < 10; i++) log.ingest(accepted({ dest_port: 1000 + i }))
    log.ingest(line({ 'oob.prefix': 'netpol drop egress', dest_ip: '8.8.8.8' }))
    expect(out.map((l) => JSON.parse(l).verdict)).toEqual(['allowed', 'allowed', 'denied'])
    expect(log.stats.rateLimited).toBe(8)
  })

  test('without --flow-log-all, allowed lines (from an earlier ruleset) are ignored', () => {
    const { log, out } = setup(100, false, open)
    log.ingest(accepted())
    expect(out).toEqual([])
    expect(log.stats).toMatchObject({ ignored: 1, received: 0 })
  })
})

test('ulogd reads the group and writes JSON to the socket', () => {
  const conf = ulogdConfig(100, '/usr/lib/x86_64-linux-gnu/ulogd', '/run/x/flows.sock', '/run/x/ulogd.log')
  expect(conf).toContain('stack=log1:NFLOG,base1:BASE,ip2str1:IP2STR,json1:JSON')
  expect(conf).toContain('[log1]\ngroup=100')
  expect(conf).toContain('mode="unix"\nfile="/run/x/flows.sock"')
})

describe.runIf(hostSupports('the flow log with ulogd2 (flow-log.test.ts)', ['ip', 'nft', 'ulogd', 'ulogd-json', 'python3']))('with ulogd2', () => {
  test('a logged packet arrives as a line', async () => {
    const { execFileSync } = await import('node:child_process')
    const { startUlogd } = await import('./flow-log.js')
    const ns = `npf${process.pid}`
    execFileSync('ip', ['netns', 'add', ns])
    try {
      const lines: string[] = []
      const u = await startUlogd({ group: 9, netns: ns, onLine: (l) => lines.push(l) })
      await new Promise((r) => setTimeout(r, 500))
      // a packet to ourselves through a rule that logs it
      execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up'])
      execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {
        input: 'table inet t {\n chain o { type filter hook output priority 0; policy accept; udp dport 9999 log prefix "netpol drop egress" group 9 queue-threshold 1; }\n}\n',
      })
      execFileSync('ip', ['netns', 'exec', ns, 'python3', '-c', "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', 9999))"])
      for (let i = 0; i < 40 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 50))
      await u.stop()
      expect(lines.map(parseUlogdLine)[0]).toMatchObject({ verdict: 'denied', direction: 'egress', protocol: 'UDP', port: 9999 })
    } finally {
      execFileSync('ip', ['netns', 'del', ns])
    }
  })
})
