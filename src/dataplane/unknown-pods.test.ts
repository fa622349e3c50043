import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { Cluster, Pod } from '../model/cluster.js'
import { parseCidr, type Cidr, type IpAddress } from '../model/ip.js'
import { clusters, EXTERNAL_IPS, PORTS } from '../../test/arbitraries.js'
import { cluster, ip, namespace, nsPeer, pod, policy, port, rule, sel } from '../../test/builders.js'
import { compilePolicies, type CompiledRuleset, type CompileOptions } from './compile-policies.js'
import { FakeNft } from './fake-nft.js'
import { diffTables, fullReplace } from './nft-transaction.js'
import { mergeRanges } from './unknown-pods.js'

const cidrs = (...texts: string[]): Cidr[] => texts.map((t) => parseCidr(t)!)
const loaded = (compiled: CompiledRuleset): FakeNft => {
  const fake = new FakeNft()
  const r = fake.runSync(fullReplace(compiled.table))
  if (!r.ok) throw new Error(r.error)
  return fake
}

describe('mergeRanges', () => {
  test.each([
    { name: 'one range', in: ['10.244.1.0/24'], want: [['10.244.1.0', '10.244.1.255']] },
    { name: 'contained ranges merge', in: ['10.244.0.0/16', '10.244.1.0/24'], want: [['10.244.0.0', '10.244.255.255']] },
    { name: 'adjacent ranges merge', in: ['10.244.1.0/24', '10.244.0.0/24'], want: [['10.244.0.0', '10.244.1.255']] },
    { name: 'apart ranges stay apart', in: ['10.244.3.0/24', '10.244.1.0/24'], want: [['10.244.1.0', '10.244.1.255'], ['10.244.3.0', '10.244.3.255']] },
  ])('$name', ({ in: input, want }) => {
    expect(mergeRanges(cidrs(...input)).map((r) => [r.lo, r.hi])).toEqual(want.map(([a, b]) => [ip(a!).value, ip(b!).value]))
  })
})

describe('the guard drops what is in the node CIDR and no known pod', () => {
  const shop = namespace('shop', { team: 'shop' })
  const db = namespace('db')
  const c = cluster({
    namespaces: [shop, db],
    pods: [
      pod('shop/front', { app: 'front' }, { ips: ['10.244.1.7', 'fd00:10:244:1::7'], hostIPs: ['192.168.0.10'], nodeName: 'n1' }),
      pod('db/pg', { app: 'pg' }, { ips: ['10.244.1.5'], hostIPs: ['192.168.0.10'], nodeName: 'n1' }),
      pod('db/open', {}, { ips: ['10.244.1.9'], hostIPs: ['192.168.0.10'], nodeName: 'n1' }),
      pod('db/elsewhere', {}, { ips: ['10.244.2.3'], hostIPs: ['192.168.0.11'], nodeName: 'n2' }),
      // in this node's range, but the API says another node: known, so decided as without the guard
      pod('db/astray', {}, { ips: ['10.244.1.60'], hostIPs: ['192.168.0.11'], nodeName: 'n2' }),
      pod('db/node-exporter', {}, { ips: ['192.168.0.10'], hostIPs: ['192.168.0.10'], hostNetwork: true, nodeName: 'n1' }),
    ],
    policies: [policy('db', 'pg-from-shop', { podSelector: sel({ app: 'pg' }), ingress: [rule([nsPeer(sel({ team: 'shop' }))], [port(5432)])] })],
  })
  const opts: CompileOptions = { managed: (p) => p.nodeName === 'n1', mode: 'enforce', table: 'netpol', logGroup: 2, podCidrs: cidrs('10.244.1.0/24', 'fd00:10:244:1::/64') }
  const guarded = loaded(compilePolicies(c, opts))
  const plain = loaded(compilePolicies(c, { ...opts, podCidrs: [] }))
  const t = (src: string, dst: string, extra: { hook?: 'forward' | 'input'; ct?: 'established'; dport?: number } = {}) => ({ src, dst, protocol: 'TCP' as const, dport: extra.dport ?? 5432, ...extra })

  test.each([
    { name: 'to a new pod (address in the CIDR, not known yet)', p: t('10.244.2.3', '10.244.1.50'), want: 'drop', log: '2 netpol drop ingress unknown' },
    { name: 'from a new pod to a pod without policies', p: t('10.244.1.50', '10.244.1.9', { dport: 80 }), want: 'drop', log: '2 netpol drop egress unknown' },
    { name: 'from a new pod to the internet', p: t('10.244.1.50', '8.8.8.8', { dport: 443 }), want: 'drop', log: '2 netpol drop egress unknown' },
    { name: 'IPv6: to a new pod', p: t('fd00:10:244:1::7', 'fd00:10:244:1::8', { dport: 80 }), want: 'drop', log: '2 netpol drop ingress unknown' },
    { name: 'from the node to a new pod, through forward (the node is always allowed)', p: t('192.168.0.10', '10.244.1.50'), want: 'accept', log: null },
    { name: 'from a new pod to the node, through forward', p: t('10.244.1.50', '192.168.0.10', { dport: 10250 }), want: 'accept', log: null },
    { name: 'from another node to a new pod', p: t('192.168.0.11', '10.244.1.50'), want: 'drop', log: '2 netpol drop ingress unknown' },
    { name: 'a new pod to its own node (input: the node is always allowed)', p: t('10.244.1.50', '192.168.0.10', { hook: 'input' }), want: 'accept', log: null },
    { name: 'established traffic of an address no longer known', p: t('10.244.1.50', '10.244.1.9', { ct: 'established' }), want: 'accept', log: null },
    { name: 'a known pod without policies', p: t('10.244.2.3', '10.244.1.9', { dport: 80 }), want: 'accept', log: null },
    { name: 'a known pod, allowed by its policy', p: t('10.244.1.7', '10.244.1.5'), want: 'accept', log: null },
    { name: 'a known pod, denied by its policy', p: t('10.244.1.9', '10.244.1.5'), want: 'drop', log: '2 netpol drop ingress' },
    { name: 'a pod of another node inside the CIDR is known', p: t('10.244.1.60', '10.244.1.9', { dport: 80 }), want: 'accept', log: null },
    { name: 'a pod of another node (outside the CIDR) to the outside', p: t('10.244.2.3', '8.8.8.8', { dport: 443 }), want: 'accept', log: null },
  ])('$name', ({ p, want, log }) => {
    const r = guarded.evaluate(p)
    expect(r.verdict).toBe(want)
    expect(r.logs.map((l) => `${l.group} ${l.prefix}`)).toEqual(log === null ? [] : [log])
  })

  test('ICMPv6 neighbour discovery of a new pod passes', () => {
    expect(guarded.evaluate({ src: 'fd00:10:244:1::8', dst: 'fd00:10:244:1::7', protocol: 58, icmpv6Type: 135 }).verdict).toBe('accept')
  })

  test('without the guard the same new pod is open (the window it closes)', () => {
    expect(plain.evaluate(t('10.244.2.3', '10.244.1.50')).verdict).toBe('accept')
  })

  test('audit mode logs the unknown address and lets the other end decide', () => {
    const audit = loaded(compilePolicies(c, { ...opts, mode: 'audit' }))
    const open = audit.evaluate(t('10.244.2.3', '10.244.1.50'))
    expect(open.verdict).toBe('accept')
    expect(open.logs.map((l) => l.prefix)).toEqual(['netpol audit ingress unknown'])
    // a new pod to an isolated pod it may not reach: both lines, the unknown source and the policy
    const both = audit.evaluate(t('10.244.1.50', '10.244.1.5'))
    expect(both.verdict).toBe('accept')
    expect(both.logs.map((l) => l.prefix)).toEqual(['netpol audit egress unknown', 'netpol audit ingress'])
  })

  test('the pod getting its address is a one-element change of the known set (and its rules)', () => {
    const before = compilePolicies(c, opts)
    const newPod = pod('db/new', {}, { ips: ['10.244.1.50'], hostIPs: ['192.168.0.10'], nodeName: 'n1' })
    const after = compilePolicies(cluster({ namespaces: [shop, db], pods: [...c.pods, newPod], policies: [...c.policies] }), { ...opts, previous: before })
    const tx = diffTables(before.table, after.table)
    const known = tx.ops.filter((o) => (o.op === 'add-elements' || o.op === 'delete-elements') && o.set.name === 'known4')
    expect(known).toMatchObject([{ op: 'add-elements', elements: [{ key: [{ lo: ip('10.244.1.50').value }] }] }])
    expect(tx.ops.some((o) => o.op !== 'add-elements' && o.op !== 'delete-elements')).toBe(false)
    const fake = loaded(before)
    expect(fake.runSync(tx)).toMatchObject({ ok: true })
    expect(fake.evaluate(t('10.244.2.3', '10.244.1.50')).verdict).toBe('accept')
  })
})

describe("a known pod's verdicts are those without the guard", () => {
  const NODE_CIDRS = cidrs('10.0.0.0/23', 'fd00::/120')
  const inCidr = (a: IpAddress) => NODE_CIDRS.some((c) => c.family === a.family && a.value >= c.first && a.value <= c.last)
  const unknown = (c: Cluster, managed: (p: Pod) => boolean, a: IpAddress) =>
    inCidr(a) && !c.pods.some((p) => (p.ips.some((x) => x.family === a.family && x.value === a.value)) || p.hostIPs.some((x) => x.family === a.family && x.value === a.value))

  test('every pod pair, external address and port: unchanged unless an end is unknown, then dropped', () => {
    fc.assert(
      fc.property(clusters, fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), fc.constantFrom('enforce' as const, 'audit' as const), (c, picks, mode) => {
        const managed = (p: Pod) => picks[c.pods.indexOf(p) % 8]!
        const opts = { managed, mode, table: 'netpol', logGroup: 3 }
        const plain = loaded(compilePolicies(c, opts))
        const guarded = loaded(compilePolicies(c, { ...opts, podCidrs: NODE_CIDRS }))
        const addrs = [...c.pods.flatMap((p) => p.ips), ...EXTERNAL_IPS.map(ip), ip('10.0.1.200'), ip('fd00::ee')]
        const out: string[] = []
        for (const src of addrs) {
          for (const dst of addrs) {
            if (src.family !== dst.family) continue
            for (const { port: dport, protocol } of PORTS) {
              const p = { src, dst, protocol, dport }
              const want = mode === 'enforce' && (unknown(c, managed, src) || unknown(c, managed, dst)) ? 'drop' : plain.evaluate(p).verdict
              const got = guarded.evaluate(p).verdict
              if (got !== want) out.push(`${src.text} -> ${dst.text} ${dport}/${protocol}: ${got}, want ${want}`)
            }
          }
        }
        expect(out).toEqual([])
      }),
      { numRuns: 300 },
    )
  })
})
