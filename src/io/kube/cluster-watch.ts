/**
 * One watcher per kind (see watcher.ts), together: synced when every kind is, and the cluster model of what
 * they hold now. What to do on a change (debounce, recompile) is the consumer's.
 */
import type { BuildResult } from '../../model/build-cluster.js'
import type { KubeClient } from './kube-client.js'
import type { KubeError } from './kube-error.js'
import type { KubeObject } from './kube-object.js'
import { clusterFromObjects, type ParsedCache } from './load-cluster.js'
import type { Absence } from './discovery.js'
import { LIVE_KINDS, OPTIONAL_KINDS, type KindName } from './resources.js'
import type { Change } from './watch-store.js'
import { watchKind, type SyncEvent, type Watcher, type WatcherOptions, type WatcherStats } from './watcher.js'

export interface ClusterWatchOptions {
  /** the kinds to follow (default LIVE_KINDS); those of OPTIONAL_KINDS are followed where the cluster has them */
  readonly kinds?: readonly KindName[]
  /** options for every watcher (backoff, timeoutSeconds, …) */
  readonly all?: WatcherOptions
  /** options for one kind, over `all`: e.g. Node: { fieldSelector: 'metadata.name=NODE' } */
  readonly perKind?: Readonly<Partial<Record<KindName, WatcherOptions>>>
}

export interface ClusterWatchHandlers {
  readonly onSync?: (kind: KindName, sync: SyncEvent) => void
  readonly onChange?: (kind: KindName, change: Change) => void
  readonly onError?: (kind: KindName, error: KubeError, retry: { readonly retryInMs: number; readonly attempt: number }) => void
  /** an optional kind is absent: not served (no CRD), or Node forbidden (see absenceNote) */
  readonly onAbsent?: (kind: KindName, absence: Absence) => void
}

export interface ClusterWatch {
  readonly watchers: ReadonlyMap<KindName, Watcher>
  /** Resolves once every kind has listed once. */
  synced(): Promise<void>
  /** Whether every kind has listed once. */
  readonly isSynced: boolean
  /** Every object of every kind followed, now. */
  objects(): KubeObject[]
  /**
   * The model of the objects followed, located by origin (see loadCluster). Objects unchanged since the last
   * call are not parsed again.
   */
  cluster(): BuildResult
  stats(): Partial<Record<KindName, WatcherStats>>
  stop(): Promise<void>
}

/** Starts a watcher for each kind. */
export function watchCluster(client: KubeClient, opts: ClusterWatchOptions = {}, handlers: ClusterWatchHandlers = {}): ClusterWatch {
  const watchers = new Map<KindName, Watcher>()
  for (const kind of opts.kinds ?? LIVE_KINDS) {
    const optional = OPTIONAL_KINDS.includes(kind) ? { optional: true } : {}
    watchers.set(kind, watchKind(client, kind, { ...opts.all, ...optional, ...opts.perKind?.[kind] }, {
      onSync: (s) => handlers.onSync?.(kind, s),
      onChange: (c) => handlers.onChange?.(kind, c),
      onError: (e, r) => handlers.onError?.(kind, e, r),
      onAbsent: (a) => handlers.onAbsent?.(kind, a),
    }))
  }
  const parsed: ParsedCache = new WeakMap()
  const all = Promise.all([...watchers.values()].map((w) => w.synced())).then(() => undefined)
  const objects = () => {
    const out: KubeObject[] = []
    for (const w of watchers.values()) for (const o of w.store.values()) out.push(o)
    return out
  }
  return {
    watchers,
    synced: () => all,
    get isSynced() {
      return [...watchers.values()].every((w) => w.stats.synced)
    },
    objects,
    cluster: () => clusterFromObjects(client.context, objects(), parsed),
    stats: () => Object.fromEntries([...watchers].map(([k, w]) => [k, w.stats])),
    stop: async () => {
      await Promise.all([...watchers.values()].map((w) => w.stop()))
    },
  }
}
