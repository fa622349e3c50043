import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { Cluster, Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import { evaluateFlow, indexCluster, podEndpoint, sideAllows, type Endpoint } from '../engine/index.js'
import { clusters, EXTERNAL_IPS, PORTS } from '../../test/arbitraries.js'
import { cluster, ip, ipPeer, namedPort, namespace, pod, podsPeer, policy, port, rule, sel } from '../../test/builders.js'
import { compilePolicies, type CompiledRuleset } from './compile-policies.js'
import { FakeNft } from './fake-nft.js'
import { diffTables, fullReplace } from './nft-transaction.js'

/** Every flow the dataplane can see in `c` for `family`, with the engine's answer for the managed pods. */
function* flows(c: Cluster, family: Family, managed: (p: Pod) => boolean) {
  const index = indexCluster(c)
  const ends: Endpoint[] = [
    ...c.pods.map((p) => podEndpoint(p, family)).filter((e) => e.ip !== null),
    // an "external" address that a pod holds is that pod to the dataplane: leave it out
    ...EXTERNAL_IPS.map(ip)
      .filter((a) => a.family === family && !c.pods.some((p) => p.ips.some((x) => x.family === a.family && x.value === a.value)))
      .map((a): Endpoint => ({ kind: 'ip', ip: a })),
  ]
  for (const from of ends) {
    for (const to of ends) {
      if (from.kind === 'ip' && to.kind === 'ip') continue
      for (const { port, protocol } of PORTS) {
        const v = evaluateFlow(index, { from, to, port, protocol })
        // a side the agent does not manage is another node's business
        const egress = from.kind !== 'pod' || !managed(from.pod) || sideAllows(v.egress)
        const ingress = to.kind !== 'pod' || !managed(to.pod) || sideAllows(v.ingress)
        const allowed = v.egress.kind === 'self' || (egress && ingress)
        yield { from, to, port, protocol, allowed }
      }
    }
  }
}

function mismatches(c: Cluster, compiled: CompiledRuleset, fake: FakeNft, managed: (p: Pod) => boolean): string[] {
  const out: string[] = []
  for (const family of [4, 6] as const) {
    for (const f of flows(c, family, managed)) {
      const e = fake.evaluate({ src: f.from.ip!, dst: f.to.ip!, protocol: f.protocol, dport: f.port })
      const got = e.verdict === 'accept'
      if (got !== f.allowed) out.push(`${f.from.ip!.text} -> ${f.to.ip!.text} ${f.port}/${f.protocol}: nft ${got}, engine ${f.allowed}`)
      // the conntrack mark is scratch space: a connection the ruleset lets through keeps the mark it came with (0)
      if (got && e.mark !== 0n) out.push(`${f.from.ip!.text} -> ${f.to.ip!.text} ${f.port}/${f.protocol}: leaves with mark ${e.mark}`)
    }
  }
  return out
}

const loaded = (compiled: CompiledRuleset): FakeNft => {
  const fake = new FakeNft()
  const r = fake.runSync(fullReplace(compiled.table))
  if (!r.ok) throw new Error(r.error)
  return fake
}

describe('the compiled ruleset decides as the engine does', () => {
  test('every pod pair, external address and port, both families, all pods managed', () => {
    fc.assert(
      fc.property(clusters, (c) => {
        const compiled = compilePolicies(c, { managed: () => true, mode: 'enforce', table: 'netpol', logGroup: 3 })
        expect(compiled.errors).toEqual([])
        expect(mismatches(c, compiled, loaded(compiled), () => true)).toEqual([])
      }),
      { numRuns: 1000 },
    )
  })

  test('only the managed pods are filtered', () => {
    fc.assert(
      fc.property(clusters, fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), (c, picks) => {
        const managed = (p: Pod) => picks[c.pods.indexOf(p) % 8]!
        const compiled = compilePolicies(c, { managed, mode: 'enforce', table: 'netpol' })
        expect(mismatches(c, compiled, loaded(compiled), managed)).toEqual([])
      }),
      { numRuns: 200 },
    )
  })

  test('an incremental diff from any ruleset to any other gives the same kernel state as loading it whole', () => {
    fc.assert(
      fc.property(clusters, clusters, (a, b) => {
        const opts = { managed: () => true, mode: 'enforce' as const, table: 'netpol', logGroup: 3 }
        const first = compilePolicies(a, opts)
        const second = compilePolicies(b, { ...opts, previous: first })
        const fake = loaded(first)
        const r = fake.runSync(diffTables(first.table, second.table))
        expect(r).toMatchObject({ ok: true })
        expect(fake.dump()).toBe(loaded(second).dump())
        expect(mismatches(b, second, fake, () => true)).toEqual([])
      }),
      { numRuns: 200 },
    )
  })
})

describe('flows the generated clusters do not exercise', () => {
  const c = cluster({
    namespaces: [namespace('db')],
    pods: [
      pod('db/pg', { app: 'pg' }, { ips: ['10.244.0.5'], hostIPs: ['192.168.0.10'], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }),
      pod('db/node-agent', {}, { ips: ['192.168.0.10'], hostNetwork: true }),
    ],
    policies: [policy('db', 'deny-all', { egress: [] })],
  })
  const compiled = compilePolicies(c, { managed: () => true, mode: 'enforce', table: 'netpol' })
  const fake = loaded(compiled)
  test.each([
    { name: "the pod's node may always connect to it", src: '192.168.0.10', dst: '10.244.0.5', hook: 'forward' as const, want: 'accept' },
    { name: 'another address may not', src: '192.168.0.11', dst: '10.244.0.5', hook: 'forward' as const, want: 'drop' },
    { name: 'egress to the node is decided by egress policies', src: '10.244.0.5', dst: '192.168.0.10', hook: 'input' as const, want: 'drop' },
    { name: 'a pod reaches itself through a hairpin', src: '10.244.0.5', dst: '10.244.0.5', hook: 'forward' as const, want: 'accept' },
  ])('$name', ({ src, dst, hook, want }) => {
    expect(fake.evaluate({ src, dst, protocol: 'TCP', dport: 5432, hook }).verdict).toBe(want)
  })

  test('hostNetwork pods are noted, not filtered', () => {
    expect(compiled.notes).toContainEqual({ code: 'host-network-not-filtered', pod: 'db/node-agent' })
  })

  test('established traffic and neighbour discovery pass an isolated pod', () => {
    expect(fake.evaluate({ src: '192.168.0.11', dst: '10.244.0.5', protocol: 'TCP', dport: 5432, ct: 'established' }).verdict).toBe('accept')
    const v6 = compilePolicies(cluster({ pods: [pod('db/pg', {}, { ips: ['fd00::5'] })], policies: [policy('db', 'deny', { egress: [] })] }), {
      managed: () => true,
      mode: 'enforce',
      table: 'netpol',
    })
    const f6 = loaded(v6)
    expect(f6.evaluate({ src: 'fd00::6', dst: 'fd00::5', protocol: 58, icmpv6Type: 135 }).verdict).toBe('accept')
    expect(f6.evaluate({ src: 'fd00::6', dst: 'fd00::5', protocol: 58, icmpv6Type: 128 }).verdict).toBe('drop')
  })

  test('audit mode logs what enforce would drop, and lets it through', () => {
    const audit = loaded(compilePolicies(c, { managed: () => true, mode: 'audit', table: 'netpol', logGroup: 7 }))
    const r = audit.evaluate({ src: '192.168.0.11', dst: '10.244.0.5', protocol: 'TCP', dport: 5432 })
    expect(r.verdict).toBe('accept')
    expect(r.logs.map((l) => `${l.group} ${l.prefix}`)).toEqual(['7 netpol audit ingress'])
    expect(r.mark).toBe(0n)
  })
})

describe('ids stay put across compiles', () => {
  test('adding a pod of a new class changes only a few elements', () => {
    const pods = Array.from({ length: 20 }, (_, i) => pod(`ns${i % 4}/p${i}`, { app: `a${i % 5}` }, { ips: [`10.244.0.${i + 1}`] }))
    const policies = [policy('ns1', 'web', { ingress: [rule([podsPeer(sel({ app: 'a1' }))], [port(80), namedPort('http')])] }), policy('ns2', 'out', { egress: [rule([ipPeer('10.0.0.0/8')])] })]
    const opts = { managed: () => true, mode: 'enforce' as const, table: 'netpol' }
    const before = compilePolicies(cluster({ pods, policies }), opts)
    const after = compilePolicies(cluster({ pods: [...pods, pod('ns0/new', { app: 'zzz' }, { ips: ['10.244.0.99'] })], policies }), { ...opts, previous: before })
    const tx = diffTables(before.table, after.table)
    const changed = tx.ops.reduce((n, o) => n + (o.op === 'add-elements' || o.op === 'delete-elements' ? o.elements.length : 0), 0)
    expect(changed).toBeLessThanOrEqual(12)
  })
})
