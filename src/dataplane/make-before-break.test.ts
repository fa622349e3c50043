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
  s.list.flatMap((p, i) => {
    if (s.old[i] !== s.now[i]) return []
    const between = s.between?.[i] ?? s.old[i]
    return between !== s.old[i] ? [`${p.src} -> ${p.dst} ${p.dport}/${p.protocol}: ${s.old[i]}, then ${between}, then ${s.now[i]}`] : []
  })

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

  test('one change at a time (a policy added, edited or deleted; a pod added, deleted or relabelled): a packet whose verdict the change keeps has it in between too', () => {
    fc.assert(
      fc.property(clusters, clusters, fc.nat(5), fc.nat(7), fc.nat(7), (a, other, kind, i, j) => {
        expect(flapping(steps(a, oneChange(a, other, kind, i, j)))).toEqual([])
      }),
      { numRuns: 400 },
    )
  })

  test('the same with cluster policies', () => {
    fc.assert(
      fc.property(tieredClusters, tieredClusters, fc.nat(5), fc.nat(7), fc.nat(7), (a, other, kind, i, j) => {
        expect(flapping(steps(a, oneChange(a, other, kind, i, j)))).toEqual([])
      }),
      { numRuns: 200 },
    )
  })
})

/** `a` with one change, taken from `other` where it needs something new (the agent sees changes one by one). */
function oneChange(a: Cluster, other: Cluster, kind: number, i: number, j: number): Cluster {
  const at = <T>(xs: readonly T[], n: number): T | undefined => (xs.length === 0 ? undefined : xs[n % xs.length])
  const policy = at(a.policies, i)
  const pod = at(a.pods, i)
  const theirs = at(other.policies, j)
  const theirPod = at(other.pods, j)
  switch (kind) {
    case 0:
      return { ...a, policies: a.policies.filter((p) => p !== policy) }
    case 1:
      return theirs === undefined ? a : { ...a, policies: [...a.policies, { ...theirs, name: 'added' }] }
    case 2:
      return policy === undefined || theirs === undefined ? a : { ...a, policies: a.policies.map((p) => (p === policy ? { ...theirs, name: p.name, namespace: p.namespace } : p)) }
    case 3:
      return { ...a, pods: a.pods.filter((p) => p !== pod) }
    case 4:
      return pod === undefined || theirPod === undefined ? a : { ...a, pods: a.pods.map((p) => (p === pod ? { ...p, labels: theirPod.labels } : p)) }
    default: {
      // a new pod at an address no pod of `a` holds
      const taken = new Set(a.pods.flatMap((p) => p.ips.map((x) => x.text)))
      if (theirPod === undefined || theirPod.ips.some((x) => taken.has(x.text))) return a
      return { ...a, pods: [...a.pods, { ...theirPod, name: 'added' }] }
    }
  }
}
