/**
 * The agent's reconcile loop: load the manifests → compile → diff against what the kernel holds → apply, on
 * start and whenever the inputs change (debounced). A failed load, compile or apply never removes the rules
 * in force: the kernel applies a transaction whole or not at all, so the previous ruleset stays, and the loop
 * retries with backoff. Nothing here throws to its caller; every outcome is reported.
 */
import { randomInt } from 'node:crypto'
import { watch, type FSWatcher } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { Cluster, Pod } from '../model/cluster.js'
import type { Cidr } from '../model/ip.js'
import { IncrementalCompiler } from '../dataplane/incremental-compiler.js'
import { compilePolicies, type AgentMode, type CompileError, type CompileNote, type CompiledRuleset, type RulesetStats } from '../dataplane/compile-policies.js'
import type { NftRunner, RunResult } from '../dataplane/nft-runner.js'
import { isEmpty, transactionSize, WRITER_SET, type NftTransaction, type TransactionSize } from '../dataplane/nft-transaction.js'
import { planTransaction, removeStale, replaceWhole, type Plan, type Written } from '../dataplane/table-generations.js'
import { flowsToCut, type Conntrack } from './conntrack.js'

export interface AgentConfig {
  readonly table: string
  readonly mode: AgentMode
  readonly managed: (pod: Pod) => boolean
  /** nflog group for denied/audited connections; no log rules when absent */
  readonly logGroup?: number
  /** log accepted new connections too (to logGroup; CompileOptions.logAccepted) */
  readonly logAccepted?: boolean
  /** cut conntrack entries of connections a new ruleset denies */
  readonly strict?: boolean
  /**
   * wait this long after a change before syncing, so that the events of one write (or rename) are one sync;
   * default 20 ms. A change during a sync starts another sync right after it.
   */
  readonly debounceMs?: number
  /** retry delays after a failure: doubling from `initialMs` up to `maxMs`; default 1 s … 60 s */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number }
  /**
   * how long after a new generation took over the objects of the old one are deleted; default GRACE_MS. Until
   * then a packet that entered the old rules before the switch may still be in them (see table-generations.ts).
   */
  readonly graceMs?: number
  /**
   * compile each change whole instead of incrementally (the reference the incremental compile is held to, for
   * measuring it); default false
   */
  readonly wholeCompile?: boolean
}

/**
 * A packet crosses the rules in microseconds; half a second also covers a virtual CPU that its host paused in
 * the middle, and is short enough that a table seldom holds two generations.
 */
export const GRACE_MS = 500

/** `podCidrs`: the node's pod CIDRs, for the unknown-pod guard (see CompileOptions.podCidrs); none: no guard */
export type LoadOutcome = { readonly ok: true; readonly cluster: Cluster; readonly podCidrs?: readonly Cidr[] } | { readonly ok: false; readonly message: string }

export type AgentEvent =
  | { readonly kind: 'applied'; readonly tx: NftTransaction['kind']; readonly ms: number; readonly size: TransactionSize; readonly stats: RulesetStats }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'notes'; readonly notes: readonly CompileNote[] }
  | { readonly kind: 'load-failed'; readonly message: string; readonly retryInMs: number }
  | { readonly kind: 'compile-failed'; readonly errors: readonly CompileError[]; readonly retryInMs: number }
  | { readonly kind: 'apply-failed'; readonly tx: NftTransaction['kind']; readonly error: string; readonly retryInMs: number | null }
  | { readonly kind: 'flows-cut'; readonly flows: number; readonly failed: number }
  /** the objects of earlier generations were deleted */
  | { readonly kind: 'cleaned'; readonly ms: number; readonly sets: number; readonly chains: number }
  /** they could not be (another writer came in between): they stay, unused, until the next new generation */
  | { readonly kind: 'cleanup-failed'; readonly error: string }

export interface AgentDeps {
  readonly load: () => Promise<LoadOutcome>
  readonly runner: NftRunner
  readonly report: (e: AgentEvent) => void
  /** needed for `strict` */
  readonly conntrack?: Conntrack
  /** told of every cluster whose ruleset was applied (the flow log reads it) */
  readonly onApplied?: (cluster: Cluster, compiled: CompiledRuleset) => void
  /**
   * called when the loop's syncs are done and it waits for the next change or retry: the cluster it loaded is
   * garbage now, a moment to give memory back (see garbageCollector)
   */
  readonly settled?: () => void
}

export type SyncOutcome = 'applied' | 'unchanged' | 'failed'

/** A writer token: random, so that two agents (or two runs of one) never expect each other's. */
const newToken = (): number => randomInt(1, 2 ** 32 - 1)

export class AgentLoop {
  private applied: CompiledRuleset | null = null
  /** `applied` as the kernel holds it, under its generation's names */
  private written: Written | null = null
  /** false until a transaction succeeded, and whenever the kernel may differ from `written` */
  private kernelKnown = false
  private timer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null
  private again = false
  /** when the objects of earlier generations may go (see GRACE_MS); null: none left behind */
  private cleanupAt: number | null = null
  private cleanupTimer: NodeJS.Timeout | null = null
  private failures = 0
  private stopped = false
  /** the writer token of the table this loop last wrote (see WRITER_SET) */
  private token = newToken()
  /** keeps what one compile derives for the next: a change costs what it touches (see incremental-compiler.ts) */
  private readonly compiler = new IncrementalCompiler()

  constructor(private readonly config: AgentConfig, private readonly deps: AgentDeps) {}

  /** The ruleset in force, as far as the agent knows. */
  get current(): CompiledRuleset | null {
    return this.applied
  }

  /** True once a ruleset has been applied. */
  get ready(): boolean {
    return this.applied !== null && this.kernelKnown
  }

  /** load → compile → diff → apply, once. Never throws. */
  async sync(): Promise<SyncOutcome> {
    const loaded = await this.deps.load().catch((err: unknown): LoadOutcome => ({ ok: false, message: String(err) }))
    if (!loaded.ok) {
      this.deps.report({ kind: 'load-failed', message: loaded.message, retryInMs: this.nextDelay() })
      return 'failed'
    }
    const compile = this.config.wholeCompile === true ? compilePolicies : (c: Cluster, o: Parameters<typeof compilePolicies>[1]) => this.compiler.compile(c, o)
    const next = compile(loaded.cluster, {
      managed: this.config.managed,
      mode: this.config.mode,
      table: this.config.table,
      ...(this.config.logGroup !== undefined ? { logGroup: this.config.logGroup } : {}),
      ...(this.config.logAccepted ? { logAccepted: true } : {}),
      ...(loaded.podCidrs !== undefined ? { podCidrs: loaded.podCidrs } : {}),
      ...(this.applied !== null ? { previous: this.applied } : {}),
    })
    if (next.errors.length > 0) {
      this.deps.report({ kind: 'compile-failed', errors: next.errors, retryInMs: this.nextDelay() })
      return 'failed'
    }
    if (next.notes.length > 0 && notesChanged(this.applied?.notes, next.notes)) this.deps.report({ kind: 'notes', notes: next.notes })
    // guarded: a change computed against our last table fails if another writer replaced it since
    const tokens = { from: this.token, to: newToken() }
    let plan = planTransaction(this.kernelKnown ? this.written : null, next.table, tokens)
    if (isEmpty(plan.tx)) {
      this.applied = next
      this.written = plan.written
      this.failures = 0
      this.deps.report({ kind: 'unchanged' })
      return 'unchanged'
    }
    let r = await this.runPlan(plan)
    if (!r.ok && plan.tx.kind === 'incremental') {
      // the model may be wrong about the kernel (someone edited the table): a new generation takes over
      this.deps.report({ kind: 'apply-failed', tx: plan.tx.kind, error: r.error, retryInMs: 0 })
      plan = planTransaction(null, next.table, tokens)
      r = await this.runPlan(plan)
    }
    if (!r.ok && plan.tx.kind === 'full') {
      // the table holds what a new generation cannot be added to (a base chain on another hook): make it anew
      this.deps.report({ kind: 'apply-failed', tx: plan.tx.kind, error: r.error, retryInMs: 0 })
      plan = { tx: replaceWhole(plan.written.table, tokens.to), written: plan.written }
      r = await this.runPlan(plan)
    }
    const tx = plan.tx
    if (!r.ok) {
      this.kernelKnown = false
      this.deps.report({ kind: 'apply-failed', tx: tx.kind, error: r.error, retryInMs: this.nextDelay() })
      return 'failed'
    }
    const whole = tx.kind === 'full' || tx.kind === 'replace'
    const tightened =
      whole || [...(plan.before?.ops ?? []), ...tx.ops].some((o) => (o.op === 'delete-elements' && o.set.name !== WRITER_SET) || o.op === 'flush-set' || o.op === 'flush-chain' || o.op === 'delete-chain')
    this.applied = next
    this.written = plan.written
    this.kernelKnown = true
    this.token = tokens.to
    this.failures = 0
    if (tx.kind === 'full') this.cleanupAt = Date.now() + (this.config.graceMs ?? GRACE_MS)
    const size = transactionSize(plan.before ? { ...tx, ops: [...plan.before.ops, ...tx.ops] } : tx)
    this.deps.report({ kind: 'applied', tx: tx.kind, ms: r.ms, size, stats: next.stats })
    this.deps.onApplied?.(loaded.cluster, next)
    if (this.config.strict && tightened && this.deps.conntrack) await this.cutFlows(loaded.cluster)
    return 'applied'
  }

  /** Runs a plan's transactions in order; the first failure ends it. */
  private async runPlan(plan: Plan): Promise<RunResult> {
    const first = plan.before ? await this.deps.runner.run(plan.before) : null
    if (first !== null && !first.ok) return first
    const r = await this.deps.runner.run(plan.tx)
    return first === null ? r : { ...r, ms: r.ms + first.ms }
  }

  /**
   * Deletes what earlier generations left in the table, once the grace period of the last switch is over (at
   * once when it is). For `--once`, which exits after it; the running loop does this by itself. Never throws.
   */
  async removeStale(): Promise<void> {
    if (this.cleanupAt === null) return
    const tx = await this.staleTransaction()
    // a table that held nothing else (a first start) has nothing to wait for
    if (tx !== null) {
      const wait = this.cleanupAt - Date.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      await this.applyCleanup(tx)
    }
    this.cleanupAt = null
  }

  private async cleanup(): Promise<void> {
    const tx = await this.staleTransaction()
    if (tx !== null) await this.applyCleanup(tx)
  }

  /**
   * Lists the table: the guarded transaction that deletes what the generation in force does not use, with the token
   * it leaves, or null when there is nothing to delete (or the listing failed, which is reported). Objects another
   * writer adds after the listing are not in it and stay; a write by another writer makes the transaction fail.
   */
  private async staleTransaction(): Promise<{ readonly tx: NftTransaction; readonly token: number } | null> {
    const written = this.written
    if (written === null || !this.kernelKnown) return null
    const listed = await this.deps.runner.objects({ family: written.table.family, name: written.table.name })
    if (!listed.ok) {
      this.deps.report({ kind: 'cleanup-failed', error: listed.error })
      return null
    }
    const token = newToken()
    const tx = removeStale(listed.objects, written.table, { from: this.token, to: token })
    return isEmpty(tx) ? null : { tx, token }
  }

  private async applyCleanup({ tx, token }: { readonly tx: NftTransaction; readonly token: number }): Promise<void> {
    const r = await this.deps.runner.run(tx)
    if (!r.ok) {
      // most likely another writer came in between: the next change makes a generation of its own
      this.kernelKnown = false
      this.deps.report({ kind: 'cleanup-failed', error: r.error })
      return
    }
    this.token = token
    const size = transactionSize(tx)
    this.deps.report({ kind: 'cleaned', ms: r.ms, sets: size.setsDeleted, chains: size.chainsDeleted })
  }

  private async cutFlows(cluster: Cluster): Promise<void> {
    const ct = this.deps.conntrack!
    const cut = flowsToCut(cluster, this.config.managed, await ct.list())
    let failed = 0
    for (const f of cut) if (!(await ct.remove(f))) failed++
    if (cut.length > 0) this.deps.report({ kind: 'flows-cut', flows: cut.length - failed, failed })
  }

  /** The delay before the next retry, counting this failure. */
  private nextDelay(): number {
    this.failures++
    return this.currentDelay()
  }

  private currentDelay(): number {
    const { initialMs, maxMs } = this.config.backoff ?? { initialMs: 1000, maxMs: 60_000 }
    return Math.min(maxMs, initialMs * 2 ** (this.failures - 1))
  }

  /** Syncs now, then again after every `trigger()`; failures are retried with backoff. */
  start(): void {
    this.stopped = false
    this.schedule(0)
  }

  /** Something changed: sync after the debounce delay (one sync for a burst of changes). */
  trigger(): void {
    if (this.stopped) return
    this.schedule(this.config.debounceMs ?? 20)
  }

  /** Stops syncing; waits for a sync under way. The rules in force stay (and so may an older generation's objects). */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer !== null) clearTimeout(this.timer)
    if (this.cleanupTimer !== null) clearTimeout(this.cleanupTimer)
    this.timer = null
    this.cleanupTimer = null
    await this.running
  }

  /** Resolves when no sync or cleanup is pending or running (for tests). */
  async idle(): Promise<void> {
    while (this.running !== null || this.timer !== null || this.cleanupTimer !== null) {
      if (this.running !== null) await this.running
      else await new Promise((r) => setTimeout(r, 5))
    }
  }

  private schedule(ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      this.run()
    }, ms)
  }

  /** Syncs (again while changes come in during a sync), then removes stale objects when their time has come. */
  private run(sync = true): void {
    if (this.running !== null) {
      if (sync) this.again = true
      return
    }
    this.again = sync
    let synced = false
    const work = async (): Promise<void> => {
      for (;;) {
        if (this.stopped) return
        if (this.again) {
          this.again = false
          synced = true
          const outcome = await this.sync()
          if (outcome === 'failed' && !this.stopped && !this.again) this.schedule(this.currentDelay())
        } else if (this.cleanupAt !== null && Date.now() >= this.cleanupAt) {
          this.cleanupAt = null
          await this.cleanup()
        } else return
      }
    }
    // finally runs after this assignment even when the work has nothing to await
    this.running = work().finally(() => {
      this.running = null
      if (this.cleanupAt !== null && !this.stopped && this.cleanupTimer === null) {
        this.cleanupTimer = setTimeout(
          () => {
            this.cleanupTimer = null
            this.run(false)
          },
          Math.max(0, this.cleanupAt - Date.now()),
        )
      }
      if (synced) this.deps.settled?.()
    })
  }
}

function notesChanged(before: readonly CompileNote[] | undefined, after: readonly CompileNote[]): boolean {
  return JSON.stringify(before ?? []) !== JSON.stringify(after)
}

/**
 * Calls `onChange` whenever a file under `paths` may have changed. Watches each directory under a directory
 * path, and the parent directory of each file path, so that editors that replace a file by renaming are seen
 * too. Every directory gets a watcher of its own: Node's recursive watch on Linux watches the files one by one
 * and lost the second of two renames over the same name.
 */
export async function watchPaths(paths: readonly string[], onChange: () => void): Promise<{ close(): void }> {
  // one watcher per directory, with every handler that wants its events
  const watchers = new Map<string, { readonly w: FSWatcher; readonly handlers: ((name: string | null) => void)[] }>()
  const watchDir = (dir: string, onEvent: (name: string | null) => void): void => {
    const known = watchers.get(dir)
    if (known !== undefined) {
      known.handlers.push(onEvent)
      return
    }
    try {
      const handlers = [onEvent]
      const w = watch(dir, (_event, name) => handlers.forEach((h) => h(name === null ? null : name.toString())))
      w.on('error', () => {
        w.close()
        watchers.delete(dir)
        onChange()
      })
      watchers.set(dir, { w, handlers })
    } catch {
      // a path that cannot be watched is still read on every sync
    }
  }
  const trees = new Set<string>()
  const watchTree = async (dir: string): Promise<void> => {
    if (trees.has(dir)) return
    trees.add(dir)
    watchDir(dir, (name) => {
      onChange()
      // a directory created (or moved in) under the tree is watched from now on
      if (name !== null && !name.startsWith('.')) {
        const sub = join(dir, name)
        void stat(sub).then(
          (s) => (s.isDirectory() ? watchTree(sub) : undefined),
          () => undefined,
        )
      }
    })
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) await watchTree(join(dir, e.name))
  }
  for (const p of paths) {
    if (p === '-') continue
    const abs = resolve(p)
    const isDir = await stat(abs).then(
      (s) => s.isDirectory(),
      () => false,
    )
    if (isDir) await watchTree(abs)
    else watchDir(dirname(abs), (name) => (name === null || resolve(dirname(abs), name) === abs ? onChange() : undefined))
  }
  return { close: () => watchers.forEach(({ w }) => w.close()) }
}
