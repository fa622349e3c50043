/**
 * A full garbage collection on demand, for the long-running agent once a sync has dropped a cluster model.
 *
 * V8 collects its old generation only when that reaches a limit that grows with the heap (up to 4× what was
 * live after the last collection), and its memory reducer runs some 30 s after the last collection. In between,
 * the previous cluster, the compile indexes and what survived of the parse stay resident, and the next reload
 * piles on top: on 10,000 pods and 10,000 policies, 140 MB after the first sync became 200–240 MB after two
 * changes, though 12 MB were live. Collecting once per sync costs 10–20 ms, after the ruleset is applied.
 *
 * Node makes `gc` available only with `--expose-gc`; set at run time, the flag applies to contexts created
 * afterwards, so one is created to fetch the function (which works from any context), and the flag is reset.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** The collector, or null when this runtime offers none. */
export function garbageCollector(): (() => void) | null {
  const given = (globalThis as { gc?: unknown }).gc
  if (typeof given === 'function') return () => void given()
  try {
    setFlagsFromString('--expose-gc')
    const gc: unknown = runInNewContext('gc')
    return typeof gc === 'function' ? () => void gc() : null
  } catch {
    return null
  } finally {
    setFlagsFromString('--no-expose-gc')
  }
}
