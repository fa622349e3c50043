/**
 * The options every reading command shares: where a live cluster is (--kubeconfig, --context) and which
 * namespaces to show (-n, -A). Showing fewer namespaces never changes an answer: the analysis reads them all.
 */
import { UsageError } from './io.js'
import type { LiveOptions } from './live.js'

export interface ClusterFlags {
  readonly kubeconfig?: string
  readonly context?: string
}

export interface NamespaceFlags {
  readonly namespace?: readonly string[]
  readonly allNamespaces?: boolean
}

/** The live-cluster options of a command's flags (read only when the command is given no -f). */
export function liveOf(flags: ClusterFlags): LiveOptions {
  return { ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}), ...(flags.context !== undefined ? { context: flags.context } : {}) }
}

/** -n/-A checked against the flags alone, before anything is read: both together is a usage error. */
export function checkNamespaceFlags(flags: NamespaceFlags): void {
  if (flags.allNamespaces && (flags.namespace?.length ?? 0) > 0) throw new UsageError('give -n NAMESPACE or -A (every namespace), not both')
}

/**
 * The namespaces to show, or null for every one (no -n, or -A). A namespace the input does not have is a usage
 * error naming the ones it has: an empty answer must not pass for "nothing there".
 */
export function shownNamespaces(flags: NamespaceFlags, have: { has(ns: string): boolean; keys(): Iterable<string> }, flag = '-n'): ReadonlySet<string> | null {
  checkNamespaceFlags(flags)
  const list = flags.namespace ?? []
  if (list.length === 0) return null
  for (const ns of list) {
    if (!have.has(ns)) throw new UsageError(`${flag} ${ns}: no such namespace in the input (have: ${[...have.keys()].sort().join(', ')})`)
  }
  return new Set(list)
}
