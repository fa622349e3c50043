/**
 * A live cluster as the server's input: every kind the model is built from, listed and then watched (one
 * watcher per kind, io/kube's watchCluster, as the agent follows the cluster), and a new snapshot after each
 * change. Changes that arrive together (a rollout: many pods at once) make one new version.
 */
import type { KubeClient } from '../../io/kube/kube-client.js'
import type { KubeError } from '../../io/kube/kube-error.js'
import { watchCluster } from '../../io/kube/cluster-watch.js'
import type { KindName } from '../../io/kube/resources.js'
import type { WatcherOptions } from '../../io/kube/watcher.js'
import type { LocatedIssue, ModelNote } from '../../model/issues.js'
import { SourceTexts } from '../../io/source-texts.js'
import { Listeners, type ServeInput, type Snapshot } from './serve-input.js'
import { objectsJob } from './lint-job.js'

export interface LiveInputOptions {
  /** options for every watcher (tests: a fast backoff) */
  readonly watch?: WatcherOptions
  /** how long to gather changes into one version (default 100 ms) */
  readonly settleMs?: number
  /** lines for the model's notes and issues (the CLI's formatters) */
  readonly formatNotes: (notes: readonly ModelNote[]) => string[]
  readonly formatIssue: (issue: LocatedIssue) => string
  /** a list or watch failed and is retried; the last snapshot stays */
  readonly onError?: (kind: KindName, error: KubeError, retryInMs: number) => void
  /** an error no retry mends before the first list is complete ends the start (see `isFatal`) */
  readonly isFatal?: (error: KubeError) => boolean
}

/**
 * Lists the cluster and keeps watching it. Resolves once every kind is listed (the first snapshot), or with the
 * first fatal error, after which nothing is left running.
 */
export async function followLive(client: KubeClient, opts: LiveInputOptions): Promise<{ ok: true; input: ServeInput } | { ok: false; kind: KindName; error: KubeError }> {
  let version = 0
  let snapshot: Snapshot | undefined
  let timer: NodeJS.Timeout | undefined
  let synced = false
  const listeners = new Listeners<Snapshot>()
  let fatal: (e: { kind: KindName; error: KubeError }) => void = () => undefined
  const failed = new Promise<{ kind: KindName; error: KubeError }>((resolve) => (fatal = resolve))

  const rebuild = () => {
    const built = cw.cluster()
    const objects = cw.objects()
    snapshot = {
      version: ++version,
      cluster: built.cluster,
      texts: new SourceTexts(),
      objects,
      lintJob: () => objectsJob(client.context, objects.filter((o) => o.kind !== 'Node')),
      issues: built.issues,
      notes: [...opts.formatNotes(built.notes), ...built.issues.map((i) => `refused: ${opts.formatIssue(i)}`)],
    }
    return snapshot
  }
  const changed = () => {
    if (!synced || timer !== undefined) return
    timer = setTimeout(() => {
      timer = undefined
      listeners.emit(rebuild())
    }, opts.settleMs ?? 100)
  }
  const cw = watchCluster(client, { ...(opts.watch ? { all: opts.watch } : {}) }, {
    onSync: (_, s) => {
      if (s.reason === 'relist' && s.changes.length > 0) changed()
    },
    onChange: () => changed(),
    onError: (kind, error, r) => {
      if (!synced && opts.isFatal?.(error)) return fatal({ kind, error })
      opts.onError?.(kind, error, r.retryInMs)
    },
  })
  const first = await Promise.race([cw.synced().then(() => null), failed])
  if (first !== null) {
    await cw.stop()
    return { ok: false, ...first }
  }
  synced = true
  rebuild()
  return {
    ok: true,
    input: {
      source: `cluster: ${client.context}`,
      live: true,
      current: () => snapshot!,
      subscribe: (l) => listeners.add(l),
      stop: async () => {
        clearTimeout(timer)
        await cw.stop()
      },
    },
  }
}
