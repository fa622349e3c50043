/**
 * Follows one kind on the API server, as client-go's reflector does: list (paged), then watch from the list's
 * resourceVersion with bookmarks; when a watch ends, watch again from the last resourceVersion seen (an event's
 * or a bookmark's); when the server says that resourceVersion is too old (410 Gone / Expired), list again;
 * after any other error, wait (exponential backoff with jitter, capped) and try again, keeping the store as it
 * was. A relist builds a new store and swaps it in only when the list is complete, so a consumer never sees
 * an empty or partial store: `onSync` hands it the whole new store with the changes from the old one.
 *
 * A field-selected watch (`spec.nodeName=NODE` for a node's pods) sees an object that stops matching as a
 * DELETED event (the API server's watch cache filters old and new object both), so a pod that leaves the node
 * leaves the store.
 */
import type { KubeClient } from './kube-client.js'
import type { KubeError, RequestInfo } from './kube-error.js'
import type { KubeObject } from './kube-object.js'
import { absenceOf, kindServed, type Absence } from './discovery.js'
import { listAll } from './list-all.js'
import { API_RESOURCES, type KindName } from './resources.js'
import { applyEvent, backoffDelay, DEFAULT_BACKOFF, diffStores, eventLagMs, readWatchEvent, storeOf, type BackoffPolicy, type Change, type Store } from './watch-store.js'

/** A watch that ends sooner than this without an event counts as a failure for backoff. */
const QUIET_WATCH_MS = 1000

export interface WatcherOptions {
  readonly namespace?: string
  readonly labelSelector?: string
  readonly fieldSelector?: string
  /** list page size (default 500) */
  readonly limit?: number
  /** the timeoutSeconds of each watch request (default a random 300–600 s, as client-go) */
  readonly timeoutSeconds?: number
  readonly backoff?: BackoffPolicy
  /** 0–1, for jitter (default Math.random) */
  readonly random?: () => number
  /** ms since the epoch, for event lag (default Date.now) */
  readonly now?: () => number
  /** objects listed so far during a (re)list */
  readonly onListProgress?: (read: number) => void
  /**
   * A kind the cluster may lack (OPTIONAL_KINDS): before each list the watcher asks discovery whether the kind is
   * served, and a kind not served, or Node forbidden by RBAC (see absenceOf), is held as synced and empty and
   * asked for again every `recheckMs`, so a CRD installed (or removed) later is followed.
   */
  readonly optional?: boolean
  /** how often an absent optional kind is asked for again (default 60 s) */
  readonly recheckMs?: number
}

export interface SyncEvent {
  /** 'initial' for the first list, 'relist' after a 410 */
  readonly reason: 'initial' | 'relist'
  /** the whole new store; the previous one is left as it was */
  readonly store: Store
  /** what changed from the previous store (every object is `added` on the initial sync) */
  readonly changes: readonly Change[]
  readonly resourceVersion: string
}

export interface WatcherHandlers {
  /** after each complete (re)list */
  readonly onSync?: (sync: SyncEvent) => void
  /** after each event that changed the store (the store already holds the change) */
  readonly onChange?: (change: Change, store: Store) => void
  /** after an error; the watcher tries again in `retryInMs` (the store is unchanged) */
  readonly onError?: (error: KubeError, retry: { readonly retryInMs: number; readonly attempt: number }) => void
  /** an optional kind found absent (not served, or forbidden), once per change of reason; its store is empty */
  readonly onAbsent?: (absence: Absence) => void
}

export interface WatcherStats {
  /** watches opened again from a resourceVersion (after a stream ended or failed) */
  readonly watchRestarts: number
  /** lists after the first (410 Gone) */
  readonly relists: number
  /** ADDED/MODIFIED/DELETED events received */
  readonly events: number
  readonly bookmarks: number
  readonly errors: number
  /** how old the last event's change was when it arrived (second precision), when derivable */
  readonly lastEventLagMs: number | undefined
  readonly objects: number
  /** the resourceVersion the next watch starts from ('' before the first list) */
  readonly resourceVersion: string
  readonly synced: boolean
  /** why an optional kind is held empty now, if it is */
  readonly absent?: Absence['reason']
}

/** Starts following `kind` (see the module comment). */
export function watchKind(client: KubeClient, kind: KindName, opts: WatcherOptions = {}, handlers: WatcherHandlers = {}): Watcher {
  return new Watcher(client, kind, opts, handlers)
}

export class Watcher {
  private current = new Map<string, KubeObject>()
  private readonly stopper = new AbortController()
  private readonly loop: Promise<void>
  private readonly firstSync: Promise<void>
  private resolveSync!: () => void
  private counters = { watchRestarts: 0, relists: 0, events: 0, bookmarks: 0, errors: 0 }
  private lag: number | undefined
  private rv = ''
  private isSynced = false
  private absentNow: Absence | undefined

  constructor(
    private readonly client: KubeClient,
    readonly kind: KindName,
    private readonly opts: WatcherOptions,
    private readonly handlers: WatcherHandlers,
  ) {
    this.firstSync = new Promise((resolve) => (this.resolveSync = resolve))
    this.loop = this.run()
  }

  /** The objects now; replaced by a new map at each relist, changed in place by each event. */
  get store(): Store {
    return this.current
  }

  get stats(): WatcherStats {
    const absent = this.absentNow === undefined ? {} : { absent: this.absentNow.reason }
    return { ...this.counters, lastEventLagMs: this.lag, objects: this.current.size, resourceVersion: this.rv, synced: this.isSynced, ...absent }
  }

  /** Resolves after the first complete list (never, while every list fails; see onError). */
  synced(): Promise<void> {
    return this.firstSync
  }

  /** Stops listing and watching; resolves once the loop has ended. */
  async stop(): Promise<void> {
    this.stopper.abort()
    await this.loop
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted
  }

  private async run(): Promise<void> {
    const resource = API_RESOURCES[this.kind]
    const o = this.opts
    const namespace = resource.namespaced && o.namespace !== undefined ? { namespace: o.namespace } : {}
    const req: RequestInfo = { verb: 'watch', resource, ...namespace }
    let attempt = 0
    let listed = false
    let needList = true
    while (!this.stopped) {
      if (needList) {
        if (o.optional) {
          const served = await kindServed(this.client, this.kind)
          if (this.stopped) break
          if (!served.ok) {
            await this.retry(served.error, attempt++)
            continue
          }
          if (!served.value) {
            listed = this.holdAbsent({ kind: this.kind, reason: 'not_served' }, listed)
            attempt = 0
            await sleep(o.recheckMs ?? 60_000, this.stopper.signal)
            continue
          }
        }
        const list = await listAll(this.client, this.kind, {
          ...namespace, labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit, onProgress: o.onListProgress,
        })
        if (this.stopped) break
        if (!list.ok) {
          const absence = o.optional ? absenceOf(this.kind, list.error) : undefined
          if (absence !== undefined) {
            listed = this.holdAbsent(absence, listed)
            attempt = 0
            await sleep(o.recheckMs ?? 60_000, this.stopper.signal)
          } else await this.retry(list.error, attempt++)
          continue
        }
        this.absentNow = undefined
        const next = storeOf(list.value.items)
        const changes = diffStores(this.current, next)
        const reason = listed ? 'relist' : 'initial'
        if (listed) this.counters.relists++
        this.current = next
        this.rv = list.value.resourceVersion
        listed = true
        needList = false
        attempt = 0
        this.isSynced = true
        this.handlers.onSync?.({ reason, store: next, changes, resourceVersion: this.rv })
        this.resolveSync()
      } else this.counters.watchRestarts++
      const stream = new AbortController()
      const onStop = () => stream.abort()
      this.stopper.signal.addEventListener('abort', onStop, { once: true })
      let expired = false
      let streamError: KubeError | undefined
      let heard = false
      const openedAt = Date.now()
      const result = await this.client.watch(
        req,
        {
          resourceVersion: this.rv,
          allowWatchBookmarks: true,
          timeoutSeconds: o.timeoutSeconds ?? Math.floor(300 * (1 + (o.random ?? Math.random)())),
          labelSelector: o.labelSelector,
          fieldSelector: o.fieldSelector,
        },
        (event) => {
          const step = readWatchEvent(resource, event)
          heard = true
          switch (step.step) {
            case 'object': {
              attempt = 0
              this.counters.events++
              if (step.resourceVersion) this.rv = step.resourceVersion
              this.lag = eventLagMs(step.object, (o.now ?? Date.now)())
              const change = applyEvent(this.current, step.type, step.object)
              if (change) this.handlers.onChange?.(change, this.current)
              return
            }
            case 'bookmark':
              attempt = 0
              this.counters.bookmarks++
              if (step.resourceVersion) this.rv = step.resourceVersion
              return
            case 'expired':
              expired = true
              return stream.abort()
            case 'error':
              streamError = { code: 'http_error', context: this.client.context, server: this.client.server, request: req, status: step.status, message: step.message }
              return stream.abort()
          }
        },
        stream.signal,
      )
      this.stopper.signal.removeEventListener('abort', onStop)
      if (this.stopped) break
      if (expired || (!result.ok && result.error.code === 'expired')) {
        needList = true
        continue
      }
      const error = streamError ?? (result.ok ? undefined : result.error)
      // an optional kind that stops being served (its CRD removed) is asked about again
      if (error && o.optional && error.code === 'not_served') needList = true
      if (error) await this.retry(error, attempt++)
      // a server that ends every watch at once, saying nothing, is not asked again in a tight loop
      else if (!heard && Date.now() - openedAt < QUIET_WATCH_MS) await sleep(backoffDelay(attempt++, (o.random ?? Math.random)(), o.backoff ?? DEFAULT_BACKOFF), this.stopper.signal)
    }
  }

  /**
   * An optional kind found absent: its store becomes empty (a sync, when that changes anything or is the first),
   * and the consumer hears of a new reason. Returns true: the kind counts as listed.
   */
  private holdAbsent(absence: Absence, listed: boolean): true {
    const next = new Map<string, KubeObject>()
    const changes = diffStores(this.current, next)
    if (this.absentNow?.reason !== absence.reason) this.handlers.onAbsent?.(absence)
    this.absentNow = absence
    this.current = next
    this.rv = ''
    this.isSynced = true
    if (!listed || changes.length > 0) {
      if (listed) this.counters.relists++
      this.handlers.onSync?.({ reason: listed ? 'relist' : 'initial', store: next, changes, resourceVersion: '' })
    }
    this.resolveSync()
    return true
  }

  private async retry(error: KubeError, attempt: number): Promise<void> {
    this.counters.errors++
    const retryInMs = backoffDelay(attempt, (this.opts.random ?? Math.random)(), this.opts.backoff ?? DEFAULT_BACKOFF)
    this.handlers.onError?.(error, { retryInMs, attempt })
    await sleep(retryInMs, this.stopper.signal)
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
