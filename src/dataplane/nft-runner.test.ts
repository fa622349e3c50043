/**
 * The compiled ruleset against the kernel's nftables, in scratch network namespaces. Needs root (CI runs as root);
 * elsewhere these tests are skipped.
 */
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { generateCluster } from '../../bench/generate-cluster.js'
import { buildCluster } from '../model/build-cluster.js'
import type { Cluster } from '../model/cluster.js'
import { parseCidr } from '../model/ip.js'
import { cluster, namespace, pod, podsPeer, policy, port, rule, sel } from '../../test/builders.js'
import { compilePolicies, type CompiledRuleset } from './compile-policies.js'
import { npChain } from './base-chains.js'
import { ExecNftRunner, parseChainCounters, parseSetSize } from './nft-runner.js'
import { twoPods } from '../../test/two-pods.js'
import { deleteTable, diffTables, fullReplace, type NftTransaction } from './nft-transaction.js'
import { planTransaction, removeStale } from './table-generations.js'
import { ExecConntrack, flowsToCut } from '../agent/conntrack.js'
import { HeldConnection } from '../../test/lab-traffic.js'
import { hostSupports } from '../../test/requirements.js'
import { banp, cnp, crule, nsSubject, podSubject, tcp, toNamespaces, toPods } from '../../test/tier-builders.js'

const root = hostSupports('nftables in a scratch namespace (nft-runner.test.ts)', ['ip', 'nft', 'conntrack', 'python3'])
const NS = `npt${process.pid}`
const sh = (...argv: string[]) => execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

function generated(opts: { seed: number; pods: number; namespaces: number; policies: number }): Cluster {
  const built = buildCluster(generateCluster(opts).map((value, i) => ({ file: 'generated', doc: i, pathPrefix: [], value })))
  expect(built.issues).toEqual([])
  return built.cluster
}

const compile = (c: Cluster, previous?: CompiledRuleset) =>
  compilePolicies(c, { managed: () => true, mode: 'enforce', table: 'netpol', logGroup: 4, ...(previous ? { previous } : {}) })

/** Element counts per set as the kernel holds them. */
async function kernelSizes(runner: ExecNftRunner, compiled: CompiledRuleset): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const s of compiled.table.sets) {
    const r = await runner.query(['-j', 'list', s.data === undefined ? 'set' : 'map', 'inet', compiled.table.name, s.name])
    if (!r.ok) throw new Error(r.error)
    out[s.name] = parseSetSize(r.stdout)
  }
  return out
}
const modelSizes = (compiled: CompiledRuleset) => Object.fromEntries(compiled.table.sets.map((s) => [s.name, s.elements.length]))

async function run(runner: ExecNftRunner, tx: NftTransaction) {
  const r = await runner.run(tx)
  if (!r.ok) throw new Error(r.error)
  return r
}

describe.runIf(root)('real nftables in a scratch namespace', () => {
  const runner = new ExecNftRunner({ netns: NS })
  beforeAll(() => {
    sh('ip', 'netns', 'add', NS)
  })
  afterAll(() => {
    sh('ip', 'netns', 'del', NS)
  })

  test('a 50-policy cluster: checked, loaded, changed incrementally; the kernel holds what the model says', async () => {
    const c = generated({ seed: 7, pods: 300, namespaces: 12, policies: 50 })
    const first = compile(c)
    expect(first.errors).toEqual([])
    expect(await runner.check(fullReplace(first.table))).toMatchObject({ ok: true })
    await run(runner, fullReplace(first.table))
    expect(await kernelSizes(runner, first)).toEqual(modelSizes(first))

    // a change: one more policy, and a pod gone
    const extra = policy(c.policies[0]!.namespace, 'extra', { ingress: [rule([podsPeer(sel({ app: 'nobody' }))], [port(1234)])] })
    const changed: Cluster = { ...c, pods: c.pods.slice(1), policies: [...c.policies, extra] }
    const second = compile(changed, first)
    const tx = diffTables(first.table, second.table)
    expect(tx.kind).toBe('incremental')
    await run(runner, tx)
    expect(await kernelSizes(runner, second)).toEqual(modelSizes(second))
    // applying the full table instead gives the same
    await run(runner, fullReplace(second.table))
    expect(await kernelSizes(runner, second)).toEqual(modelSizes(second))

    // from one cluster to quite another: every kind of element comes and goes
    let prev = second
    for (const seed of [8, 9, 10]) {
      const next = compile(generated({ seed, pods: 300, namespaces: 12, policies: 50 }), prev)
      await run(runner, diffTables(prev.table, next.table))
      expect(await kernelSizes(runner, next)).toEqual(modelSizes(next))
      prev = next
    }
  })

  test('a failing transaction leaves the previous ruleset in place', async () => {
    const c = generated({ seed: 3, pods: 60, namespaces: 4, policies: 10 })
    const compiled = compile(c)
    await run(runner, fullReplace(compiled.table))
    const allow = compiled.table.sets.find((s) => s.name === 'allow4')!
    // deleting an element that is not there fails the whole batch, after a change earlier in it
    const bad: NftTransaction = {
      kind: 'incremental',
      table: { family: 'inet', name: 'netpol' },
      ops: [
        { op: 'delete-elements', table: { family: 'inet', name: 'netpol' }, set: allow, elements: allow.elements.slice(0, 1) },
        { op: 'delete-elements', table: { family: 'inet', name: 'netpol' }, set: allow, elements: [{ key: [{ lo: 0xfffffffen, hi: 0xfffffffen }, { lo: 6n, hi: 6n }, { lo: 1n, hi: 1n }] }] },
      ],
    }
    const r = await runner.run(bad)
    expect(r.ok).toBe(false)
    expect(await kernelSizes(runner, compiled)).toEqual(modelSizes(compiled))
    // and a full replace that fails (a rule names a set that does not exist) leaves it too
    const broken = { ...compiled.table, chains: compiled.table.chains.map((ch) => (ch.base ? { ...ch, rules: [...ch.rules, { exprs: [{ op: 'in-set' as const, key: ['ip saddr' as const], set: 'missing' }], end: { kind: 'drop' as const } }] } : ch)) }
    expect((await runner.run(fullReplace(broken))).ok).toBe(false)
    expect(await kernelSizes(runner, compiled)).toEqual(modelSizes(compiled))
  })

  test('generations: added beside the one in force, switched to, listed back, and the old one removed', async () => {
    await run(runner, deleteTable({ family: 'inet', name: 'netpol' }))
    const first = planTransaction(null, compile(generated({ seed: 11, pods: 120, namespaces: 6, policies: 20 })).table, { from: 0, to: 101 })
    await run(runner, first.before!)
    await run(runner, first.tx)
    const second = planTransaction(first.written, compile(generated({ seed: 12, pods: 120, namespaces: 6, policies: 20 })).table, { from: 101, to: 102 }, true)
    expect(second.written.generation).not.toBe(first.written.generation)
    await run(runner, second.before!)
    await run(runner, second.tx)
    const listed = await runner.objects({ family: 'inet', name: 'netpol' })
    if (!listed.ok) throw new Error(listed.error)
    const kernelNames = (o: { sets: readonly { name: string }[]; chains: readonly string[] }) => [...o.sets.map((x) => x.name), ...o.chains].sort()
    const namesOf = (t: typeof first.written.table) => [...t.sets.map((x) => x.name), ...t.chains.map((c) => c.name)]
    expect(kernelNames(listed.objects)).toEqual([...new Set([...namesOf(first.written.table), ...namesOf(second.written.table), 'writer'])].sort())
    // the base chains dispatch into the second generation only
    const fwd = await runner.query(['list', 'chain', 'inet', 'netpol', 'pods_forward'])
    expect(fwd.ok && fwd.stdout.includes(`@in4_${second.written.generation}`) && !fwd.stdout.includes(first.written.generation)).toBe(true)

    const cleanup = removeStale(listed.objects, second.written.table, { from: 102, to: 103 })
    await run(runner, cleanup)
    const after = await runner.objects({ family: 'inet', name: 'netpol' })
    expect(after.ok && kernelNames(after.objects)).toEqual([...namesOf(second.written.table), 'writer'].sort())
    // a cleanup with a stale token fails whole
    expect((await runner.run(removeStale(listed.objects, second.written.table, { from: 102, to: 104 }))).ok).toBe(false)
    const sizes = await kernelSizes(runner, { table: second.written.table } as CompiledRuleset)
    expect(sizes).toEqual(Object.fromEntries(second.written.table.sets.map((x) => [x.name, x.elements.length])))
  })

  test('uninstall removes our table and no other', async () => {
    await run(runner, fullReplace(compile(cluster({ pods: [pod('a/p', {}, { ips: ['10.244.0.9'] })] })).table))
    expect((await runner.runText('table inet other {\n chain c { type filter hook forward priority 10; policy accept; }\n}\n', false)).ok).toBe(true)
    await run(runner, deleteTable({ family: 'inet', name: 'netpol' }))
    await run(runner, deleteTable({ family: 'inet', name: 'netpol' })) // and again: nothing to do is not an error
    const tables = await runner.query(['list', 'tables'])
    expect(tables).toEqual({ ok: true, stdout: 'table inet other\n' })
  })
})

/** Two pods behind a routing node, with a TCP server in one: enough to see the ruleset decide real connections. */
describe.runIf(root)('real connections through the compiled ruleset', () => {
  const pods2 = twoPods('np')
  const { node, a, b, probe } = pods2
  const runner = new ExecNftRunner({ netns: node })
  beforeAll(() => pods2.up(), 30_000)
  afterAll(() => pods2.down())

  const db = namespace('db')
  const pods = [pod('db/pg', { app: 'pg' }, { ips: ['10.244.0.5'] }), pod('db/client', { app: 'client' }, { ips: ['10.244.0.7'] })]

  test('deny, allow one port, deny again, all incrementally; counters count the drops; strict cuts what is denied', async () => {
    const deny = policy('db', 'deny', { podSelector: sel({ app: 'pg' }) })
    const denyAll = compile(cluster({ namespaces: [db], pods, policies: [deny] }))
    await run(runner, fullReplace(denyAll.table))
    expect(probe(b, '10.244.0.5', 5432)).toBe('TIMEOUT')

    const allowPolicies = [deny, policy('db', 'pg', { podSelector: sel({ app: 'pg' }), ingress: [rule([podsPeer(sel({ app: 'client' }))], [port(5432)])] })]
    const allowCluster = cluster({ namespaces: [db], pods, policies: allowPolicies })
    const allow = compile(allowCluster, denyAll)
    await run(runner, diffTables(denyAll.table, allow.table))
    expect(probe(b, '10.244.0.5', 5432)).toBe('OK')
    expect(probe(b, '10.244.0.5', 5433)).toBe('TIMEOUT')

    // the drops of isolated pods' ingress are counted by the chain that decides it
    const counters = await runner.query(['-j', 'list', 'chain', 'inet', 'netpol', npChain(4, 'ingress')])
    expect(counters.ok).toBe(true)
    const drops = parseChainCounters((counters as { stdout: string }).stdout)
    expect(drops.at(-1)!.packets).toBeGreaterThan(0)

    // a connection opened while allowed: its conntrack mark, the scratch space of its first packet, is 0 again
    const held = new HeldConnection(b, '10.244.0.5', 5432)
    await held.opened
    expect(await held.echo()).toBe('echo')
    expect(sh('ip', 'netns', 'exec', node, 'conntrack', '-L', '-p', 'tcp', '--dport', '5432')).toMatch(/ESTABLISHED.*mark=0/)

    // tightened again (single-value elements deleted); established connections live on without --strict
    const again = compile(cluster({ namespaces: [db], pods, policies: [deny] }), allow)
    await run(runner, diffTables(allow.table, again.table))
    expect(probe(b, '10.244.0.5', 5432)).toBe('TIMEOUT')
    expect(await held.echo()).toBe('echo')

    // --strict: the engine says the flow is denied now, conntrack forgets it, and its next packet is dropped
    const ct = new ExecConntrack(node)
    const cut = flowsToCut(cluster({ namespaces: [db], pods, policies: [deny] }), () => true, await ct.list())
    // the held connection, and the probes' connections in TIME_WAIT
    expect(new Set(cut.map((f) => `${f.src}->${f.dst}:${f.dport}/${f.protocol}`))).toEqual(new Set(['10.244.0.7->10.244.0.5:5432/TCP']))
    for (const f of cut) expect(await ct.remove(f)).toBe(true)
    expect(await held.echo()).toBe('timeout')
    held.close()
  })

  test('the unknown-pod guard: a pod the ruleset does not know yet is dropped, and decided by its policy once known', async () => {
    const podCidrs = [parseCidr('10.244.0.0/24')!]
    const guarded = (c: Cluster, previous?: CompiledRuleset) => compilePolicies(c, { managed: () => true, mode: 'enforce', table: 'netpol', logGroup: 4, podCidrs, ...(previous ? { previous } : {}) })
    const client = pods[1]!
    const onlyClient = cluster({ namespaces: [db], pods: [client], policies: [] })
    // without the guard, the server's address is in no map: open (the window)
    await run(runner, fullReplace(compile(onlyClient).table))
    expect(probe(b, '10.244.0.5', 5432)).toBe('OK')
    // with it: the address is in the node's pod CIDR and no known pod's, so dropped, both ways
    const before = guarded(onlyClient)
    await run(runner, fullReplace(before.table))
    expect(probe(b, '10.244.0.5', 5432)).toBe('TIMEOUT')
    expect(probe(a, '10.244.0.7', 5432)).toBe('TIMEOUT')
    const counters = await runner.query(['-j', 'list', 'chain', 'inet', 'netpol', 'unknown_in'])
    expect(counters.ok && parseChainCounters(counters.stdout).at(-1)!.packets).toBeGreaterThan(0)
    // its pod arrives with its policy: one incremental transaction, and the policy decides
    const policies = [policy('db', 'pg', { podSelector: sel({ app: 'pg' }), ingress: [rule([podsPeer(sel({ app: 'client' }))], [port(5432)])] })]
    const after = guarded(cluster({ namespaces: [db], pods, policies }), before)
    const tx = diffTables(before.table, after.table)
    expect(tx.kind).toBe('incremental')
    await run(runner, tx)
    expect(probe(b, '10.244.0.5', 5432)).toBe('OK')
    expect(probe(b, '10.244.0.5', 5433)).toBe('TIMEOUT')
    // and when it is gone, its address is unknown again
    const gone = guarded(onlyClient, after)
    await run(runner, diffTables(after.table, gone.table))
    expect(probe(b, '10.244.0.5', 5432)).toBe('TIMEOUT')
  })

  test('cluster policy tiers: Admin Accept over a NetworkPolicy, Admin Deny, Pass to the NetworkPolicy or on to Baseline, each change one transaction', async () => {
    const deny = policy('db', 'deny', { podSelector: sel({ app: 'pg' }) })
    const pgSubject = podSubject(sel(), sel({ app: 'pg' }))
    const fromClient = toPods(sel(), sel({ app: 'client' }))
    const tiered = (c: Cluster, previous?: CompiledRuleset) => {
      const r = compile(c, previous)
      expect(r.errors).toEqual([])
      return r
    }
    // Admin Accept on 5432: the NetworkPolicy that isolates pg is never consulted there
    const first = tiered(cluster({ namespaces: [db], pods, policies: [deny], clusterPolicies: [cnp('pg', 'Admin', 10, pgSubject, { ingress: [crule('Accept', [fromClient], [tcp(5432)])] })] }))
    await run(runner, fullReplace(first.table))
    expect(probe(b, '10.244.0.5', 5432)).toBe('OK')
    expect(probe(b, '10.244.0.5', 5433)).toBe('TIMEOUT')
    const held = new HeldConnection(b, '10.244.0.5', 5432)
    await held.opened
    expect(sh('ip', 'netns', 'exec', node, 'conntrack', '-L', '-p', 'tcp', '--dport', '5432')).toMatch(/ESTABLISHED.*mark=0/)
    held.close()

    // the rule turned to Deny: one incremental transaction; its chain counts the drop
    const bb = tiered(cluster({ namespaces: [db], pods, policies: [deny], clusterPolicies: [cnp('pg', 'Admin', 10, pgSubject, { ingress: [crule('Deny', [fromClient], [tcp(5432)])] })] }), first)
    const tx = diffTables(first.table, bb.table)
    expect(tx.kind).toBe('incremental')
    await run(runner, tx)
    expect(probe(b, '10.244.0.5', 5432)).toBe('TIMEOUT')
    const denyChain = [...bb.tiers!.rules.values()].find((r) => r.policy.name === 'pg')!.chain
    const counters = await runner.query(['-j', 'list', 'chain', 'inet', 'netpol', denyChain])
    expect(counters.ok && parseChainCounters(counters.stdout).at(-1)!.packets).toBeGreaterThan(0)

    // no NetworkPolicy: Pass on 5433 goes past the (empty) NetworkPolicy tier to the Baseline Deny
    const banpDeny = banp(nsSubject(sel()), { ingress: [crule('Deny', [toNamespaces(sel())])] })
    const pass = cnp('pg', 'Admin', 10, pgSubject, { ingress: [crule('Deny', [fromClient], [tcp(5432)]), crule('Pass', [fromClient], [tcp(5433)])] })
    const c = tiered(cluster({ namespaces: [db], pods, clusterPolicies: [pass, banpDeny] }), bb)
    await run(runner, diffTables(bb.table, c.table))
    expect(probe(b, '10.244.0.5', 5433)).toBe('TIMEOUT')
    // a NetworkPolicy that isolates pg and allows the client on 5433: the Baseline tier is no longer consulted
    const allow = policy('db', 'pg', { podSelector: sel({ app: 'pg' }), ingress: [rule([podsPeer(sel({ app: 'client' }))], [port(5433)])] })
    const d = tiered(cluster({ namespaces: [db], pods, policies: [allow], clusterPolicies: [pass, banpDeny] }), c)
    await run(runner, diffTables(c.table, d.table))
    expect(probe(b, '10.244.0.5', 5433)).toBe('OK')
    expect(probe(b, '10.244.0.5', 5432)).toBe('TIMEOUT')
    // the client: no NetworkPolicy isolates it, so the Baseline Deny holds for its ingress
    expect(probe(a, '10.244.0.7', 5432)).toBe('TIMEOUT')
    const open = tiered(cluster({ namespaces: [db], pods, policies: [allow], clusterPolicies: [pass] }), d)
    await run(runner, diffTables(d.table, open.table))
    expect(probe(a, '10.244.0.7', 5432)).toBe('REFUSED')
  }, 30_000)
})
