/**
 * The one seam between netpol and the kernel's nftables: run a transaction, read one object back.
 * `ExecNftRunner` runs `nft -f -` with the transaction's text on stdin (inside a network namespace with
 * `ip netns exec NS` when asked); FakeNft (fake-nft.ts) keeps a model in memory for tests.
 */
import { spawn } from 'node:child_process'
import type { TableRef } from './nft-state.js'
import { renderTransaction, type NftTransaction } from './nft-transaction.js'
import type { TableObjects } from './table-generations.js'

export type RunResult =
  | { readonly ok: true; readonly ms: number }
  /** nothing was applied: the kernel (or the fake) rejected the whole batch */
  | { readonly ok: false; readonly ms: number; readonly error: string }

export interface NftRunner {
  /** Applies all of `tx` or none of it. Never throws: a failure is reported in the result. */
  run(tx: NftTransaction): Promise<RunResult>
  /** `nft -c`: would `tx` apply? Changes nothing. */
  check(tx: NftTransaction): Promise<RunResult>
  /** The names of the table's sets, maps and chains (none when it does not exist). Never throws. */
  objects(table: TableRef): Promise<ObjectsResult>
}

export type ObjectsResult = { readonly ok: true; readonly objects: TableObjects } | { readonly ok: false; readonly error: string }

export interface ExecOptions {
  /** run inside this network namespace (`ip netns exec NAME nft …`) */
  readonly netns?: string
  /** default `nft` (found on PATH) */
  readonly nft?: string
  /** kill nft after this long; default 60 s */
  readonly timeoutMs?: number
}

export interface ExecResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/** Runs a command with `input` on stdin, collecting its output. Never throws; a spawn error is exit code null. */
export function execWithInput(argv: readonly string[], input: string, timeoutMs = 60_000): Promise<ExecResult> {
  const start = performance.now()
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let spawnError: string | null = null
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    child.on('error', (e) => {
      spawnError = e.message
    })
    child.stdin.on('error', () => {})
    child.on('close', (code) => {
      clearTimeout(timer)
      const stderr = Buffer.concat(err).toString('utf8') + (spawnError !== null ? `${spawnError}\n` : '')
      resolve({ code: spawnError !== null ? null : code, stdout: Buffer.concat(out).toString('utf8'), stderr, ms: performance.now() - start })
    })
    child.stdin.end(input)
  })
}

export class ExecNftRunner implements NftRunner {
  constructor(private readonly opts: ExecOptions = {}) {}

  /** argv prefix for a command in the runner's namespace */
  argv(cmd: readonly string[]): string[] {
    return this.opts.netns !== undefined ? ['ip', 'netns', 'exec', this.opts.netns, ...cmd] : [...cmd]
  }

  async run(tx: NftTransaction): Promise<RunResult> {
    return this.runText(renderTransaction(tx), false)
  }

  async check(tx: NftTransaction): Promise<RunResult> {
    return this.runText(renderTransaction(tx), true)
  }

  /** Runs `nft -f -` (or `nft -c -f -`) with `text`; for tests and tools that hold nft text already. */
  async runText(text: string, checkOnly: boolean): Promise<RunResult> {
    if (text === '') return { ok: true, ms: 0 }
    const r = await execWithInput(this.argv([this.opts.nft ?? 'nft', ...(checkOnly ? ['-c'] : []), '-f', '-']), text, this.opts.timeoutMs)
    if (r.code === 0) return { ok: true, ms: r.ms }
    return { ok: false, ms: r.ms, error: r.stderr.trim() || `nft exited with ${r.code}` }
  }

  async objects(table: TableRef): Promise<ObjectsResult> {
    // terse (-t): without elements; nft 1.0.6 lists these per family, not per table
    const lists = await Promise.all(['chains', 'sets', 'maps'].map((what) => this.query(['-j', '-t', 'list', what, table.family])))
    const docs: string[] = []
    for (const l of lists) {
      if (!l.ok) return l
      docs.push(l.stdout)
    }
    return { ok: true, objects: parseObjects(docs, table) }
  }

  /** `nft ARGS…` (e.g. `-j list chain inet netpol NAME`): its stdout, or an error. */
  async query(args: readonly string[]): Promise<{ ok: true; stdout: string } | { ok: false; error: string }> {
    const r = await execWithInput(this.argv([this.opts.nft ?? 'nft', ...args]), '', this.opts.timeoutMs)
    return r.code === 0 ? { ok: true, stdout: r.stdout } : { ok: false, error: r.stderr.trim() || `nft exited with ${r.code}` }
  }
}

/** Per-rule counters of one chain, in rule order (rules without a counter are left out). */
export interface RuleCounter {
  readonly rule: number
  readonly packets: number
  readonly bytes: number
}

type JsonObj = Record<string, unknown>
const isObj = (v: unknown): v is JsonObj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Reads `nft -j list chain inet TABLE CHAIN` output: the counters of its rules. */
export function parseChainCounters(json: string): RuleCounter[] {
  const doc: unknown = JSON.parse(json)
  const items = isObj(doc) && Array.isArray(doc.nftables) ? doc.nftables : []
  const out: RuleCounter[] = []
  let index = 0
  for (const item of items) {
    if (!isObj(item) || !isObj(item.rule)) continue
    const exprs = Array.isArray(item.rule.expr) ? item.rule.expr : []
    for (const e of exprs) {
      if (isObj(e) && isObj(e.counter)) out.push({ rule: index, packets: Number(e.counter.packets ?? 0), bytes: Number(e.counter.bytes ?? 0) })
    }
    index++
  }
  return out
}

/** Reads `nft -j list set|map inet TABLE NAME` output: how many elements it holds. */
export function parseSetSize(json: string): number {
  const doc: unknown = JSON.parse(json)
  const items = isObj(doc) && Array.isArray(doc.nftables) ? doc.nftables : []
  for (const item of items) {
    const set = isObj(item) ? (isObj(item.set) ? item.set : isObj(item.map) ? item.map : null) : null
    if (set !== null) return Array.isArray(set.elem) ? set.elem.length : 0
  }
  return 0
}

/** Reads `nft -j -t list chains|sets|maps FAMILY` outputs: the names that belong to `table`. */
export function parseObjects(docs: readonly string[], table: TableRef): TableObjects {
  const sets: { name: string; map: boolean }[] = []
  const chains: string[] = []
  for (const json of docs) {
    const doc: unknown = JSON.parse(json)
    for (const item of isObj(doc) && Array.isArray(doc.nftables) ? doc.nftables : []) {
      if (!isObj(item)) continue
      const [kind, o] = isObj(item.chain) ? ['chain', item.chain] : isObj(item.set) ? ['set', item.set] : isObj(item.map) ? ['map', item.map] : [null, null]
      if (o === null || o.table !== table.name || o.family !== table.family || typeof o.name !== 'string') continue
      if (kind === 'chain') chains.push(o.name)
      else sets.push({ name: o.name, map: kind === 'map' })
    }
  }
  return { sets, chains }
}
