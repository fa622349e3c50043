/**
 * Transactions on netpol's table: the smallest batch of element, chain and rule changes that turns the previous
 * version into the next, a whole replace, and their `nft -f` text. Each is one `nft -f` input, so the kernel
 * applies all of it or none. How the agent puts a whole new ruleset in force is table-generations.ts. Pure.
 */
import {
  renderBaseSpec,
  renderElement,
  renderKey,
  renderNft,
  renderRule,
  renderSetHead,
  nftComment,
  type NftChain,
  type NftElement,
  type NftSet,
  type NftTable,
} from './nft-objects.js'
import { sameSetType, type NftOp, type TableRef } from './nft-state.js'

export interface NftTransaction {
  /**
   * full: a new generation of the ruleset takes over (table-generations.ts); replace: the table is deleted and
   * made anew; incremental: elements, rules and chains changed in place; cleanup: objects of earlier
   * generations removed; delete: the table removed
   */
  readonly kind: 'full' | 'replace' | 'incremental' | 'cleanup' | 'delete'
  readonly table: TableRef
  readonly ops: readonly NftOp[]
}

export interface TransactionSize {
  readonly elementsAdded: number
  readonly elementsDeleted: number
  readonly chainsAdded: number
  readonly chainsChanged: number
  readonly chainsDeleted: number
  /** interval sets emptied and refilled (their refill counts as elements added) */
  readonly setsFlushed: number
  readonly setsDeleted: number
}

export const refOf = (t: NftTable): TableRef => ({ family: t.family, name: t.name })

/** The writer guard's one-element set (see table-generations.ts); its changes are bookkeeping, not ruleset changes. */
export const WRITER_SET = 'writer'

/**
 * Replaces the table, whether it exists or not: `table` (create if missing), `delete table`, then the whole
 * definition. If any part fails, the kernel keeps the old table untouched. Atomic for the rules, but not for a
 * packet that is inside them at the moment of the commit: see table-generations.ts, which the agent uses instead.
 */
export function fullReplace(table: NftTable): NftTransaction {
  const ref = refOf(table)
  return { kind: 'replace', table: ref, ops: [{ op: 'add-table', table: ref }, { op: 'delete-table', table: ref }, { op: 'define-table', def: table }] }
}

/** Removes the table if it exists, and nothing else (for `--uninstall`). */
export function deleteTable(ref: TableRef): NftTransaction {
  return { kind: 'delete', table: ref, ops: [{ op: 'add-table', table: ref }, { op: 'delete-table', table: ref }] }
}

/**
 * nft 1.0.6 deletes an element of an interval set in time proportional to the set's size (about 2.5 µs per element
 * held, per element deleted: 50 deletions from 50,000 elements take 7 s), while emptying the set and adding every
 * element again costs about 10 µs per element (1 s for 50,000). Above this product of deletions and set size the
 * diff empties and refills the set, in the same transaction.
 */
const FLUSH_ABOVE = 20_000

const WeakIds = new WeakMap<NftElement, string>()
/** An element's identity inside its set: its key, and for maps its value too. Cached per element object. */
function identity(set: NftSet, el: NftElement): string {
  let id = WeakIds.get(el)
  if (id === undefined) {
    id = set.data === undefined ? renderKey(set, el) : renderElement(set, el)
    WeakIds.set(el, id)
  }
  return id
}

const chainText = (c: NftChain): string => `${c.base ? renderBaseSpec(c.base) : ''}|${c.comment ?? ''}|${c.rules.map(renderRule).join('\n')}`

/**
 * The batch that turns `prev` (exactly what the kernel holds) into `next`, or a whole replace when a change cannot
 * be made in place (a set's type, a base chain's hook, the table's name; the agent then writes a new generation). Order inside the batch: new sets and
 * chains first (so that elements and rules can refer to them), element deletions before additions (a range that
 * is split or merged must leave before its successors arrive), changed chains refilled, and chains and sets
 * nothing refers to any more deleted last.
 */
export function diffTables(prev: NftTable | null, next: NftTable): NftTransaction {
  if (prev === null || prev.name !== next.name || prev.family !== next.family || prev.comment !== next.comment) return fullReplace(next)
  const ref = refOf(next)
  const prevSets = new Map(prev.sets.map((s) => [s.name, s]))
  const prevChains = new Map(prev.chains.map((c) => [c.name, c]))
  const nextChainNames = new Set(next.chains.map((c) => c.name))
  const addSets: NftOp[] = []
  const delElements: NftOp[] = []
  const addElements: NftOp[] = []
  for (const set of next.sets) {
    const old = prevSets.get(set.name)
    if (old === undefined) {
      addSets.push({ op: 'add-set', table: ref, set })
      if (set.elements.length > 0) addElements.push({ op: 'add-elements', table: ref, set, elements: set.elements })
      continue
    }
    if (!sameSetType(old, set)) return fullReplace(next)
    const before = new Map(old.elements.map((e) => [identity(old, e), e]))
    const added: NftElement[] = []
    for (const e of set.elements) {
      const id = identity(set, e)
      if (before.has(id)) before.delete(id)
      else added.push(e)
    }
    if (set.interval && before.size * old.elements.length > FLUSH_ABOVE) {
      // cheaper to empty the set and fill it again than to delete these one by one (see FLUSH_ABOVE)
      delElements.push({ op: 'flush-set', table: ref, set })
      if (set.elements.length > 0) addElements.push({ op: 'add-elements', table: ref, set, elements: set.elements })
      continue
    }
    if (before.size > 0) delElements.push({ op: 'delete-elements', table: ref, set, elements: [...before.values()] })
    if (added.length > 0) addElements.push({ op: 'add-elements', table: ref, set, elements: added })
  }
  const nextSetNames = new Set(next.sets.map((s) => s.name))
  const delSets: NftOp[] = prev.sets.filter((s) => !nextSetNames.has(s.name)).map((s) => ({ op: 'delete-set', table: ref, name: s.name, map: s.data !== undefined }))

  const addChains: NftOp[] = []
  const refill: NftOp[] = []
  for (const chain of next.chains) {
    const old = prevChains.get(chain.name)
    if (old === undefined) {
      addChains.push({ op: 'add-chain', table: ref, chain })
      for (const rule of chain.rules) refill.push({ op: 'add-rule', table: ref, chain: chain.name, rule })
      continue
    }
    if (JSON.stringify(old.base ?? null) !== JSON.stringify(chain.base ?? null) || old.comment !== chain.comment) return fullReplace(next)
    if (chainText(old) === chainText(chain)) continue
    refill.push({ op: 'flush-chain', table: ref, chain: chain.name })
    for (const rule of chain.rules) refill.push({ op: 'add-rule', table: ref, chain: chain.name, rule })
  }
  const delChains: NftOp[] = prev.chains.filter((c) => !nextChainNames.has(c.name)).map((c) => ({ op: 'delete-chain', table: ref, chain: c.name }))
  // new chains exist (empty) before anything jumps to them; their rules may use the new sets
  const newChainRules = refill.filter((o) => o.op === 'add-rule' && !prevChains.has(o.chain))
  const changed = refill.filter((o) => !(o.op === 'add-rule' && !prevChains.has(o.chain)))
  // chains that go away may jump to each other, and maps that go away may jump to them: then the chains are emptied
  // first, the sets deleted (their elements with them), and the chains last, as removeStale does
  const gone = prev.chains.filter((c) => !nextChainNames.has(c.name))
  const goneNames = new Set(gone.map((c) => c.name))
  const tangled = delSets.length > 0 || gone.some((c) => c.rules.some((r) => (r.end?.kind === 'jump' || r.end?.kind === 'goto') && goneNames.has(r.end.chain)))
  const tail: NftOp[] = tangled ? [...gone.map((c): NftOp => ({ op: 'flush-chain', table: ref, chain: c.name })), ...delSets, ...delChains] : [...delChains, ...delSets]
  return {
    kind: 'incremental',
    table: ref,
    ops: [...addSets, ...addChains, ...newChainRules, ...delElements, ...addElements, ...changed, ...tail],
  }
}

export function transactionSize(tx: NftTransaction): TransactionSize {
  let elementsAdded = 0
  let elementsDeleted = 0
  let chainsAdded = 0
  let chainsDeleted = 0
  let setsFlushed = 0
  let setsDeleted = 0
  const changed = new Set<string>()
  for (const o of tx.ops) {
    // the writer guard is bookkeeping, not a change of the ruleset
    if ((o.op === 'add-elements' || o.op === 'delete-elements') && o.set.name === WRITER_SET) continue
    if (o.op === 'add-elements') elementsAdded += o.elements.length
    if (o.op === 'delete-elements') elementsDeleted += o.elements.length
    if (o.op === 'add-chain') chainsAdded++
    if (o.op === 'delete-chain') chainsDeleted++
    if (o.op === 'delete-set') setsDeleted++
    if (o.op === 'flush-chain') changed.add(o.chain)
    if (o.op === 'flush-set') setsFlushed++
    if (o.op === 'define-table') {
      chainsAdded += o.def.chains.length
      elementsAdded += o.def.sets.reduce((n, s) => n + (s.name === WRITER_SET ? 0 : s.elements.length), 0)
    }
  }
  return { elementsAdded, elementsDeleted, chainsAdded, chainsChanged: changed.size, chainsDeleted, setsFlushed, setsDeleted }
}

export const isEmpty = (tx: NftTransaction): boolean => tx.ops.length === 0

/**
 * Elements per `add element` / `delete element` command. One transaction may hold any number of commands, but
 * nft 1.0.6 fails on one command with thousands of elements of a concatenated interval set (at about 4,000
 * "Invalid argument", and "No buffer space available" beyond); 256 is safe and as fast as any.
 */
const ELEMENTS_PER_COMMAND = 256

function elementCommands(verb: 'add' | 'delete', table: TableRef, set: NftSet, elements: readonly NftElement[]): string[] {
  const out: string[] = []
  for (let i = 0; i < elements.length; i += ELEMENTS_PER_COMMAND) {
    const chunk = elements.slice(i, i + ELEMENTS_PER_COMMAND)
    // a delete names the key only; an add names key and value
    const text = chunk.map((e) => (verb === 'add' ? renderElement(set, e) : renderKey(set, e, true))).join(', ')
    out.push(`${verb} element ${table.family} ${table.name} ${set.name} { ${text} }`)
  }
  return out
}

/** The `nft -f` text of a transaction. */
export function renderTransaction(tx: NftTransaction): string {
  const out: string[] = []
  for (const o of tx.ops) {
    switch (o.op) {
      case 'add-table':
        out.push(`add table ${o.table.family} ${o.table.name}`)
        break
      case 'delete-table':
        out.push(`delete table ${o.table.family} ${o.table.name}`)
        break
      case 'define-table':
        // the skeleton, then the elements in commands of bounded size (see renderNft)
        out.push(renderNft(o.def, false).trimEnd())
        for (const set of o.def.sets) out.push(...elementCommands('add', o.def, set, set.elements))
        break
      case 'add-chain': {
        const c = o.chain
        const body = [c.base ? renderBaseSpec(c.base) : '', c.comment !== undefined ? `comment "${nftComment(c.comment)}";` : ''].filter((x) => x !== '')
        out.push(`add chain ${o.table.family} ${o.table.name} ${c.name}${body.length > 0 ? ` { ${body.join(' ')} }` : ''}`)
        break
      }
      case 'flush-chain':
        out.push(`flush chain ${o.table.family} ${o.table.name} ${o.chain}`)
        break
      case 'delete-chain':
        out.push(`delete chain ${o.table.family} ${o.table.name} ${o.chain}`)
        break
      case 'add-rule':
        out.push(`add rule ${o.table.family} ${o.table.name} ${o.chain} ${renderRule(o.rule)}`)
        break
      case 'add-set':
        out.push(`add ${o.set.data === undefined ? 'set' : 'map'} ${o.table.family} ${o.table.name} ${o.set.name} { ${renderSetHead(o.set).join('; ')}; }`)
        break
      case 'delete-set':
        out.push(`delete ${o.map ? 'map' : 'set'} ${o.table.family} ${o.table.name} ${o.name}`)
        break
      case 'flush-set':
        out.push(`flush ${o.set.data === undefined ? 'set' : 'map'} ${o.table.family} ${o.table.name} ${o.set.name}`)
        break
      case 'add-elements':
      case 'delete-elements':
        out.push(...elementCommands(o.op === 'add-elements' ? 'add' : 'delete', o.table, o.set, o.elements))
        break
    }
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`
}

