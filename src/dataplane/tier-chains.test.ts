import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { evaluateFlow, indexCluster, podEndpoint, sideAllows, type Endpoint } from '../engine/index.js'
import { EXTERNAL_IPS, NODE_ADDRESSES, PORTS, tieredClusters } from '../../test/arbitraries.js'
import type { Cluster } from '../model/cluster.js'
import type { ClusterPolicy } from '../model/cluster-policy.js'
import { cluster, ip, namespace, nsPeer, pod, policy, port, rule, sel } from '../../test/builders.js'
import { anp, banp, cnp, crule, named, node, nsSubject, podSubject, tcp, toNamespaces, toNetworks, toNodes, toPods } from '../../test/tier-builders.js'
import { compilePolicies, type CompileOptions, type CompiledRuleset } from './compile-policies.js'
import { FakeNft, type Packet } from './fake-nft.js'
import { diffTables, fullReplace } from './nft-transaction.js'
import { planTransaction } from './table-generations.js'
import { parseTierRuleWords, tierRuleWords } from './tier-log-words.js'

// Hand-made decisions (tiers.md): Admin tier, then NetworkPolicy, then Baseline where no NetworkPolicy isolates.
const web = namespace('web', { team: 'shop' })
const db = namespace('db', { team: 'data' })
const ops = namespace('ops', { team: 'ops' })
const front = pod('web/front', { app: 'front' }, { ips: ['10.244.1.7', 'fd00::7'], hostIPs: ['192.168.0.10'] })
const pg = pod('db/pg', { app: 'pg' }, { ips: ['10.244.1.5'], hostIPs: ['192.168.0.10'], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] })
const mon = pod('ops/mon', { app: 'mon' }, { ips: ['10.244.1.9'], hostIPs: ['192.168.0.10'] })
const agent = pod('ops/agent', {}, { ips: ['192.168.0.11'], hostIPs: ['192.168.0.11'], hostNetwork: true })
const nodes = [node('n1', { role: 'worker' }, ['192.168.0.10']), node('n2', { role: 'worker' }, ['192.168.0.11'])]

const admin: ClusterPolicy[] = [
  cnp('deny-db-from-ops', 'Admin', 10, nsSubject(sel({ team: 'data' })), {
    ingress: [crule('Deny', [toNamespaces(sel({ team: 'ops' }))]), crule('Pass', [toNamespaces(sel({ team: 'shop' }))], [tcp(5432)], 'shop-to-np')],
  }),
  anp('allow-mon', 20, nsSubject(sel()), {
    ingress: [crule('Accept', [toPods(sel({ team: 'ops' }), sel({ app: 'mon' }))], [tcp(9100)])],
    egress: [crule('Deny', [toNetworks('203.0.113.0/24')])],
  }),
]
const baseline = banp(nsSubject(sel()), { ingress: [crule('Deny', [toNamespaces(sel())])], egress: [crule('Deny', [toNodes(sel({ role: 'worker' }))])] })
const pgFromShop = policy('db', 'pg-from-shop', { ingress: [rule([nsPeer(sel({ team: 'shop' }))], [port(5432)])] })

const base = (extra: Partial<Parameters<typeof cluster>[0]> = {}): Cluster =>
  cluster({ namespaces: [web, db, ops], pods: [front, pg, mon, agent], policies: [pgFromShop], clusterPolicies: [...admin, baseline], nodes, ...extra })

function load(c: Cluster, opts: Partial<CompileOptions> = {}): { fake: FakeNft; compiled: CompiledRuleset } {
  const compiled = compilePolicies(c, { managed: (p) => p.nodeName === undefined, mode: 'enforce', table: 'netpol', logGroup: 2, ...opts })
  expect(compiled.errors).toEqual([])
  const fake = new FakeNft()
  const r = fake.runSync(fullReplace(compiled.table))
  if (!r.ok) throw new Error(r.error)
  return { fake, compiled }
}

const ipOf: Record<string, string> = { 'web/front': '10.244.1.7', 'db/pg': '10.244.1.5', 'ops/mon': '10.244.1.9', 'ops/agent': '192.168.0.11' }
const flow = (from: string, to: string, dport: number, extra: Partial<Packet> = {}): Packet => ({ src: ipOf[from] ?? from, dst: ipOf[to] ?? to, protocol: 'TCP', dport, ...extra })

describe('tiers in the compiled ruleset (FakeNft)', () => {
  const { fake } = load(base())
  const cases: { from: string; to: string; port: number; hook?: 'input'; allowed: boolean; log?: string; why: string }[] = [
    { from: 'ops/mon', to: 'db/pg', port: 5432, allowed: false, log: 'netpol drop ingress [Admin] cnp/deny-db-from-ops ingress[0]', why: 'Admin Deny before every NetworkPolicy' },
    { from: 'ops/mon', to: 'web/front', port: 9100, allowed: true, why: 'Admin Accept: the Baseline Deny below is never consulted' },
    { from: 'ops/mon', to: 'web/front', port: 80, allowed: false, log: 'netpol drop ingress [Baseline] banp/default ingress[0]', why: 'no Admin rule, no NetworkPolicy isolates front: Baseline Deny' },
    { from: 'web/front', to: 'db/pg', port: 5432, allowed: true, why: 'Admin Pass, then the NetworkPolicy allows' },
    { from: 'web/front', to: 'db/pg', port: 5433, allowed: false, log: 'netpol drop ingress', why: 'Pass does not match the port; the NetworkPolicy isolates pg and allows no 5433' },
    { from: '203.0.113.7', to: 'web/front', port: 80, allowed: true, why: 'Baseline namespaces peers match pods only: the default allows' },
    { from: 'web/front', to: '203.0.113.7', port: 443, allowed: false, log: 'netpol drop egress [Admin] anp/allow-mon egress[0]', why: 'networks Deny' },
    { from: 'web/front', to: '192.168.0.11', port: 22, allowed: false, log: 'netpol drop egress [Baseline] banp/default egress[0]', why: 'nodes peer: another node' },
    { from: 'web/front', to: '192.168.0.10', port: 22, hook: 'input', allowed: false, log: 'netpol drop egress [Baseline] banp/default egress[0]', why: 'nodes peer: its own node, through the input hook' },
    { from: 'ops/agent', to: 'web/front', port: 80, allowed: true, why: 'a hostNetwork pod is no namespaces peer' },
    { from: '192.168.0.10', to: 'web/front', port: 80, allowed: true, why: "from its node: always allowed (no cluster ingress peer matches a node)" },
    { from: 'web/front', to: 'web/front', port: 80, allowed: true, why: 'a pod to itself' },
    { from: 'web/front', to: '198.51.100.1', port: 443, allowed: true, why: 'nothing decides: allowed' },
  ]
  test.each(cases)('$from → $to:$port: $why', ({ from, to, port: p, hook, allowed, log }) => {
    const e = fake.evaluate(flow(from, to, p, hook ? { hook } : {}))
    expect(e.verdict).toBe(allowed ? 'accept' : 'drop')
    if (allowed) expect(e.mark).toBe(0n)
    if (log !== undefined) expect(e.logs.map((l) => l.prefix)).toEqual([log])
    else expect(e.logs).toEqual([])
  })

  test('IPv6: the same tiers on the pod’s other address', () => {
    expect(fake.evaluate({ src: 'fd00::7', dst: '2001:db8::1', protocol: 'TCP', dport: 443 }).verdict).toBe('accept')
    const { fake: f6 } = load(base({ clusterPolicies: [cnp('no-v6-out', 'Admin', 1, nsSubject(sel()), { egress: [crule('Deny', [toNetworks('2001:db8::/32')])] })] }))
    expect(f6.evaluate({ src: 'fd00::7', dst: '2001:db8::1', protocol: 'TCP', dport: 443 }).verdict).toBe('drop')
    expect(f6.evaluate({ src: '10.244.1.7', dst: '203.0.113.1', protocol: 'TCP', dport: 443 }).verdict).toBe('accept')
  })

  test('audit: an Admin Deny is logged and let through', () => {
    const { fake: a } = load(base(), { mode: 'audit' })
    const e = a.evaluate(flow('ops/mon', 'db/pg', 5432))
    expect(e.verdict).toBe('accept')
    expect(e.logs.map((l) => l.prefix)).toEqual(['netpol audit ingress [Admin] cnp/deny-db-from-ops ingress[0]'])
  })
})

describe('ports, named ports and order', () => {
  test('first matching rule wins port by port; a named port resolves on the destination pod', () => {
    const c = cluster({
      namespaces: [web, db],
      pods: [front, pg],
      clusterPolicies: [
        cnp('a', 'Admin', 1, podSubject(sel({ team: 'data' }), sel({ app: 'pg' })), {
          ingress: [crule('Accept', [toNamespaces(sel({ team: 'shop' }))], [named('pg')]), crule('Deny', [toNamespaces(sel())], [tcp(5000, 6000)])],
        }),
        cnp('b', 'Admin', 2, nsSubject(sel({ team: 'shop' })), { egress: [crule('Deny', [toPods(sel(), sel({ app: 'pg' }))], [named('pg'), tcp(22)])] }),
      ],
    })
    const { fake } = load(c)
    // egress of front: cnp/b denies the named port pg, which resolves on pg to 5432
    expect(fake.evaluate(flow('web/front', 'db/pg', 5432)).logs.map((l) => l.prefix)).toEqual(['netpol drop egress [Admin] cnp/b egress[0]'])
    expect(fake.evaluate(flow('web/front', 'db/pg', 5433)).logs.map((l) => l.prefix)).toEqual(['netpol drop ingress [Admin] cnp/a ingress[1]'])
    expect(fake.evaluate(flow('web/front', 'db/pg', 6001)).verdict).toBe('accept')
    expect(fake.evaluate(flow('web/front', 'db/pg', 22)).verdict).toBe('drop')
  })

  test('Admin policies in their order: the lower priority number decides first', () => {
    const deny = cnp('deny', 'Admin', 5, nsSubject(sel()), { ingress: [crule('Deny', [toNamespaces(sel())])] })
    const allow = cnp('allow', 'Admin', 4, nsSubject(sel()), { ingress: [crule('Accept', [toNamespaces(sel())], [tcp(80)])] })
    const { fake } = load(cluster({ namespaces: [web, db], pods: [front, pg], clusterPolicies: [deny, allow] }))
    expect(fake.evaluate(flow('web/front', 'db/pg', 80)).verdict).toBe('accept')
    expect(fake.evaluate(flow('web/front', 'db/pg', 81)).verdict).toBe('drop')
  })

  test('a Baseline Accept does not override a NetworkPolicy that isolates', () => {
    const c = cluster({ namespaces: [web, db], pods: [front, pg], policies: [policy('db', 'deny-all', {})], clusterPolicies: [banp(nsSubject(sel()), { ingress: [crule('Accept', [toNamespaces(sel())])] })] })
    const { fake } = load(c)
    expect(fake.evaluate(flow('web/front', 'db/pg', 5432)).verdict).toBe('drop')
  })
})

describe('the cost per packet stays flat in the number of cluster policies', () => {
  test('500 Admin policies walk the same chains as 1', () => {
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => cnp(`p${String(i).padStart(3, '0')}`, 'Admin', i, nsSubject(sel({ team: i % 2 === 0 ? 'data' : 'shop' })), { ingress: [crule('Deny', [toNetworks(`203.0.${Math.floor(i / 250)}.${i % 250}/32`)], [tcp(1000 + i)])] }))
    const trace = (n: number) => load(cluster({ namespaces: [web, db], pods: [front, pg], clusterPolicies: many(n) })).fake.evaluate(flow('web/front', 'db/pg', 5432)).trace
    expect(trace(500)).toHaveLength(trace(1).length)
  })
})

describe('changes', () => {
  test('domainNames: the ruleset cannot see DNS, so the rule matches no address, and a note says so', () => {
    const c = base({ clusterPolicies: [cnp('to-docs', 'Admin', 1, nsSubject(sel()), { egress: [crule('Accept', [{ kind: 'domainNames', names: ['docs.example.com'] }]), crule('Deny', [toNetworks('0.0.0.0/0')])] })] })
    const { fake, compiled } = load(c)
    expect(compiled.notes).toContainEqual({ code: 'domain-names-not-enforced', policy: 'cnp/to-docs', rule: 'egress[0]' })
    expect(fake.evaluate(flow('web/front', '198.51.100.1', 443)).verdict).toBe('drop')
  })

  test('no cluster policies: not a single tier object', () => {
    const { compiled } = load(cluster({ namespaces: [db], pods: [pg], policies: [pgFromShop] }))
    expect(compiled.tiers).toBeUndefined()
    expect(compiled.table.chains.map((c) => c.name)).not.toContain('side_eg')
  })

  test('a changed cluster policy is one incremental transaction that leaves what a whole load leaves', () => {
    const before = load(base()).compiled
    const changed = base({ clusterPolicies: [admin[0]!, anp('allow-mon', 20, nsSubject(sel()), { ingress: [crule('Accept', [toPods(sel({ team: 'ops' }), sel({ app: 'mon' }))], [tcp(9100, 9200)])] }), baseline] })
    const after = compilePolicies(changed, { managed: () => true, mode: 'enforce', table: 'netpol', logGroup: 2, previous: before })
    const tx = diffTables(before.table, after.table)
    expect(tx.kind).toBe('incremental')
    const fake = new FakeNft()
    fake.runSync(fullReplace(before.table))
    expect(fake.runSync(tx)).toMatchObject({ ok: true })
    const whole = new FakeNft()
    whole.runSync(fullReplace(after.table))
    expect(fake.dump()).toBe(whole.dump())
    expect(fake.evaluate(flow('ops/mon', 'web/front', 9150)).verdict).toBe('accept')
    expect(fake.evaluate(flow('web/front', '203.0.113.7', 443)).verdict).toBe('accept')
  })

  test('in the agent’s generations: the first cluster policy, a change, and the last one gone are each an incremental change', () => {
    const plain = cluster({ namespaces: [web, db, ops], pods: [front, pg, mon], policies: [pgFromShop] })
    const steps = [plain, base(), base({ clusterPolicies: [baseline] }), plain]
    const fake = new FakeNft()
    let previous: CompiledRuleset | undefined
    let plan = planTransaction(null, compilePolicies(steps[0]!, { managed: () => true, mode: 'enforce', table: 'netpol', logGroup: 2 }).table, { from: 0, to: 1 })
    expect(fake.runSync(plan.before!)).toMatchObject({ ok: true })
    expect(fake.runSync(plan.tx)).toMatchObject({ ok: true })
    steps.forEach((c, i) => {
      const compiled = compilePolicies(c, { managed: () => true, mode: 'enforce', table: 'netpol', logGroup: 2, ...(previous ? { previous } : {}) })
      previous = compiled
      if (i === 0) return
      plan = planTransaction(plan.written, compiled.table, { from: i, to: i + 1 })
      // at most two transactions: what new entries lead to, then the entries (make-before-break.ts)
      expect(plan.before?.kind ?? 'incremental').toBe('incremental')
      if (plan.before) expect(fake.runSync(plan.before)).toMatchObject({ ok: true })
      const r = fake.runSync(plan.tx)
      expect({ step: i, ok: r.ok, error: r.ok ? undefined : r.error }).toEqual({ step: i, ok: true, error: undefined })
    })
    expect(fake.evaluate(flow('ops/mon', 'db/pg', 5432)).verdict).toBe('drop')
    expect(fake.evaluate(flow('ops/mon', 'web/front', 80)).verdict).toBe('accept')
  })
})

test('a rule too long for the log prefix is named by a hash of its policy', () => {
  const long = 'x'.repeat(200)
  expect(tierRuleWords({ tier: 'Admin', policy: { kind: 'ClusterNetworkPolicy', name: 'deny' }, direction: 'egress', index: 2 }, 100)).toBe('[Admin] cnp/deny egress[2]')
  const hashed = tierRuleWords({ tier: 'Baseline', policy: { kind: 'BaselineAdminNetworkPolicy', name: long }, direction: 'ingress', index: 0 }, 100)
  expect(hashed).toMatch(/^\[Baseline\] banp\/#\w{11} ingress\[0\]$/)
  expect(parseTierRuleWords(hashed)).toMatchObject({ tier: 'Baseline', kind: 'BaselineAdminNetworkPolicy', name: null, direction: 'ingress', index: 0 })
  expect(parseTierRuleWords('[Admin] cnp/deny.db-1 egress[12]')).toEqual({ tier: 'Admin', kind: 'ClusterNetworkPolicy', name: 'deny.db-1', hash: null, direction: 'egress', index: 12 })
})

describe('the compiled ruleset decides as the engine does, with cluster policy tiers', () => {
  /** Every end the dataplane can tell apart: non-hostNetwork pods, and addresses (a hostNetwork pod's is its node's). */
  function ends(c: Cluster, family: 4 | 6): Endpoint[] {
    const out: Endpoint[] = []
    const seen = new Set<bigint>()
    for (const p of c.pods) {
      const e = podEndpoint(p, family)
      if (e.ip === null || seen.has(e.ip.value)) continue
      seen.add(e.ip.value)
      out.push(p.hostNetwork ? { kind: 'ip', ip: e.ip } : e)
    }
    for (const text of [...EXTERNAL_IPS, ...NODE_ADDRESSES]) {
      const a = ip(text)
      if (a.family !== family || seen.has(a.value)) continue
      seen.add(a.value)
      out.push({ kind: 'ip', ip: a })
    }
    return out
  }

  test('every pod pair, node, external address and port, both families, all pods managed', () => {
    fc.assert(
      fc.property(tieredClusters, (c) => {
        const compiled = compilePolicies(c, { managed: () => true, mode: 'enforce', table: 'netpol', logGroup: 3 })
        expect(compiled.errors).toEqual([])
        const fake = new FakeNft()
        expect(fake.runSync(fullReplace(compiled.table)).ok).toBe(true)
        const index = indexCluster(c)
        const wrong: string[] = []
        for (const family of [4, 6] as const) {
          const all = ends(c, family)
          for (const from of all) {
            for (const to of all) {
              if (from.kind === 'ip' && to.kind === 'ip') continue
              for (const { port, protocol } of PORTS) {
                const v = evaluateFlow(index, { from, to, port, protocol })
                const want = v.egress.kind === 'self' || ((from.kind !== 'pod' || sideAllows(v.egress)) && (to.kind !== 'pod' || sideAllows(v.ingress)))
                const got = fake.evaluate({ src: from.ip!, dst: to.ip!, protocol, dport: port }).verdict === 'accept'
                if (got !== want) wrong.push(`${from.ip!.text} -> ${to.ip!.text} ${port}/${protocol}: nft ${got}, engine ${want}`)
              }
            }
          }
        }
        expect(wrong).toEqual([])
      }),
      { numRuns: 300 },
    )
  }, 120_000)
})

test('with tiers, an incremental diff from any ruleset to any other leaves what loading it whole leaves', () => {
  fc.assert(
    fc.property(tieredClusters, tieredClusters, (a, b) => {
      const opts = { managed: () => true, mode: 'enforce' as const, table: 'netpol', logGroup: 3 }
      const first = compilePolicies(a, opts)
      const second = compilePolicies(b, { ...opts, previous: first })
      const fake = new FakeNft()
      expect(fake.runSync(fullReplace(first.table)).ok).toBe(true)
      const tx = diffTables(first.table, second.table)
      const r = fake.runSync(tx)
      expect(r.ok ? '' : r.error).toBe('')
      const whole = new FakeNft()
      whole.runSync(fullReplace(second.table))
      expect(fake.dump()).toBe(whole.dump())
    }),
    { numRuns: 200 },
  )
}, 120_000)
