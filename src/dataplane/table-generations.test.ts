import { describe, expect, test } from 'vitest'
import { cluster, namespace, pod, podsPeer, policy, port, rule, sel } from '../../test/builders.js'
import { compilePolicies } from './compile-policies.js'
import { FakeNft, type Packet } from './fake-nft.js'
import { checkTable } from './nft-objects.js'
import { fullReplace } from './nft-transaction.js'
import { addGeneration, inGeneration, planTransaction, removeStale, switchTo, type TableObjects } from './table-generations.js'

const db = namespace('db')
const pods = [pod('db/pg', { app: 'pg' }, { ips: ['10.244.0.5', 'fd00::5'] }), pod('db/client', { app: 'client' }, { ips: ['10.244.0.7', 'fd00::7'] })]
const deny = policy('db', 'deny', { podSelector: sel({ app: 'pg' }) })
const allow = policy('db', 'pg', { podSelector: sel({ app: 'pg' }), ingress: [rule([podsPeer(sel({ app: 'client' }))], [port(5432)])] })
const compile = (policies = [deny, allow]) => compilePolicies(cluster({ namespaces: [db], pods, policies }), { managed: () => true, mode: 'enforce', table: 'netpol', logGroup: 3 })

const packets: Packet[] = [
  { src: '10.244.0.7', dst: '10.244.0.5', protocol: 'TCP', dport: 5432 },
  { src: '10.244.0.7', dst: '10.244.0.5', protocol: 'TCP', dport: 5433 },
  { src: 'fd00::7', dst: 'fd00::5', protocol: 'TCP', dport: 5432 },
  { src: '10.244.0.5', dst: '10.244.0.7', protocol: 'UDP', dport: 53 },
  { src: '10.244.0.5', dst: '10.244.0.5', protocol: 'TCP', dport: 5433 },
]
const verdicts = (nft: FakeNft) => packets.map((p) => nft.evaluate(p).verdict)
const objects = async (nft: FakeNft): Promise<TableObjects> => {
  const r = await nft.objects({ family: 'inet', name: 'netpol' })
  if (!r.ok) throw new Error(r.error)
  return r.objects
}
/** a generation added and switched to, as the agent does on its first sync */
const install = (nft: FakeNft, table: ReturnType<typeof inGeneration>, token: number) => {
  expect(nft.runSync(addGeneration(table))).toMatchObject({ ok: true })
  expect(nft.runSync(switchTo(table, token))).toMatchObject({ ok: true })
}

describe('a generation', () => {
  test('renames every set and regular chain and every reference to them; base chains keep their names', () => {
    const t = inGeneration(compile().table, 'gx1')
    for (const s of t.sets) expect(s.name).toMatch(/_gx1$/)
    for (const c of t.chains) expect(c.name).toMatch(c.base ? /^pods_(forward|to_node)$/ : /_gx1$/)
    // every lookup, dispatch and jump resolves within the generation: nothing refers to the unsuffixed ruleset
    expect(checkTable(t)).toEqual([])
    expect(t.chains.length).toBe(compile().table.chains.length)
  })

  test('enforces what the ruleset under its own names enforces', () => {
    const plain = new FakeNft()
    plain.runSync(fullReplace(compile().table))
    const renamed = new FakeNft()
    install(renamed, inGeneration(compile().table, 'g1'), 1)
    expect(verdicts(renamed)).toEqual(verdicts(plain))
    expect(verdicts(renamed)).toEqual(['accept', 'drop', 'accept', 'accept', 'accept'])
  })
})

describe('switching generations', () => {
  test('adding a generation changes nothing in force; the switch does, and the old objects stay whole until removed', async () => {
    const nft = new FakeNft()
    const first = inGeneration(compile([deny]).table, 'ga')
    install(nft, first, 1)
    expect(verdicts(nft)).toEqual(['drop', 'drop', 'drop', 'accept', 'accept'])

    const second = inGeneration(compile().table, 'gb')
    expect(nft.runSync(addGeneration(second))).toMatchObject({ ok: true })
    expect(verdicts(nft)).toEqual(['drop', 'drop', 'drop', 'accept', 'accept'])
    expect(nft.runSync(switchTo(second, 2))).toMatchObject({ ok: true })
    expect(verdicts(nft)).toEqual(['accept', 'drop', 'accept', 'accept', 'accept'])
    // a packet still inside the old generation's rules finds all it looks up
    const held = await objects(nft)
    for (const s of first.sets) expect(held.sets.map((x) => x.name)).toContain(s.name)
    expect(nft.dump()).toContain(first.sets.find((s) => s.name === 'sel4_ga')!.name)

    const cleanup = removeStale(held, second, { from: 2, to: 3 })
    expect(cleanup.kind).toBe('cleanup')
    expect(nft.runSync(cleanup)).toMatchObject({ ok: true })
    expect(verdicts(nft)).toEqual(['accept', 'drop', 'accept', 'accept', 'accept'])
    // what is left is exactly the new generation, as if it had been the only one
    const only = new FakeNft()
    install(only, second, 3)
    expect(nft.dump()).toBe(only.dump())
    expect(removeStale(await objects(nft), second, { from: 3, to: 4 }).ops).toEqual([])
  })

  test('a cleanup computed by a writer that another writer came after fails whole and removes nothing', async () => {
    const nft = new FakeNft()
    const mine = inGeneration(compile([deny]).table, 'ga')
    install(nft, mine, 1)
    const theirs = inGeneration(compile().table, 'gb')
    install(nft, theirs, 2)
    const before = nft.dump()
    const r = nft.runSync(removeStale(await objects(nft), mine, { from: 1, to: 5 }))
    expect(r.ok).toBe(false)
    expect(nft.dump()).toBe(before)
    expect(verdicts(nft)).toEqual(['accept', 'drop', 'accept', 'accept', 'accept'])
  })

  test('a base chain of the same name on another hook: the switch fails whole and leaves what was in force', () => {
    const nft = new FakeNft()
    const t = compile().table
    const foreign = { ...t, chains: t.chains.map((c) => (c.name === 'pods_forward' ? { ...c, base: { ...c.base!, hook: 'input' as const } } : c)) }
    nft.runSync(fullReplace(foreign))
    const before = nft.dump()
    const g = inGeneration(t, 'gz')
    const add = nft.runSync(addGeneration(g))
    const sw = add.ok ? nft.runSync(switchTo(g, 9)) : add
    expect(sw.ok).toBe(false)
    if (add.ok) expect(nft.dump()).not.toContain('jump in4_') // the added generation is not in force
    expect(before).toContain('hook input')
  })
})

describe('planTransaction', () => {
  const tokens = (from: number, to: number) => ({ from, to })

  test('unknown state: a new generation named after the token, added before it is switched to', () => {
    const plan = planTransaction(null, compile().table, tokens(0, 35))
    expect(plan.written.generation).toBe('gz')
    expect(plan.before?.ops.some((o) => o.op === 'define-table')).toBe(true)
    expect(plan.before?.ops.some((o) => o.op === 'flush-chain')).toBe(false)
    expect(plan.tx.ops.filter((o) => o.op === 'flush-chain').map((o) => (o as { chain: string }).chain)).toEqual(['pods_forward', 'pods_to_node'])
  })

  test('a change within the generation is incremental, under its names, and guarded', () => {
    const nft = new FakeNft()
    const first = planTransaction(null, compile([deny]).table, tokens(0, 7))
    nft.runSync(first.before!)
    nft.runSync(first.tx)
    const next = planTransaction(first.written, compile().table, tokens(7, 8))
    // what the new entries lead to first (make-before-break.ts), then the entries, both guarded
    expect(next.before?.kind).toBe('incremental')
    expect(next.tx.kind).toBe('incremental')
    expect(next.written.generation).toBe(first.written.generation)
    expect(nft.runSync(next.before!)).toMatchObject({ ok: true })
    expect(nft.runSync(next.tx)).toMatchObject({ ok: true })
    expect(verdicts(nft)).toEqual(['accept', 'drop', 'accept', 'accept', 'accept'])
    // computed against a table another writer has written since: fails whole
    const stale = planTransaction(first.written, compile([]).table, tokens(7, 9))
    expect(nft.runSync(stale.before ?? stale.tx).ok).toBe(false)
    expect(nft.runSync(stale.tx).ok).toBe(false)
    expect(verdicts(nft)).toEqual(['accept', 'drop', 'accept', 'accept', 'accept'])
  })
})
