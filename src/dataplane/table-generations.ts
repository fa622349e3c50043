/**
 * How a new ruleset takes over from the one in force without any packet seeing a mix of the two, or a new set
 * before its elements. Pure.
 *
 * One transaction that deletes the table and defines it anew is atomic for the rules, but not for everything a
 * rule looks up. Two windows were found in the lab, where an allowed SYN was dropped inside netpol's table (by
 * counters just before and after its hook) in a third of the runs of 40 replaces under a connection stream:
 * - a packet already inside the old rules at the commit goes on through them, while its lookups see the new
 *   generation, in which the old table's elements are gone;
 * - the new rules are live from the commit on, but a set that keeps a lookup copy (the concatenated interval set
 *   behind `ports`) shows the elements added in a transaction only once the kernel has gone through the whole
 *   batch, a moment later: meanwhile its lookups miss.
 *
 * So the agent never deletes the table, and a new ruleset is a new generation of objects beside the old one:
 * 1. `addGeneration`: one transaction adds the generation's sets, with their elements, and its chains, named
 *    `NAME_gID`. Nothing refers to them yet.
 * 2. `switchTo`: a second transaction refills the base chains (which keep their names and hooks) to dispatch into
 *    the new generation, whose sets are complete by then. The old generation is untouched, so a packet still
 *    inside its rules finds every element it looks up; the next packet starts in the new rules.
 * 3. `removeStale`: a later transaction, once no packet can still be inside the old rules, deletes every set and
 *    chain that the generation in force does not use.
 * Changes within a generation are incremental transactions (diffTables), on the generation's names, split in two
 * when a new entry leads to new elements or chains (make-before-break.ts).
 *
 * Every transaction that changes what is in force is guarded by a writer token; see {@link WRITER_SET}.
 */
import type { NftChain, NftElement, NftRule, NftSet, NftTable, Verdict } from './nft-objects.js'
import type { NftOp } from './nft-state.js'
import { diffTables, fullReplace, isEmpty, refOf, WRITER_SET, type NftTransaction } from './nft-transaction.js'
import { makeBeforeBreak } from './make-before-break.js'

/** What the kernel holds after a transaction: the ruleset under the names of its generation. */
export interface Written {
  /** the suffix of the generation's names */
  readonly generation: string
  readonly table: NftTable
}

/**
 * The writer guard: the set {@link WRITER_SET} holds one token, of the last transaction that wrote the table. An
 * incremental transaction is only right for the table it was computed against; another writer (`netpol agent
 * --once`, a second agent, an operator's `nft -f`) may have replaced it with one whose class and profile numbers
 * differ, and element additions and deletions by key could then succeed and leave a mix of both. So a guarded
 * transaction first deletes the token it expects, and fails as a whole (the kernel keeps its table) when another
 * writer came in between.
 */
export interface WriterTokens {
  /** the token the kernel's table holds, as this writer last wrote it */
  readonly from: number
  /** the token this transaction leaves */
  readonly to: number
}

const writerSet = (token: number): NftSet => ({
  name: WRITER_SET,
  key: ['mark'],
  interval: false,
  comment: 'token of the last writer: a change computed against another table fails and is made whole',
  elements: [{ key: [{ lo: BigInt(token), hi: BigInt(token) }] }],
})

/** A generation's suffix, from the token of the transaction that makes it: base 36 keeps names short. */
export const generationOf = (token: number): string => `g${token.toString(36)}`

/**
 * `table` under the names of generation `generation`: every set and every regular chain gets the suffix, and so
 * does every reference to them (lookups, verdict maps, jumps). Base chains keep their names: they are the fixed
 * entry points that each generation's first transaction refills.
 */
export function inGeneration(table: NftTable, generation: string): NftTable {
  const suffixed = (name: string): string => `${name}_${generation}`
  const regular = new Set(table.chains.filter((c) => c.base === undefined).map((c) => c.name))
  const chain = (name: string): string => (regular.has(name) ? suffixed(name) : name)
  const verdict = (v: Verdict): Verdict => (v.kind === 'jump' || v.kind === 'goto' ? { kind: v.kind, chain: chain(v.chain) } : v)
  const rule = (r: NftRule): NftRule => ({
    exprs: r.exprs.map((e) => (e.op === 'in-set' ? { ...e, set: suffixed(e.set) } : e.op === 'set-mark-map' ? { ...e, map: suffixed(e.map) } : e)),
    ...(r.end === undefined ? {} : { end: r.end.kind === 'vmap' ? { ...r.end, map: suffixed(r.end.map) } : verdict(r.end) }),
  })
  const element = (el: NftElement): NftElement => (typeof el.value === 'object' ? { ...el, value: verdict(el.value) } : el)
  return {
    ...table,
    sets: table.sets.map((s) => ({ ...s, name: suffixed(s.name), elements: s.data === 'verdict' ? s.elements.map(element) : s.elements })),
    chains: table.chains.map((c): NftChain => ({ ...c, name: chain(c.name), rules: c.rules.map(rule) })),
  }
}

/** The ops that replace the token `from` by `to` (`from` absent: whatever token the table holds). */
function guard(table: NftTable, tokens: { readonly from?: number; readonly to: number }): { before: NftOp[]; after: NftOp[] } {
  const ref = refOf(table)
  const to = writerSet(tokens.to)
  const before: NftOp[] =
    tokens.from === undefined
      ? [{ op: 'add-set', table: ref, set: to }, { op: 'flush-set', table: ref, set: to }]
      : [{ op: 'delete-elements', table: ref, set: writerSet(tokens.from), elements: writerSet(tokens.from).elements }]
  return { before, after: [{ op: 'add-elements', table: ref, set: to, elements: to.elements }] }
}

/**
 * Adds generation `table` (see inGeneration) to the kernel's table, creating the table and its base chains (without
 * rules: they accept) when missing: every set with its elements and every regular chain, all unused until
 * {@link switchTo}. Changes nothing that is in force but the writer's token, when `token` is given (whatever token
 * was there): here rather than in the switch, because any change to a set makes nft 1.0.6 read every element of
 * the table first (0.9 s at 10k pods), which a switch of a few rules would otherwise pay for.
 */
export function addGeneration(table: NftTable, token?: number): NftTransaction {
  const ref = refOf(table)
  const { before, after } = token === undefined ? { before: [], after: [] } : guard(table, { to: token })
  return {
    kind: 'full',
    table: ref,
    ops: [
      { op: 'add-table', table: ref },
      { op: 'define-table', def: { ...table, chains: table.chains.map((c) => (c.base === undefined ? c : { ...c, rules: [] })) } },
      ...before,
      ...after,
    ],
  }
}

/**
 * Makes generation `table`, added before by {@link addGeneration}, the ruleset in force: refills the base chains to
 * dispatch into it, and, when `token` is given, leaves it as the writer's, whatever token was there (the agent
 * gives it to addGeneration instead). Objects of other generations stay until {@link removeStale}. Fails as a
 * whole when a base chain of the same name is on another hook; {@link replaceWhole} is the way out then.
 */
export function switchTo(table: NftTable, token?: number): NftTransaction {
  const ref = refOf(table)
  const { before, after } = token === undefined ? { before: [], after: [] } : guard(table, { to: token })
  const ops: NftOp[] = [...before, ...after]
  for (const c of table.chains) {
    if (c.base === undefined) continue
    // `add chain` with the hook: the chain is there, on this hook, or the transaction fails
    ops.push({ op: 'add-chain', table: ref, chain: c }, { op: 'flush-chain', table: ref, chain: c.name })
    for (const rule of c.rules) ops.push({ op: 'add-rule', table: ref, chain: c.name, rule })
  }
  return { kind: 'full', table: ref, ops }
}

/** Deletes the table and defines `table` anew, with the writer's token: for a table a switch cannot build on. */
export function replaceWhole(table: NftTable, token: number): NftTransaction {
  return fullReplace({ ...table, sets: [...table.sets, writerSet(token)] })
}

/** The names a table holds in the kernel (read back with `nft list`, see NftRunner.objects). */
export interface TableObjects {
  readonly sets: readonly { readonly name: string; readonly map: boolean }[]
  readonly chains: readonly string[]
}

/**
 * Deletes every set, map and chain of the kernel's table (as `held`) that the generation in force (`keep`) does
 * not hold: regular chains are emptied first, so that nothing refers to a set any more, then sets and maps go, so
 * that no verdict map jumps to a chain any more, then the chains. Guarded: when another writer wrote the table
 * since `tokens.from`, the transaction fails and deletes nothing. Empty when nothing is stale.
 */
export function removeStale(held: TableObjects, keep: NftTable, tokens: WriterTokens): NftTransaction {
  const ref = refOf(keep)
  const keepSets = new Set([...keep.sets.map((s) => s.name), WRITER_SET])
  const keepChains = new Set(keep.chains.map((c) => c.name))
  const chains = held.chains.filter((c) => !keepChains.has(c))
  const sets = held.sets.filter((s) => !keepSets.has(s.name))
  if (chains.length === 0 && sets.length === 0) return { kind: 'cleanup', table: ref, ops: [] }
  const { before, after } = guard(keep, tokens)
  return {
    kind: 'cleanup',
    table: ref,
    ops: [
      ...before,
      ...chains.map((chain): NftOp => ({ op: 'flush-chain', table: ref, chain })),
      ...sets.map((s): NftOp => ({ op: 'delete-set', table: ref, name: s.name, map: s.map })),
      ...chains.map((chain): NftOp => ({ op: 'delete-chain', table: ref, chain })),
      ...after,
    ],
  }
}

export interface Plan {
  /**
   * committed before `tx`: for a new generation, its objects (see the top of this file); for a change within the
   * generation, what the change's new entries lead to (make-before-break.ts)
   */
  readonly before?: NftTransaction
  readonly tx: NftTransaction
  /** what the kernel holds once `tx` is applied */
  readonly written: Written
}

/**
 * What to send to go from `applied` (what this writer last wrote; null when the kernel's table is unknown) to the
 * compiled ruleset `next`: a guarded incremental change within `applied`'s generation, or, when that cannot be
 * (unknown state, a set's type changed, `full`), a new generation named after `tokens.to`, added and then
 * switched to.
 */
export function planTransaction(applied: Written | null, next: NftTable, tokens: WriterTokens, full = false): Plan {
  if (applied !== null && !full) {
    const table = inGeneration(next, applied.generation)
    const tx = diffTables(applied.table, table)
    if (tx.kind === 'incremental') {
      const written = { generation: applied.generation, table }
      if (isEmpty(tx)) return { tx, written }
      // make before break (make-before-break.ts): what new entries lead to is committed first
      const split = makeBeforeBreak(applied.table, tx.ops)
      const guarded = (ops: readonly NftOp[], t: { from: number; to: number }): NftTransaction => {
        const { before, after } = guard(table, t)
        return { ...tx, ops: [...before, ...ops, ...after] }
      }
      if (split.make.length === 0 || split.switch.length === 0) return { tx: guarded(tx.ops, tokens), written }
      return { before: guarded(split.make, tokens), tx: guarded(split.switch, { from: tokens.to, to: tokens.to }), written }
    }
  }
  const generation = generationOf(tokens.to)
  const table = inGeneration(next, generation)
  return { before: addGeneration(table, tokens.to), tx: switchTo(table), written: { generation, table } }
}
