/**
 * Typed nftables objects (one table with its sets, maps and chains) and their `nft -f` text.
 *
 * Only what netpol's rulesets use is modelled, so that the same objects can be rendered for the kernel and
 * interpreted by FakeNft. Names are `[A-Za-z][A-Za-z0-9_]*` (checked by {@link checkName}); anything a user
 * wrote (label values, policy names) may only appear in comments, and every comment goes through
 * {@link nftComment}.
 */
import { formatIpValue } from '../model/ip.js'

export type KeyType = 'ipv4_addr' | 'ipv6_addr' | 'mark' | 'inet_proto' | 'inet_service'
export type CtState = 'established' | 'related' | 'invalid' | 'new' | 'untracked'

/** Packet fields netpol reads. `th dport` is only read for TCP, UDP and SCTP (see the lookups that use it). */
export type Field = 'ip saddr' | 'ip daddr' | 'ip6 saddr' | 'ip6 daddr' | 'ct mark' | 'meta l4proto' | 'th dport'

export const FIELD_TYPE: Readonly<Record<Field, KeyType>> = {
  'ip saddr': 'ipv4_addr',
  'ip daddr': 'ipv4_addr',
  'ip6 saddr': 'ipv6_addr',
  'ip6 daddr': 'ipv6_addr',
  'ct mark': 'mark',
  'meta l4proto': 'inet_proto',
  'th dport': 'inet_service',
}

export type Verdict =
  | { readonly kind: 'accept' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'return' }
  | { readonly kind: 'jump'; readonly chain: string }
  | { readonly kind: 'goto'; readonly chain: string }

/** One component of an element key: an inclusive range; `lo === hi` for a single value. */
export interface KeyRange {
  readonly lo: bigint
  readonly hi: bigint
}

/**
 * A set element (no value) or a map element (`value`: a mark for `data: 'mark'`, a verdict for `data: 'verdict'`).
 * An empty key is the catch-all element (`* : VALUE`, nft ≥ 1.0.6): what a lookup finds when no other element
 * matches.
 */
export interface NftElement {
  readonly key: readonly KeyRange[]
  readonly value?: number | Verdict
}

export const CATCH_ALL: readonly KeyRange[] = []
export const isCatchAll = (el: NftElement): boolean => el.key.length === 0

/** A named set (no `data`) or map. `interval` allows ranges in the key (and needs non-overlapping elements). */
export interface NftSet {
  readonly name: string
  readonly key: readonly KeyType[]
  readonly data?: 'mark' | 'verdict'
  readonly interval: boolean
  readonly comment?: string
  readonly elements: readonly NftElement[]
}

/** The expressions and statements of a rule, run in order; a failing match ends the rule. */
export type Expr =
  | { readonly op: 'ct-state'; readonly states: readonly CtState[] }
  /** ICMPv6 neighbour and router discovery: without it isolated pods lose IPv6 altogether */
  | { readonly op: 'icmpv6-nd' }
  /** `negate`: the key is NOT in the set (`ip daddr != @known4`) */
  | { readonly op: 'in-set'; readonly key: readonly Field[]; readonly set: string; readonly negate?: boolean }
  /**
   * The conntrack mark (`ct mark`) is the rulesets' scratch register: set from a map, ORed with a constant, set,
   * compared; only the first packet of a new connection uses it, and leaves it 0 when let through. Never the packet
   * mark: kube-proxy marks a packet to be masqueraded (0x4000) before the forward hook and reads the mark after it,
   * and nft 1.0.6 cannot OR a map's answer into a mark without losing what was there ("right hand side of binary
   * operation must be constant").
   */
  | { readonly op: 'set-mark-map'; readonly from: Field; readonly map: string }
  | { readonly op: 'or-mark'; readonly value: number }
  | { readonly op: 'set-mark'; readonly value: number }
  | { readonly op: 'mark-is'; readonly value: number }
  | { readonly op: 'limit'; readonly perSecond: number; readonly burst: number }
  | { readonly op: 'counter' }
  | { readonly op: 'log'; readonly group: number; readonly prefix: string }

/**
 * What a rule ends with: a verdict, or a verdict map looked up with one field or a concatenation of fields (no
 * element: the rule does not match).
 */
export type RuleEnd = Verdict | { readonly kind: 'vmap'; readonly key: Field | readonly Field[]; readonly map: string }

/** The fields of a verdict map lookup's key, in order. */
export const vmapFields = (key: Field | readonly Field[]): readonly Field[] => (typeof key === 'string' ? [key] : key)

export interface NftRule {
  readonly exprs: readonly Expr[]
  readonly end?: RuleEnd
}

export interface BaseChainSpec {
  readonly type: 'filter'
  readonly hook: 'forward' | 'input' | 'output'
  readonly priority: number
  readonly policy: 'accept' | 'drop'
}

export interface NftChain {
  readonly name: string
  readonly base?: BaseChainSpec
  readonly comment?: string
  readonly rules: readonly NftRule[]
}

export interface NftTable {
  readonly family: 'inet'
  readonly name: string
  readonly comment?: string
  readonly sets: readonly NftSet[]
  readonly chains: readonly NftChain[]
}

export const PROTO_NUMBER = { TCP: 6, UDP: 17, SCTP: 132 } as const
const PROTO_NAME: Readonly<Record<number, string>> = { 6: 'tcp', 17: 'udp', 132: 'sctp', 58: 'ipv6-icmp', 1: 'icmp' }

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,254}$/
/** Words nft reads as keywords where a name is expected (`fwd` is one: a chain cannot be called that). */
const RESERVED = new Set(['fwd', 'forward', 'input', 'output', 'table', 'chain', 'set', 'map', 'element', 'rule', 'inet', 'ip', 'ip6', 'filter', 'accept', 'drop', 'return', 'jump', 'goto'])

/** null when `name` is safe as a table, chain or set name; else what is wrong. */
export function checkName(name: string): string | null {
  if (!NAME.test(name)) return `"${nftComment(name)}" is not a name of 1 to 255 characters of A-Z, a-z, 0-9 and _ starting with a letter`
  if (RESERVED.has(name)) return `"${name}" is an nft keyword`
  return null
}

const SAFE_COMMENT = /[A-Za-z0-9 ._/:=,+@()[\]#-]/
/** Comment text: characters outside a small safe set become %XX (UTF-8), and it is cut to 120 bytes. */
export function nftComment(text: string): string {
  let out = ''
  for (const ch of text) {
    const piece = SAFE_COMMENT.test(ch) ? ch : [...new TextEncoder().encode(ch)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('')
    if (out.length + piece.length > 120) return `${out}...`
    out += piece
  }
  return out
}

const hex32 = (n: bigint | number): string => `0x${n.toString(16).padStart(8, '0')}`

function formatValue(type: KeyType, v: bigint): string {
  switch (type) {
    case 'ipv4_addr': return formatIpValue(4, v)
    case 'ipv6_addr': return formatIpValue(6, v)
    case 'mark': return hex32(v)
    case 'inet_proto': return PROTO_NAME[Number(v)] ?? String(v)
    case 'inet_service': return String(v)
  }
}

export function renderVerdict(v: Verdict): string {
  return v.kind === 'jump' || v.kind === 'goto' ? `${v.kind} ${v.chain}` : v.kind
}

/**
 * The key part of an element as nft writes it (`10.0.0.0-10.0.0.7 . tcp . 80`). Also its identity in a set.
 * `explicitRanges` writes single values of a concatenated interval set as ranges (`80-80`): nft 1.0.6 finds
 * such an element to delete only when written that way.
 */
export function renderKey(set: Pick<NftSet, 'key' | 'interval'>, el: NftElement, explicitRanges = false): string {
  if (isCatchAll(el)) return '*'
  const ranges = explicitRanges && set.interval && set.key.length > 1
  let out = ''
  for (let i = 0; i < set.key.length; i++) {
    const type = set.key[i]!
    const r = el.key[i]!
    if (i > 0) out += ' . '
    out += formatValue(type, r.lo)
    if (r.hi !== r.lo || (ranges && type !== 'inet_proto')) out += `-${formatValue(type, r.hi)}`
  }
  return out
}

export function renderElement(set: Pick<NftSet, 'key' | 'data' | 'interval'>, el: NftElement): string {
  const key = renderKey(set, el)
  if (el.value === undefined) return key
  return `${key} : ${typeof el.value === 'number' ? hex32(el.value) : renderVerdict(el.value)}`
}

export function renderSetType(set: NftSet): string {
  const key = set.key.join(' . ')
  return set.data === undefined ? key : `${key} : ${set.data}`
}

/** `type …; flags …; comment …` of a set, without elements. */
export function renderSetHead(set: NftSet): string[] {
  const lines = [`type ${renderSetType(set)}`]
  if (set.interval) lines.push('flags interval')
  if (set.comment !== undefined) lines.push(`comment "${nftComment(set.comment)}"`)
  return lines
}

const ND_TYPES = 'nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert'

function renderExpr(e: Expr): string {
  switch (e.op) {
    case 'ct-state': return `ct state ${e.states.join(',')}`
    case 'icmpv6-nd': return `icmpv6 type { ${ND_TYPES} }`
    case 'in-set': return `${e.key.join(' . ')} ${e.negate === true ? '!= ' : ''}@${e.set}`
    case 'set-mark-map': return `ct mark set ${e.from} map @${e.map}`
    case 'or-mark': return `ct mark set ct mark or ${hex32(e.value)}`
    case 'set-mark': return `ct mark set ${hex32(e.value)}`
    case 'mark-is': return `ct mark ${hex32(e.value)}`
    case 'limit': return `limit rate ${e.perSecond}/second burst ${e.burst} packets`
    case 'counter': return 'counter'
    // queue-threshold 1: hand each line to the log daemon at once, not in batches of about a second
    case 'log': return `log prefix "${nftComment(e.prefix)}" group ${e.group} queue-threshold 1`
  }
}

export function renderRule(rule: NftRule): string {
  const parts = rule.exprs.map(renderExpr)
  if (rule.end !== undefined) parts.push(rule.end.kind === 'vmap' ? `${vmapFields(rule.end.key).join(' . ')} vmap @${rule.end.map}` : renderVerdict(rule.end))
  return parts.join(' ')
}

export function renderBaseSpec(b: BaseChainSpec): string {
  return `type ${b.type} hook ${b.hook} priority ${b.priority}; policy ${b.policy};`
}

/** Elements per line in rendered text; nft reads any length, but shorter lines keep errors readable. */
const ELEMENTS_PER_LINE = 64

export function renderElementList(set: NftSet, elements: readonly NftElement[], indent: string): string {
  const lines: string[] = []
  for (let i = 0; i < elements.length; i += ELEMENTS_PER_LINE) {
    lines.push(elements.slice(i, i + ELEMENTS_PER_LINE).map((e) => renderElement(set, e)).join(', '))
  }
  return lines.join(`,\n${indent}`)
}

/**
 * The whole table as one `table inet NAME { … }` block, elements included (`withElements: false` leaves them out:
 * nft 1.0.6 fails on a block with many thousand elements in one set, but takes them as `add element` commands).
 */
export function renderNft(table: NftTable, withElements = true): string {
  const out: string[] = [`table ${table.family} ${table.name} {`]
  if (table.comment !== undefined) out.push(`\tcomment "${nftComment(table.comment)}"`)
  for (const set of table.sets) {
    out.push(`\t${set.data === undefined ? 'set' : 'map'} ${set.name} {`)
    for (const l of renderSetHead(set)) out.push(`\t\t${l}`)
    if (withElements && set.elements.length > 0) out.push(`\t\telements = { ${renderElementList(set, set.elements, '\t\t\t')} }`)
    out.push('\t}')
  }
  for (const chain of table.chains) {
    out.push(`\tchain ${chain.name} {`)
    if (chain.base !== undefined) out.push(`\t\t${renderBaseSpec(chain.base)}`)
    if (chain.comment !== undefined) out.push(`\t\tcomment "${nftComment(chain.comment)}"`)
    for (const r of chain.rules) out.push(`\t\t${renderRule(r)}`)
    out.push('\t}')
  }
  out.push('}')
  return `${out.join('\n')}\n`
}

/** Element order used by dumps and diffs: numeric, key part by key part; the catch-all element last. */
export function compareElements(a: NftElement, b: NftElement): number {
  if (isCatchAll(a) || isCatchAll(b)) return Number(isCatchAll(a)) - Number(isCatchAll(b))
  for (let i = 0; i < a.key.length; i++) {
    const x = a.key[i]!
    const y = b.key[i]!
    if (x.lo !== y.lo) return x.lo < y.lo ? -1 : 1
    if (x.hi !== y.hi) return x.hi < y.hi ? -1 : 1
  }
  return 0
}

/** Every name the table's rules and verdict maps refer to, and every problem with its names. */
export function checkTable(table: NftTable): string[] {
  const problems: string[] = []
  const sets = new Map(table.sets.map((s) => [s.name, s]))
  const chains = new Set(table.chains.map((c) => c.name))
  for (const n of [table.name, ...sets.keys(), ...chains]) {
    const p = checkName(n)
    if (p !== null) problems.push(p)
  }
  const needChain = (c: string, where: string) => {
    if (!chains.has(c)) problems.push(`${where}: no chain ${c}`)
  }
  for (const chain of table.chains) {
    for (const rule of chain.rules) {
      for (const e of rule.exprs) {
        const name = e.op === 'in-set' ? e.set : e.op === 'set-mark-map' ? e.map : null
        if (name !== null && !sets.has(name)) problems.push(`chain ${chain.name}: no set ${name}`)
      }
      const end = rule.end
      if (end?.kind === 'vmap' && !sets.has(end.map)) problems.push(`chain ${chain.name}: no map ${end.map}`)
      if (end?.kind === 'jump' || end?.kind === 'goto') needChain(end.chain, `chain ${chain.name}`)
    }
  }
  for (const set of table.sets) {
    if (set.data !== 'verdict') continue
    for (const el of set.elements) {
      const v = el.value
      if (typeof v === 'object' && (v.kind === 'jump' || v.kind === 'goto')) needChain(v.chain, `map ${set.name}`)
    }
  }
  return problems
}
