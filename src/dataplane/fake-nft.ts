/**
 * nftables in memory, for tests: applies transactions with the kernel's all-or-nothing checks (nft-state.ts),
 * prints what it holds (`dump()`, for golden tests), and runs a packet through the base chains the way the
 * kernel would (`evaluate()`), so that compiled rulesets can be held to the engine without root.
 */
import { parseIp, type IpAddress } from '../model/ip.js'
import type { Protocol } from '../model/port.js'
import { isCatchAll, renderNft, vmapFields, type CtState, type Expr, type Field, type NftChain, type NftElement, type NftRule, type Verdict } from './nft-objects.js'
import { applyOps, tableOf, type NftState, type TableState } from './nft-state.js'
import type { NftTransaction } from './nft-transaction.js'
import type { NftRunner, ObjectsResult, RunResult } from './nft-runner.js'
import { tableKey, type TableRef } from './nft-state.js'

/** A packet as a base chain sees it. `dport` is ignored for protocols without ports. */
export interface Packet {
  readonly src: string | IpAddress
  readonly dst: string | IpAddress
  /** a name, or an IP protocol number (58: ICMPv6) */
  readonly protocol: Protocol | number
  readonly dport?: number
  /** ICMPv6 type, for protocol 58 */
  readonly icmpv6Type?: number
  /** conntrack state; default `new` */
  readonly ct?: CtState
  /** default `forward` */
  readonly hook?: 'forward' | 'input' | 'output'
}

export interface LogLine {
  readonly group: number
  readonly prefix: string
  /** the chain that logged */
  readonly chain: string
}

export interface Evaluation {
  readonly verdict: 'accept' | 'drop'
  readonly logs: readonly LogLine[]
  /** base and regular chains entered, in order */
  readonly trace: readonly string[]
  /** the conntrack mark as the connection's first packet leaves (it enters with 0); the ruleset's scratch register */
  readonly mark: bigint
}

const PROTO: Record<string, number> = { TCP: 6, UDP: 17, SCTP: 132 }
const HAS_PORTS = new Set([6, 17, 132])
const ND_TYPES = new Set([133, 134, 135, 136])

type Outcome = 'accept' | 'drop' | 'return'

interface Ctx {
  readonly family: 4 | 6
  readonly src: bigint
  readonly dst: bigint
  readonly proto: number
  readonly dport: number | undefined
  readonly icmpv6Type: number | undefined
  readonly ct: CtState
  mark: bigint
  readonly logs: LogLine[]
  readonly trace: string[]
}

export class FakeNft implements NftRunner {
  private state: NftState = new Map()
  private readonly counters = new Map<string, number>()
  /** the next `run` calls fail with these messages (to test failure handling), first in first out */
  readonly failures: string[] = []
  /** every transaction run, successful or not */
  readonly history: { tx: NftTransaction; ok: boolean }[] = []

  async run(tx: NftTransaction): Promise<RunResult> {
    return this.runSync(tx)
  }

  runSync(tx: NftTransaction): RunResult {
    const start = performance.now()
    const injected = this.failures.shift()
    if (injected !== undefined) {
      this.history.push({ tx, ok: false })
      return { ok: false, ms: performance.now() - start, error: injected }
    }
    const r = applyOps(this.state, tx.ops)
    this.history.push({ tx, ok: r.ok })
    if (!r.ok) return { ok: false, ms: performance.now() - start, error: `op ${r.op}: ${r.error}` }
    this.state = r.state
    return { ok: true, ms: performance.now() - start }
  }

  async check(tx: NftTransaction): Promise<RunResult> {
    const r = applyOps(this.state, tx.ops)
    return r.ok ? { ok: true, ms: 0 } : { ok: false, ms: 0, error: `op ${r.op}: ${r.error}` }
  }

  async objects(table: TableRef): Promise<ObjectsResult> {
    const t = this.state.get(tableKey(table))
    if (t === undefined) return { ok: true, objects: { sets: [], chains: [] } }
    return { ok: true, objects: { sets: [...t.sets.values()].map((s) => ({ name: s.def.name, map: s.def.data !== undefined })), chains: [...t.chains.keys()] } }
  }

  tableNames(): string[] {
    return [...this.state.keys()]
  }

  /** Every table, or the one named, as `nft list` would print it (sets and chains by name, elements sorted). */
  dump(name?: string): string {
    return [...this.state.values()]
      .filter((t) => name === undefined || t.name === name)
      .map((t) => renderNft(tableOf(t)))
      .join('')
  }

  /** How many packets the `counter` of rule `rule` (0-based) in `chain` has seen. */
  counter(chain: string, rule: number): number {
    return this.counters.get(`${chain}#${rule}`) ?? 0
  }

  /**
   * Runs a packet through every base chain of `hook`, lowest priority first, as the kernel does: `accept` ends one
   * base chain and the next still runs; `drop` is final; a chain's end is its policy.
   */
  evaluate(packet: Packet): Evaluation {
    const src = typeof packet.src === 'string' ? parseIp(packet.src) : packet.src
    const dst = typeof packet.dst === 'string' ? parseIp(packet.dst) : packet.dst
    if (src === null || dst === null || src.family !== dst.family) throw new RangeError('packet needs a source and destination of one family')
    const proto = typeof packet.protocol === 'number' ? packet.protocol : PROTO[packet.protocol]!
    const ctx: Ctx = {
      family: src.family,
      src: src.value,
      dst: dst.value,
      proto,
      dport: HAS_PORTS.has(proto) ? packet.dport : undefined,
      icmpv6Type: packet.icmpv6Type,
      ct: packet.ct ?? 'new',
      mark: 0n,
      logs: [],
      trace: [],
    }
    const hook = packet.hook ?? 'forward'
    const bases: { table: TableState; chain: NftChain }[] = []
    for (const t of this.state.values()) for (const c of t.chains.values()) if (c.def.base?.hook === hook) bases.push({ table: t, chain: c.def })
    bases.sort((a, b) => a.chain.base!.priority - b.chain.base!.priority)
    for (const { table, chain } of bases) {
      const out = this.runChain(table, chain.name, ctx, 0)
      const result = out === 'return' ? chain.base!.policy : out
      if (result === 'drop') return { verdict: 'drop', logs: ctx.logs, trace: ctx.trace, mark: ctx.mark }
    }
    return { verdict: 'accept', logs: ctx.logs, trace: ctx.trace, mark: ctx.mark }
  }

  private runChain(t: TableState, name: string, ctx: Ctx, depth: number): Outcome {
    if (depth > 16) throw new RangeError('chain jumps nest too deep')
    const chain = t.chains.get(name)
    if (chain === undefined) throw new RangeError(`no chain ${name}`)
    ctx.trace.push(name)
    for (let i = 0; i < chain.rules.length; i++) {
      const rule = chain.rules[i]!
      const verdict = this.runRule(t, name, i, rule, ctx)
      if (verdict === null) continue
      if (verdict.kind === 'accept' || verdict.kind === 'drop') return verdict.kind
      if (verdict.kind === 'return') return 'return'
      const out = this.runChain(t, verdict.chain, ctx, depth + 1)
      if (out !== 'return') return out
      if (verdict.kind === 'goto') return 'return'
    }
    return 'return'
  }

  /** The verdict a rule reaches, or null when it does not match (or has none). */
  private runRule(t: TableState, chain: string, i: number, rule: NftRule, ctx: Ctx): Verdict | null {
    for (const e of rule.exprs) if (!this.runExpr(t, chain, i, e, ctx)) return null
    const end = rule.end
    if (end === undefined) return null
    if (end.kind !== 'vmap') return end
    const key: bigint[] = []
    for (const f of vmapFields(end.key)) {
      const v = fieldValue(f, ctx)
      if (v === null) return null
      key.push(v)
    }
    const el = lookup(t, end.map, key)
    return el === undefined ? null : (el.value as Verdict)
  }

  private runExpr(t: TableState, chain: string, i: number, e: Expr, ctx: Ctx): boolean {
    switch (e.op) {
      case 'ct-state':
        return e.states.includes(ctx.ct)
      case 'icmpv6-nd':
        return ctx.family === 6 && ctx.proto === 58 && ctx.icmpv6Type !== undefined && ND_TYPES.has(ctx.icmpv6Type)
      case 'in-set': {
        const key: bigint[] = []
        for (const f of e.key) {
          const v = fieldValue(f, ctx)
          if (v === null) return false
          key.push(v)
        }
        return (lookup(t, e.set, key) !== undefined) !== (e.negate === true)
      }
      case 'set-mark-map': {
        const v = fieldValue(e.from, ctx)
        if (v === null) return false
        const el = lookup(t, e.map, [v])
        if (el === undefined) return false
        ctx.mark = BigInt(el.value as number)
        return true
      }
      case 'or-mark':
        ctx.mark |= BigInt(e.value)
        return true
      case 'set-mark':
        ctx.mark = BigInt(e.value)
        return true
      case 'mark-is':
        return ctx.mark === BigInt(e.value)
      case 'limit':
        return true
      case 'counter': {
        const k = `${chain}#${i}`
        this.counters.set(k, (this.counters.get(k) ?? 0) + 1)
        return true
      }
      case 'log':
        ctx.logs.push({ group: e.group, prefix: e.prefix, chain })
        return true
    }
  }
}

/** A field's value, or null when the packet has no such field (wrong family; no ports; no conntrack). */
function fieldValue(f: Field, ctx: Ctx): bigint | null {
  switch (f) {
    case 'ip saddr': return ctx.family === 4 ? ctx.src : null
    case 'ip daddr': return ctx.family === 4 ? ctx.dst : null
    case 'ip6 saddr': return ctx.family === 6 ? ctx.src : null
    case 'ip6 daddr': return ctx.family === 6 ? ctx.dst : null
    case 'ct mark': return ctx.mark
    case 'meta l4proto': return BigInt(ctx.proto)
    case 'th dport': return ctx.dport === undefined ? null : BigInt(ctx.dport)
  }
}

const indexes = new WeakMap<Map<string, NftElement>, NftElement[]>()

function lookup(t: TableState, setName: string, key: readonly bigint[]): NftElement | undefined {
  const s = t.sets.get(setName)
  if (s === undefined) throw new RangeError(`no set ${setName}`)
  let list = indexes.get(s.elements)
  if (list === undefined) {
    list = [...s.elements.values()]
    indexes.set(s.elements, list)
  }
  // the catch-all element answers only when no other does
  return list.find((el) => !isCatchAll(el) && el.key.every((r, i) => key[i]! >= r.lo && key[i]! <= r.hi)) ?? list.find(isCatchAll)
}
