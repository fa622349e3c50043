/**
 * An in-memory model of what the kernel holds for nftables tables, and the operations of a transaction
 * applied to it with the kernel's checks: all of a batch or nothing, deleting what is missing fails,
 * overlapping intervals fail, a chain still jumped to cannot be deleted. Pure.
 */
import {
  checkName,
  compareElements,
  isCatchAll,
  FIELD_TYPE,
  renderKey,
  type BaseChainSpec,
  type Expr,
  type NftChain,
  type NftElement,
  type NftRule,
  type NftSet,
  type NftTable,
  type Verdict,
  vmapFields,
} from './nft-objects.js'

export interface TableRef {
  readonly family: 'inet'
  readonly name: string
}

/** One command of an `nft -f` batch. */
export type NftOp =
  /** `add table`: creates the table when missing, else nothing */
  | { readonly op: 'add-table'; readonly table: TableRef }
  | { readonly op: 'delete-table'; readonly table: TableRef }
  /** `table inet X { … }`: adds the table's sets, elements, chains and rules */
  | { readonly op: 'define-table'; readonly def: NftTable }
  /** adds the chain without its rules */
  | { readonly op: 'add-chain'; readonly table: TableRef; readonly chain: NftChain }
  | { readonly op: 'flush-chain'; readonly table: TableRef; readonly chain: string }
  | { readonly op: 'delete-chain'; readonly table: TableRef; readonly chain: string }
  | { readonly op: 'add-rule'; readonly table: TableRef; readonly chain: string; readonly rule: NftRule }
  /** adds the set without its elements */
  | { readonly op: 'add-set'; readonly table: TableRef; readonly set: NftSet }
  /** `map`: the set is a map (nft names the kind in the command) */
  | { readonly op: 'delete-set'; readonly table: TableRef; readonly name: string; readonly map: boolean }
  /** removes every element of the set */
  | { readonly op: 'flush-set'; readonly table: TableRef; readonly set: NftSet }
  /** `set` names the set and gives its type (its own elements are not part of the op) */
  | { readonly op: 'add-elements'; readonly table: TableRef; readonly set: NftSet; readonly elements: readonly NftElement[] }
  | { readonly op: 'delete-elements'; readonly table: TableRef; readonly set: NftSet; readonly elements: readonly NftElement[] }

export interface SetState {
  readonly def: NftSet
  /** by rendered key */
  readonly elements: Map<string, NftElement>
}

export interface ChainState {
  readonly def: NftChain
  rules: NftRule[]
}

export interface TableState {
  readonly family: 'inet'
  readonly name: string
  readonly comment?: string
  readonly sets: Map<string, SetState>
  readonly chains: Map<string, ChainState>
}

/** Tables by `family name`. */
export type NftState = ReadonlyMap<string, TableState>

export const tableKey = (t: TableRef): string => `${t.family} ${t.name}`

export type ApplyResult = { readonly ok: true; readonly state: NftState } | { readonly ok: false; readonly error: string; readonly op: number }

class OpError extends Error {}

/** Applies every op or none: on the first failing op the input state is returned unchanged with the error. */
export function applyOps(state: NftState, ops: readonly NftOp[]): ApplyResult {
  const next = new Map<string, TableState>()
  for (const [k, t] of state) next.set(k, t)
  const copied = new Set<string>()
  const writable = (ref: TableRef): TableState => {
    const k = tableKey(ref)
    const t = next.get(k)
    if (t === undefined) throw new OpError(`No such file or directory: table ${k}`)
    if (copied.has(k)) return t
    const copy: TableState = {
      family: t.family,
      name: t.name,
      ...(t.comment !== undefined ? { comment: t.comment } : {}),
      sets: new Map([...t.sets].map(([n, s]) => [n, { def: s.def, elements: new Map(s.elements) }])),
      chains: new Map([...t.chains].map(([n, c]) => [n, { def: c.def, rules: [...c.rules] }])),
    }
    next.set(k, copy)
    copied.add(k)
    return copy
  }
  for (let i = 0; i < ops.length; i++) {
    try {
      applyOne(next, copied, writable, ops[i]!)
    } catch (err) {
      if (err instanceof OpError) return { ok: false, error: err.message, op: i }
      throw err
    }
  }
  return { ok: true, state: next }
}

function applyOne(tables: Map<string, TableState>, copied: Set<string>, writable: (ref: TableRef) => TableState, op: NftOp): void {
  switch (op.op) {
    case 'add-table': {
      const k = tableKey(op.table)
      nameOk(op.table.name)
      if (!tables.has(k)) {
        tables.set(k, { family: op.table.family, name: op.table.name, sets: new Map(), chains: new Map() })
        copied.add(k)
      }
      return
    }
    case 'delete-table': {
      const k = tableKey(op.table)
      if (!tables.has(k)) throw new OpError(`No such file or directory: table ${k}`)
      tables.delete(k)
      copied.delete(k)
      return
    }
    case 'define-table': {
      const ref: TableRef = { family: op.def.family, name: op.def.name }
      applyOne(tables, copied, writable, { op: 'add-table', table: ref })
      const t = writable(ref)
      if (op.def.comment !== undefined && t.comment === undefined) tables.set(tableKey(ref), { ...t, comment: op.def.comment })
      // nft resolves a block's names as a whole: chains exist before map elements jump to them
      for (const chain of op.def.chains) applyOne(tables, copied, writable, { op: 'add-chain', table: ref, chain })
      for (const set of op.def.sets) {
        applyOne(tables, copied, writable, { op: 'add-set', table: ref, set })
        if (set.elements.length > 0) applyOne(tables, copied, writable, { op: 'add-elements', table: ref, set, elements: set.elements })
      }
      for (const chain of op.def.chains) for (const rule of chain.rules) applyOne(tables, copied, writable, { op: 'add-rule', table: ref, chain: chain.name, rule })
      return
    }
    case 'add-chain': {
      const t = writable(op.table)
      nameOk(op.chain.name)
      const old = t.chains.get(op.chain.name)
      if (old !== undefined) {
        if (!sameBase(old.def.base, op.chain.base)) throw new OpError(`Operation not supported: chain ${op.chain.name} exists with another type`)
        return
      }
      t.chains.set(op.chain.name, { def: { ...op.chain, rules: [] }, rules: [] })
      return
    }
    case 'flush-chain':
      chainOf(writable(op.table), op.chain).rules = []
      return
    case 'delete-chain': {
      const t = writable(op.table)
      chainOf(t, op.chain)
      const by = referrers(t, op.chain)
      if (by !== null) throw new OpError(`Device or resource busy: chain ${op.chain} is used by ${by}`)
      t.chains.delete(op.chain)
      return
    }
    case 'add-rule': {
      const t = writable(op.table)
      const c = chainOf(t, op.chain)
      checkRule(t, op.rule)
      c.rules.push(op.rule)
      return
    }
    case 'add-set': {
      const t = writable(op.table)
      nameOk(op.set.name)
      const old = t.sets.get(op.set.name)
      const def: NftSet = { ...op.set, elements: [] }
      if (old !== undefined) {
        if (!sameSetType(old.def, def)) throw new OpError(`File exists: set ${op.set.name} exists with another type`)
        return
      }
      t.sets.set(op.set.name, { def, elements: new Map() })
      return
    }
    case 'delete-set': {
      const t = writable(op.table)
      const s = setOf(t, op.name)
      if ((s.def.data !== undefined) !== op.map) throw new OpError(`No such file or directory: ${op.map ? 'map' : 'set'} ${op.name}`)
      for (const [name, c] of t.chains) {
        for (const r of c.rules) if (ruleSets(r).includes(op.name)) throw new OpError(`Device or resource busy: set ${op.name} is used by chain ${name}`)
      }
      t.sets.delete(op.name)
      return
    }
    case 'flush-set':
      setOf(writable(op.table), op.set.name).elements.clear()
      return
    case 'add-elements': {
      const t = writable(op.table)
      const s = setOf(t, op.set.name)
      for (const el of op.elements) {
        checkElement(t, s.def, el)
        const k = renderKey(s.def, el)
        if (s.elements.has(k)) throw new OpError(`File exists: element ${k} in ${op.set.name}`)
        s.elements.set(k, el)
      }
      if (s.def.interval) {
        const clash = findOverlap([...s.elements.values()])
        if (clash !== null) throw new OpError(`File exists: element ${renderKey(s.def, clash[0])} overlaps ${renderKey(s.def, clash[1])} in ${op.set.name}`)
      }
      return
    }
    case 'delete-elements': {
      const t = writable(op.table)
      const s = setOf(t, op.set.name)
      for (const el of op.elements) {
        const k = renderKey(s.def, el)
        if (!s.elements.delete(k)) throw new OpError(`No such file or directory: element ${k} in ${op.set.name}`)
      }
      return
    }
  }
}

function nameOk(name: string) {
  const p = checkName(name)
  if (p !== null) throw new OpError(`syntax error: ${p}`)
}

function chainOf(t: TableState, name: string): ChainState {
  const c = t.chains.get(name)
  if (c === undefined) throw new OpError(`No such file or directory: chain ${name}`)
  return c
}

function setOf(t: TableState, name: string): SetState {
  const s = t.sets.get(name)
  if (s === undefined) throw new OpError(`No such file or directory: set ${name}`)
  return s
}

const sameBase = (a: BaseChainSpec | undefined, b: BaseChainSpec | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

export const sameSetType = (a: NftSet, b: NftSet): boolean =>
  a.key.join('.') === b.key.join('.') && a.data === b.data && a.interval === b.interval && a.comment === b.comment

function ruleSets(r: NftRule): string[] {
  const out: string[] = []
  for (const e of r.exprs) {
    if (e.op === 'in-set') out.push(e.set)
    if (e.op === 'set-mark-map') out.push(e.map)
  }
  if (r.end?.kind === 'vmap') out.push(r.end.map)
  return out
}

const jumpTarget = (v: RuleEndOrVerdict | undefined): string | null => (v !== undefined && (v.kind === 'jump' || v.kind === 'goto') ? v.chain : null)
type RuleEndOrVerdict = NftRule['end'] | Verdict

/** Who refers to chain `name` (a rule's jump or a verdict map element), or null. */
function referrers(t: TableState, name: string): string | null {
  for (const [cn, c] of t.chains) for (const r of c.rules) if (jumpTarget(r.end) === name) return `chain ${cn}`
  for (const [sn, s] of t.sets) {
    if (s.def.data !== 'verdict') continue
    for (const el of s.elements.values()) if (typeof el.value === 'object' && jumpTarget(el.value) === name) return `map ${sn}`
  }
  return null
}

function checkRule(t: TableState, r: NftRule) {
  for (const e of r.exprs) checkExpr(t, e)
  const end = r.end
  if (end === undefined) return
  if (end.kind === 'vmap') {
    const s = setOf(t, end.map)
    const fields = vmapFields(end.key)
    if (s.def.data !== 'verdict' || s.def.key.join('.') !== fields.map((f) => FIELD_TYPE[f]).join('.')) throw new OpError(`datatype mismatch: ${fields.join(' . ')} vmap @${end.map}`)
  } else if (end.kind === 'jump' || end.kind === 'goto') chainOf(t, end.chain)
}

function checkExpr(t: TableState, e: Expr) {
  if (e.op === 'in-set') {
    const s = setOf(t, e.set)
    // a verdict map answers a membership test too (nft 1.0.6: `ip saddr @eg4`)
    if (s.def.data === 'mark' || s.def.key.join('.') !== e.key.map((f) => FIELD_TYPE[f]).join('.')) throw new OpError(`datatype mismatch: ${e.key.join(' . ')} @${e.set}`)
  } else if (e.op === 'set-mark-map') {
    const s = setOf(t, e.map)
    if (s.def.data !== 'mark' || s.def.key.length !== 1 || s.def.key[0] !== FIELD_TYPE[e.from]) throw new OpError(`datatype mismatch: ct mark set ${e.from} map @${e.map}`)
  }
}

const LIMIT: Record<string, bigint> = { ipv4_addr: (1n << 32n) - 1n, ipv6_addr: (1n << 128n) - 1n, mark: (1n << 32n) - 1n, inet_proto: 255n, inet_service: 65535n }

function checkElement(t: TableState, def: NftSet, el: NftElement) {
  if (isCatchAll(el)) {
    if (def.data === undefined) throw new OpError(`set ${def.name}: a catch-all element needs a map`)
  } else if (el.key.length !== def.key.length) throw new OpError(`datatype mismatch: element of ${def.name} needs ${def.key.length} parts`)
  el.key.forEach((r, i) => {
    const max = LIMIT[def.key[i]!]!
    if (r.lo < 0n || r.hi > max || r.lo > r.hi) throw new OpError(`value out of range in element of ${def.name}`)
    if (r.lo !== r.hi && !def.interval) throw new OpError(`set ${def.name} does not take ranges: flags interval missing`)
  })
  if (def.data === undefined) {
    if (el.value !== undefined) throw new OpError(`set ${def.name} is not a map`)
  } else if (def.data === 'mark') {
    if (typeof el.value !== 'number' || el.value < 0 || el.value > 0xffffffff) throw new OpError(`map ${def.name} needs a mark`)
  } else {
    if (typeof el.value !== 'object') throw new OpError(`map ${def.name} needs a verdict`)
    const target = jumpTarget(el.value)
    if (target !== null) chainOf(t, target)
  }
}

const overlaps = (a: NftElement, b: NftElement) => a.key.every((r, i) => r.lo <= b.key[i]!.hi && b.key[i]!.lo <= r.hi)

/** Two elements whose ranges meet in every key part, if any: a sweep over the first part (the catch-all meets none). */
function findOverlap(all: NftElement[]): [NftElement, NftElement] | null {
  const elements = all.filter((el) => !isCatchAll(el))
  elements.sort((a, b) => (a.key[0]!.lo < b.key[0]!.lo ? -1 : a.key[0]!.lo > b.key[0]!.lo ? 1 : 0))
  let active: NftElement[] = []
  for (const el of elements) {
    const lo = el.key[0]!.lo
    active = active.filter((a) => a.key[0]!.hi >= lo)
    for (const a of active) if (overlaps(a, el)) return [a, el]
    active.push(el)
  }
  return null
}

/** A table of the model as typed objects: sets with sorted elements, chains with their rules, both sorted by name. */
export function tableOf(t: TableState): NftTable {
  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  return {
    family: t.family,
    name: t.name,
    ...(t.comment !== undefined ? { comment: t.comment } : {}),
    sets: [...t.sets.values()].map((s) => ({ ...s.def, elements: [...s.elements.values()].sort(compareElements) })).sort(byName),
    chains: [...t.chains.values()].map((c) => ({ ...c.def, rules: c.rules })).sort(byName),
  }
}
