import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { Cluster } from '../model/cluster.js'
import { clusters, EXTERNAL_IPS, PORTS, tieredClusters } from '../../test/arbitraries.js'
import { cluster, namespace, pod, podsPeer, policy, port, rule, sel } from '../../test/builders.js'
import { compilePolicies } from './compile-policies.js'
import { FakeNft, type Packet } from './fake-nft.js'
import { planTransaction, type Plan } from './table-generations.js'

const opts = { managed: () => true, mode: 'enforce' as const, table: 'netpol', logGroup: 3 }

/** Every address pair of both clusters (and the external addresses) on every port. */
function packets(a: Cluster, b: Cluster): Packet[] {
  const addrs = new Set([...a.pods, ...b.pods].flatMap((p) => p.ips.map((x) => x.text)))
  for (const x of EXTERNAL_IPS) addrs.add(x)
  const list = [...addrs]
  const out: Packet[] = []
  for (const src of list) for (const dst of list) if (src !== dst && src.includes(':') === dst.includes(':')) for (const p of PORTS) out.push({ src, dst, protocol: p.protocol, dport: p.port })
  return out
}

/** The plan from `a`'s ruleset (loaded as the agent does) to `b`'s, and the kernel after each of its steps. */
function steps(a: Cluster, b: Cluster) {
  const first = compilePolicies(a, opts)
  const nft = new FakeNft()
  const install = planTransaction(null, first.table, { from: 0, to: 1 })
  expect(nft.runSync(install.before!)).toMatchObject({ ok: true })
  expect(nft.runSync(install.tx)).toMatchObject({ ok: true })
  const second = compilePolicies(b, { ...opts, previous: first })
  const plan: Plan = planTransaction(install.written, second.table, { from: 1, to: 2 })
  const list = packets(a, b)
  const verdicts = () => list.map((p) => nft.evaluate(p).verdict)
  const old = verdicts()
  let between: ReturnType<typeof verdicts> | null = null
  if (plan.before) {
    expect(nft.runSync(plan.before)).toMatchObject({ ok: true })
    between = verdicts()
  }
  expect(nft.runSync(plan.tx)).toMatchObject({ ok: true })
  return { plan, list, old, between, now: verdicts() }
}

/** Packets whose verdict is the same before and after the change but not in between. */
const flapping = (s: ReturnType<typeof steps>) =>
  s.between === null ? [] : s.list.flatMap((p, i) => (s.old[i] === s.now[i] && s.between![i] !== s.old[i] ? [`${p.src} -> ${p.dst} ${p.dport}/${p.protocol}: ${s.old[i]}, then ${s.between![i]}`] : []))

describe('make before break', () => {
  const db = namespace('db')
  const pg = pod('db/pg', { app: 'pg' }, { ips: ['10.244.0.5'] })
  const client = pod('db/client', { app: 'client' }, { ips: ['10.244.0.7'] })
  const allow = policy('db', 'pg', { podSelector: sel({ app: 'pg' }), ingress: [rule([podsPeer(sel({ app: 'client' }))], [port(5432)])] })
  const web = policy('db', 'web', { podSelector: sel({ tier: 'web' }), ingress: [rule([podsPeer(sel({ app: 'client' }))], [port(8080)])] })

  test('a pod moved to a new profile: its chain and what the chain looks up come first, its verdict-map entry second', () => {
    const a = cluster({ namespaces: [db], pods: [pg, client], policies: [allow, web] })
    const moved = pod('db/pg', { app: 'pg', tier: 'web' }, { ips: ['10.244.0.5'] })
    const s = steps(a, cluster({ namespaces: [db], pods: [moved, client], policies: [allow, web] }))
    const names = (ops: readonly { op: string }[], op: string) => ops.filter((o) => o.op === op).map((o) => (o as { set?: { name: string }; chain?: { name: string } | string }).set?.name ?? JSON.stringify((o as { chain?: unknown }).chain))
    expect(names(s.plan.before!.ops, 'add-chain')).toHaveLength(1)
    expect(names(s.plan.before!.ops, 'add-elements').filter((n) => !n.startsWith('writer'))).toEqual(expect.arrayContaining([expect.stringMatching(/^allow4_/)]))
    expect(names(s.plan.tx.ops, 'add-elements').filter((n) => !n.startsWith('writer'))).toEqual([expect.stringMatching(/^in4_/)])
    // in between, the old entry still leads to the old chain, whose elements are all there
    expect(s.between).toEqual(s.old)
    expect(s.now.filter((v) => v === 'accept').length).toBeGreaterThan(0)
  })

  test('from any ruleset to any other: a packet whose verdict the change keeps has it in between too', () => {
    fc.assert(
      fc.property(clusters, clusters, (a, b) => {
        expect(flapping(steps(a, b))).toEqual([])
      }),
      { numRuns: 300 },
    )
  })

  test('the same with cluster policies', () => {
    fc.assert(
      fc.property(tieredClusters, tieredClusters, (a, b) => {
        expect(flapping(steps(a, b))).toEqual([])
      }),
      { numRuns: 150 },
    )
  })
})
