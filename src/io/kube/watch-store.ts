/**
 * The pure parts of following a resource: what a watch event means, how it changes the store, what a relist
 * changed, and how long to wait after an error. No I/O; see watcher.ts for the loop around them.
 *
 * "A watch event: type is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR; object is the object (for ERROR, a
 * Status)" — API concepts, Efficient detection of changes. A BOOKMARK's object carries only
 * metadata.resourceVersion: the point a watch can resume from.
 */
import { objectKey, withKind, type KubeObject } from './kube-object.js'
import type { ApiResource } from './resources.js'

/** Objects by key (see objectKey). */
export type Store = ReadonlyMap<string, KubeObject>

export type Change =
  | { readonly type: 'added'; readonly key: string; readonly object: KubeObject }
  | { readonly type: 'modified'; readonly key: string; readonly object: KubeObject; readonly old: KubeObject }
  | { readonly type: 'deleted'; readonly key: string; readonly old: KubeObject }

/** What one line of a watch stream asks of the watcher. */
export type WatchStep =
  /** ADDED, MODIFIED or DELETED: apply to the store; resume from `resourceVersion` */
  | { readonly step: 'object'; readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: KubeObject; readonly resourceVersion: string }
  /** BOOKMARK: nothing changed, resume from `resourceVersion` */
  | { readonly step: 'bookmark'; readonly resourceVersion: string }
  /** ERROR with 410 (Expired/Gone): the resourceVersion is too old, list again */
  | { readonly step: 'expired'; readonly message: string }
  /** ERROR with another code, or a line that is not a watch event */
  | { readonly step: 'error'; readonly status: number; readonly message: string }

/** Reads one decoded line of a watch stream. Pure. */
export function readWatchEvent(res: ApiResource, event: unknown): WatchStep {
  const e = event as { type?: unknown; object?: unknown } | null
  if (!e || typeof e !== 'object' || typeof e.type !== 'string' || !e.object || typeof e.object !== 'object') {
    return { step: 'error', status: 0, message: 'a line of the watch stream is not a watch event' }
  }
  const o = e.object as { metadata?: { resourceVersion?: unknown; name?: unknown }; code?: unknown; message?: unknown }
  const rv = typeof o.metadata?.resourceVersion === 'string' ? o.metadata.resourceVersion : ''
  switch (e.type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      if (typeof o.metadata?.name !== 'string') return { step: 'error', status: 0, message: `a ${e.type} event without metadata.name` }
      return { step: 'object', type: e.type, object: withKind(res, e.object), resourceVersion: rv }
    case 'BOOKMARK':
      return { step: 'bookmark', resourceVersion: rv }
    case 'ERROR': {
      const code = typeof o.code === 'number' ? o.code : 0
      const message = typeof o.message === 'string' ? o.message : 'watch error'
      return code === 410 ? { step: 'expired', message } : { step: 'error', status: code, message }
    }
    default:
      return { step: 'error', status: 0, message: `unknown watch event type ${JSON.stringify(e.type)}` }
  }
}

/**
 * Applies an event to the store (mutating it) and returns the change, or undefined when there is none (a
 * DELETED of an unknown object). ADDED of a known object is a modification and MODIFIED of an unknown one an
 * addition, so that a replay after a resume cannot make the store wrong.
 */
export function applyEvent(store: Map<string, KubeObject>, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): Change | undefined {
  const key = objectKey(object)
  const old = store.get(key)
  if (type === 'DELETED') {
    if (!old) return undefined
    store.delete(key)
    return { type: 'deleted', key, old }
  }
  store.set(key, object)
  return old ? { type: 'modified', key, object, old } : { type: 'added', key, object }
}

/** A store of `items` (the result of a list). */
export function storeOf(items: readonly KubeObject[]): Map<string, KubeObject> {
  return new Map(items.map((o) => [objectKey(o), o]))
}

/**
 * What turned `before` into `after` (after a relist): additions, modifications (a different resourceVersion,
 * or a different object when either has none) and deletions, in `after`'s order then `before`'s. Pure.
 */
export function diffStores(before: Store, after: Store): Change[] {
  const out: Change[] = []
  for (const [key, object] of after) {
    const old = before.get(key)
    if (!old) out.push({ type: 'added', key, object })
    else if (old !== object && (old.metadata.resourceVersion !== object.metadata.resourceVersion || old.metadata.resourceVersion === undefined)) {
      out.push({ type: 'modified', key, object, old })
    }
  }
  for (const [key, old] of before) if (!after.has(key)) out.push({ type: 'deleted', key, old })
  return out
}

export interface BackoffPolicy {
  /** the first delay (default 500 ms) */
  readonly initialMs: number
  /** the longest delay (default 30 s) */
  readonly maxMs: number
  /** each failure multiplies the delay (default 2) */
  readonly factor: number
  /** the fraction by which a delay is randomly shortened, 0–1 (default 0.5): watchers do not retry in step */
  readonly jitter: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 }

/**
 * The delay before retry number `attempt` (0 for the first): min(max, initial·factor^attempt), shortened by up
 * to `jitter` of itself as `random` (0–1) says. Never more than `maxMs`. Pure.
 */
export function backoffDelay(attempt: number, random: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const base = Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.factor, Math.max(0, attempt)))
  return Math.round(base * (1 - policy.jitter * Math.min(1, Math.max(0, random))))
}

/**
 * How long ago the change an event carries was made, when the object says (the latest of its
 * creationTimestamp, deletionTimestamp and managedFields times, which have second precision); undefined
 * otherwise. Pure.
 */
export function eventLagMs(object: KubeObject, nowMs: number): number | undefined {
  const m = object.metadata as { creationTimestamp?: unknown; deletionTimestamp?: unknown; managedFields?: unknown }
  let latest = Number.NaN
  const see = (t: unknown) => {
    if (typeof t !== 'string') return
    const ms = Date.parse(t)
    if (!Number.isNaN(ms) && !(ms <= latest)) latest = ms
  }
  see(m.creationTimestamp)
  see(m.deletionTimestamp)
  if (Array.isArray(m.managedFields)) for (const f of m.managedFields) see((f as { time?: unknown } | null)?.time)
  return Number.isNaN(latest) ? undefined : Math.max(0, nowMs - latest)
}
