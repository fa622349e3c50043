import { describe, expect, test } from 'vitest'
import { FakeNft } from './fake-nft.js'
import { CATCH_ALL, type NftChain, type NftElement, type NftSet, type NftTable } from './nft-objects.js'
import { diffTables, fullReplace, renderTransaction, transactionSize } from './nft-transaction.js'

const r = (lo: number, hi = lo) => ({ lo: BigInt(lo), hi: BigInt(hi) })
const map = (name: string, elements: NftElement[]): NftSet => ({ name, key: ['mark'], data: 'mark', interval: true, elements })
const verdicts = (elements: NftElement[]): NftSet => ({ name: 'in4', key: ['ipv4_addr'], data: 'verdict', interval: false, elements })
const chain = (name: string): NftChain => ({ name, comment: name, rules: [{ exprs: [{ op: 'counter' }], end: { kind: 'drop' } }] })
const base: NftChain = { name: 'pods_forward', base: { type: 'filter', hook: 'forward', priority: 0, policy: 'accept' }, rules: [{ exprs: [], end: { kind: 'vmap', key: 'ip daddr', map: 'in4' } }] }
const table = (sets: NftSet[], chains: NftChain[]): NftTable => ({ family: 'inet', name: 'netpol', sets, chains: [...chains, base] })
const runs = (n: number, value = 1) => Array.from({ length: n }, (_, i) => ({ key: [r(i * 4, i * 4 + 2)], value }))

/** The kernel state after applying `tx` to `from` equals the state of loading `to` whole. */
function check(from: NftTable, to: NftTable) {
  const fake = new FakeNft()
  expect(fake.runSync(fullReplace(from))).toMatchObject({ ok: true })
  const tx = diffTables(from, to)
  expect(fake.runSync(tx)).toMatchObject({ ok: true })
  const whole = new FakeNft()
  whole.runSync(fullReplace(to))
  expect(fake.dump()).toBe(whole.dump())
  return tx
}

describe('full replace', () => {
  test('create-if-missing, delete, define: one input, the big sets as element commands', () => {
    const text = renderTransaction(fullReplace(table([map('allow4', runs(300)), verdicts([])], [])))
    const lines = text.split('\n')
    expect(lines.slice(0, 3)).toEqual(['add table inet netpol', 'delete table inet netpol', 'table inet netpol {'])
    expect(text).not.toContain('elements =')
    expect(lines.filter((l) => l.startsWith('add element inet netpol allow4 {'))).toHaveLength(2)
  })
})

describe('incremental diffs', () => {
  test('a few deletions are deleted; a concatenated interval element is named with explicit ranges', () => {
    const ports: NftSet = { name: 'ports', key: ['mark', 'inet_proto', 'inet_service'], interval: true, elements: [{ key: [r(1), r(6), r(80)] }, { key: [r(2), r(6), r(80, 90)] }] }
    const tx = check(table([ports, verdicts([])], []), table([{ ...ports, elements: ports.elements.slice(1) }, verdicts([])], []))
    expect(renderTransaction(tx)).toBe('delete element inet netpol ports { 0x00000001-0x00000001 . tcp . 80-80 }\n')
  })

  test('many deletions from a big interval set empty and refill it instead', () => {
    const before = table([map('allow4', runs(2000)), verdicts([])], [])
    const after = table([map('allow4', runs(2000).filter((_, i) => i % 100 !== 0)), verdicts([])], [])
    const tx = check(before, after)
    expect(tx.ops.map((o) => o.op)).toEqual(['flush-set', 'add-elements'])
    expect(transactionSize(tx)).toMatchObject({ setsFlushed: 1, elementsAdded: 1980 })
    expect(renderTransaction(tx).split('\n')[0]).toBe('flush map inet netpol allow4')
  })

  test('a new chain exists before an element jumps to it; an old one goes after its last element', () => {
    const el = (chainName: string): NftElement => ({ key: [r(0x0af40005)], value: { kind: 'jump', chain: chainName } })
    const tx = check(table([verdicts([el('in4_old')])], [chain('in4_old')]), table([verdicts([el('in4_new')])], [chain('in4_new')]))
    expect(renderTransaction(tx).split('\n').filter((l) => l !== '')).toEqual([
      'add chain inet netpol in4_new { comment "in4_new"; }',
      'add rule inet netpol in4_new counter drop',
      'delete element inet netpol in4 { 10.244.0.5 }',
      'add element inet netpol in4 { 10.244.0.5 : jump in4_new }',
      'delete chain inet netpol in4_old',
    ])
  })

  test('nothing changed: nothing to send', () => {
    const t = table([map('allow4', runs(10)), verdicts([])], [chain('a')])
    expect(diffTables(t, { ...t, sets: t.sets.map((s) => ({ ...s, elements: [...s.elements] })) }).ops).toEqual([])
  })

  test.each([
    { name: "a set's type", to: table([{ ...map('allow4', []), interval: false }, verdicts([])], []) },
    { name: "a base chain's hook", to: { ...table([map('allow4', []), verdicts([])], []), chains: [{ ...base, base: { ...base.base!, hook: 'input' as const } }] } },
  ])('a change to $name replaces the table', ({ to }) => {
    expect(diffTables(table([map('allow4', []), verdicts([])], []), to).kind).toBe('replace')
  })
})

describe('the catch-all element of a map', () => {
  const sel = (elements: NftElement[]): NftSet => ({ name: 'sel4', key: ['ipv4_addr'], data: 'mark', interval: false, elements: [...elements, { key: CATCH_ALL, value: 0 }] })
  const classify: NftChain = {
    name: 'pods_forward',
    base: { type: 'filter', hook: 'forward', priority: 0, policy: 'accept' },
    rules: [{ exprs: [{ op: 'set-mark-map', from: 'ip daddr', map: 'sel4' }] }],
  }
  const withSel = (elements: NftElement[]): NftTable => ({ family: 'inet', name: 'netpol', sets: [sel(elements)], chains: [classify] })
  const a = 0x0a000001
  const b = 0x0a000002

  test('is written `*`, stays put while the other elements change, and answers only when no other element does', () => {
    const from = withSel([{ key: [r(a)], value: 1 }])
    const to = withSel([{ key: [r(b)], value: 2 }])
    expect(renderTransaction(fullReplace(from))).toContain('add element inet netpol sel4 { 10.0.0.1 : 0x00000001, * : 0x00000000 }')
    const tx = check(from, to)
    expect(renderTransaction(tx)).toBe('delete element inet netpol sel4 { 10.0.0.1 }\nadd element inet netpol sel4 { 10.0.0.2 : 0x00000002 }\n')
    const fake = new FakeNft()
    fake.runSync(fullReplace(to))
    expect(fake.evaluate({ src: '10.0.0.9', dst: '10.0.0.2', protocol: 'TCP', dport: 80 }).mark).toBe(2n)
    expect(fake.evaluate({ src: '10.0.0.9', dst: '10.0.0.1', protocol: 'TCP', dport: 80 }).mark).toBe(0n)
  })

  test('a set that is not a map takes none', () => {
    const set: NftSet = { name: 'known4', key: ['ipv4_addr'], interval: false, elements: [{ key: CATCH_ALL }] }
    expect(new FakeNft().runSync(fullReplace({ family: 'inet', name: 'netpol', sets: [set], chains: [] }))).toMatchObject({ ok: false })
  })
})
