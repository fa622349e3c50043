import type { Cluster } from '../model/cluster.js'
import type { ModelNote } from '../model/issues.js'
import type { Source } from '../io/sources.js'
import type { SourceTexts } from '../io/source-texts.js'
import type { CliIO } from './io.js'
import { ExitError, UsageError } from './io.js'
import type { LiveOptions } from './live.js'
import { phase } from './timings.js'

export interface LoadOptions {
  /** -f paths; '-' is stdin */
  readonly files: readonly string[]
  /** read these instead of `files` (a git revision) */
  readonly sources?: readonly Source[]
  /** keep the texts read, to place what is found later (lint) */
  readonly keepText?: boolean
  /** print notes (skipped kinds, created namespaces) on stderr */
  readonly quiet?: boolean
  /** accept an input that holds no object at all (diff: one side may be empty); otherwise that is exit 2 */
  readonly allowEmpty?: boolean
  /** what the input is when it is not the -f paths, for the closing line of errors (` at HEAD`) */
  readonly at?: string
  /** what an error stops: `evaluated` (default) or `compared` */
  readonly stops?: string
  /**
   * With no -f (and no `sources`), read the cluster of the kubeconfig context (see live.ts) instead of failing
   * with "no input". --kubeconfig or --context together with -f is a usage error.
   */
  readonly live?: LiveOptions
}

/**
 * Read every -f path into a validated Cluster, or print every problem found (file:line:col, object, field
 * path, what was expected) and exit 2. Nothing is half-used: one bad object fails the whole input, and so does
 * a Helm chart among the paths (its objects would be missing). An input without any object is exit 2 too,
 * unless `allowEmpty`.
 */
export async function loadClusterOrExit(opts: LoadOptions, io: CliIO): Promise<Cluster> {
  return (await loadInputOrExit(opts, io)).cluster
}

/** loadClusterOrExit, with the texts read (see LoadOptions.keepText) and the loader's notes. */
export async function loadInputOrExit(opts: LoadOptions, io: CliIO): Promise<{ readonly cluster: Cluster; readonly texts: SourceTexts; readonly notes: readonly ModelNote[] }> {
  const live = opts.live
  if (live !== undefined && opts.files.length > 0 && (live.kubeconfig !== undefined || live.context !== undefined)) {
    throw new UsageError(`give -f or read the cluster (${live.kubeconfig !== undefined ? '--kubeconfig' : '--context'}), not both`)
  }
  if (opts.sources === undefined && opts.files.length === 0 && live === undefined) {
    io.stderr.write('error: no input: give at least one -f FILE|DIR|-\n')
    throw new ExitError(2)
  }
  phase('start')
  let sources = opts.sources
  if (sources === undefined && opts.files.length === 0 && live !== undefined) {
    const { liveSource, readLiveOrExit } = await import('./live.js')
    sources = [liveSource(await readLiveOrExit(live, io))]
    phase('list')
  }
  const [{ loadSources, manifestSources }, { formatIssue }, { formatNotes }] = await Promise.all([
    import('../io/load-manifests.js'),
    import('./render/format-issue.js'),
    import('./render/format-notes.js'),
  ])
  const result = await loadSources(sources ?? manifestSources(opts.files, { stdin: () => io.readStdin() }), opts.keepText ? { keepText: true } : {})
  phase('parse')
  if (!opts.quiet) for (const line of formatNotes(result.notes)) io.stderr.write(`note: ${line}\n`)
  if (result.issues.length > 0) {
    // in reading order: by file, then line and column
    const sorted = [...result.issues].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.doc - b.doc || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
    for (const i of sorted) io.stderr.write(`error: ${formatIssue(i)}\n`)
    const n = result.issues.length
    io.stderr.write(`${n} error${n === 1 ? '' : 's'} in the input${opts.at ? ` at ${opts.at}` : ''}; nothing was ${opts.stops ?? 'evaluated'}\n`)
    throw new ExitError(2)
  }
  const c = result.cluster
  if (!opts.allowEmpty && c.namespaces.size === 0 && c.pods.length === 0 && c.policies.length === 0 && c.services.length === 0 && c.clusterPolicies.length === 0 && c.nodes.length === 0) {
    // an empty answer must not pass for the answer about an empty cluster: a wrong path in a script would
    // otherwise "succeed". Namespaces without pods are a cluster, and evaluate to an empty matrix.
    io.stderr.write(`error: nothing to evaluate: ${sources !== undefined && opts.sources === undefined ? 'the cluster' : 'the input'} holds no Namespace, Pod, workload, NetworkPolicy, cluster policy, Node or Service\n`)
    throw new ExitError(2)
  }
  return { cluster: c, texts: result.texts, notes: result.notes }
}
