/**
 * The live cluster as the agent loop's input: one watcher per kind (list, then watch from the list's
 * resourceVersion with bookmarks, relist on 410, backoff with jitter; see io/kube/watcher.ts), every pod of
 * every namespace (a policy's peers select pods anywhere), and a `load()` for the loop that builds the model of
 * what the watchers hold now. Every change calls `onChange`; the loop debounces it into one sync.
 *
 * Never a hole: `load()` fails until every kind has listed once (a half-listed cluster would compile to a
 * table that isolates nothing it has not seen yet), a relist swaps a kind's objects only once its list is
 * complete, and while the API server is unreachable nothing changes, so the rules in force stay.
 */
import type { LocatedIssue } from '../model/issues.js'
import type { Pod } from '../model/cluster.js'
import type { KubeClient } from '../io/kube/kube-client.js'
import type { KubeError } from '../io/kube/kube-error.js'
import { watchCluster, type ClusterWatch } from '../io/kube/cluster-watch.js'
import { LIVE_KINDS, type KindName } from '../io/kube/resources.js'
import type { WatcherOptions, WatcherStats } from '../io/kube/watcher.js'
import type { LoadOutcome } from './loop.js'

export interface ClusterInputHandlers {
  /** one line for an object the model refuses (the CLI's formatIssue) */
  readonly formatIssue: (issue: LocatedIssue) => string
  /** something the model is built from changed (an event, or a relist that changed something) */
  readonly onChange: () => void
  /** one ADDED/MODIFIED/DELETED event that changed a kind's objects; lag: how old the change was, when the object says */
  readonly onEvent?: (kind: KindName, type: 'ADDED' | 'MODIFIED' | 'DELETED', lagMs: number | undefined) => void
  /** a list or watch failed; the watcher tries again in `retryInMs`, its objects unchanged */
  readonly onError?: (kind: KindName, error: KubeError, retryInMs: number) => void
  /** a kind was listed again after its watch expired (410), `changes` objects differing */
  readonly onRelist?: (kind: KindName, changes: number) => void
}

export interface ClusterInput {
  /** for the loop: the model of the objects held now; fails before every kind has listed once */
  load(): Promise<LoadOutcome>
  /** resolves once every kind has listed once */
  synced(): Promise<void>
  readonly isSynced: boolean
  stats(): Partial<Record<KindName, WatcherStats>>
  stop(): Promise<void>
}

const TYPE = { added: 'ADDED', modified: 'MODIFIED', deleted: 'DELETED' } as const

/** Starts following the cluster (see the module comment). `watch`: options for every watcher (backoff, …). */
export function followCluster(client: KubeClient, handlers: ClusterInputHandlers, watch: WatcherOptions = {}): ClusterInput {
  const kinds: readonly KindName[] = LIVE_KINDS
  const cw: ClusterWatch = watchCluster(client, { kinds, all: watch }, {
    onSync: (kind, s) => {
      if (s.reason === 'relist') handlers.onRelist?.(kind, s.changes.length)
      // the first lists are not changes: the consumer starts its loop once all are in (see synced())
      if (s.reason === 'relist' && s.changes.length > 0 && cw.isSynced) handlers.onChange()
    },
    onChange: (kind, c) => {
      handlers.onEvent?.(kind, TYPE[c.type], cw.watchers.get(kind)?.stats.lastEventLagMs)
      if (cw.isSynced) handlers.onChange()
    },
    onError: (kind, e, r) => handlers.onError?.(kind, e, r.retryInMs),
  })
  return {
    load: async () => {
      if (!cw.isSynced) {
        const waiting = kinds.filter((k) => !cw.watchers.get(k)!.stats.synced)
        return { ok: false, message: `not every kind is listed yet (waiting for ${waiting.join(', ')}); the rules in force stay` }
      }
      const r = cw.cluster()
      if (r.issues.length === 0) return { ok: true, cluster: r.cluster }
      return { ok: false, message: `${r.issues.length} error${r.issues.length === 1 ? '' : 's'} in the cluster's objects; the rules in force stay:\n${r.issues.map((i) => `  ${handlers.formatIssue(i)}`).join('\n')}` }
    },
    synced: () => cw.synced(),
    get isSynced() {
      return cw.isSynced
    },
    stats: () => cw.stats(),
    stop: () => cw.stop(),
  }
}

/** The pods of node `nodeName` (`spec.nodeName`), and those `also` picks (a --pod-cidr). */
export function podsOfNode(nodeName: string, also?: (pod: Pod) => boolean): (pod: Pod) => boolean {
  return (pod) => pod.nodeName === nodeName || (also !== undefined && also(pod))
}
