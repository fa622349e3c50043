/**
 * What several routes compute from one snapshot (the engine's index, the lint findings, the describe views),
 * computed once per snapshot on first use and dropped with it.
 */
import type { Snapshot } from './serve-input.js'

const caches = new WeakMap<Snapshot, Map<string, unknown>>()

/** `compute(s)` once per snapshot and `name`; later calls get the same value. */
export function cached<T>(s: Snapshot, name: string, compute: (s: Snapshot) => T): T {
  let m = caches.get(s)
  if (!m) caches.set(s, (m = new Map()))
  if (!m.has(name)) m.set(name, compute(s))
  return m.get(name) as T
}
