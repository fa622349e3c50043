/**
 * Reading the cluster of the current kubeconfig context, as kubectl finds it (`--kubeconfig`, `KUBECONFIG`,
 * `~/.kube/config`, the in-cluster service account; `--context`): every object the model is built from, listed
 * at cluster scope, handed to the one loader as decoded objects with their cluster origin (`cluster CONTEXT:
 * Kind NS/NAME`). A failure is one line a user can act on (formatKubeError) and exit 2.
 */
import type { KubeObject } from '../io/kube/kube-object.js'
import { objects, type Source } from '../io/sources.js'
import type { Origin } from '../model/source.js'
import { ExitError, type CliIO } from './io.js'

/** --kubeconfig and --context, and the environment they are read with (KUBECONFIG, HOME, in-cluster). */
export interface LiveOptions {
  readonly kubeconfig?: string
  readonly context?: string
  readonly env?: Readonly<Record<string, string | undefined>>
  /** where a pod's service account is (tests) */
  readonly serviceAccountDir?: string
}

export interface LiveObjects {
  readonly context: string
  readonly objects: readonly KubeObject[]
}

/** Lists the cluster, with a progress line on a terminal; prints the error and exits 2 when it cannot. */
export async function readLiveOrExit(opts: LiveOptions, io: CliIO): Promise<LiveObjects> {
  const { absenceNote, connect, formatKubeError, listCluster } = await import('../io/kube/index.js')
  const conn = connect({
    ...(opts.kubeconfig !== undefined ? { kubeconfig: opts.kubeconfig } : {}),
    ...(opts.context !== undefined ? { context: opts.context } : {}),
    ...(opts.env !== undefined ? { env: opts.env } : {}),
    ...(opts.serviceAccountDir !== undefined ? { serviceAccountDir: opts.serviceAccountDir } : {}),
  })
  if (!conn.ok) return exitWith(formatKubeError(conn.error), io)
  const context = conn.value.config.context
  const progress = progressLine(io.stderr, `reading cluster ${context}`)
  const listed = await listCluster(conn.value.client, { onProgress: progress.update })
  progress.done()
  if (!listed.ok) return exitWith(formatKubeError(listed.error), io)
  for (const a of listed.value.absent) {
    const note = absenceNote(a)
    if (note !== undefined) io.stderr.write(`note: ${note}\n`)
  }
  return { context, objects: listed.value.objects }
}

function exitWith(message: string, io: CliIO): never {
  io.stderr.write(`error: ${message}\n`)
  throw new ExitError(2)
}

/** The origin of a live object: `cluster CONTEXT: Kind NS/NAME`. */
export function clusterOrigin(context: string, o: KubeObject): Origin {
  const ns = o.metadata.namespace
  return { kind: 'cluster', context, objectKind: o.kind, ...(ns !== undefined && ns !== '' ? { namespace: ns } : {}), name: o.metadata.name }
}

/** Live objects as a source of manifests: one unit per object, named by its cluster origin. */
export function liveSource(live: LiveObjects): Source {
  return objects(live.objects.map((value) => ({ origin: clusterOrigin(live.context, value), value })))
}

/**
 * `reading cluster prod: 12,345 objects…` on `stream` when it is a terminal, rewritten in place (\r) as pages
 * arrive and erased by `done`; nothing at all when it is not a terminal (a pipe, a CI log).
 */
export function progressLine(stream: CliIO['stderr'], label: string): { update(read: number): void; done(): void } {
  if (!stream.isTTY) return { update() {}, done() {} }
  let shown = false
  return {
    update(read) {
      stream.write(`\r${label}: ${read.toLocaleString('en-US')} objects…\x1b[K`)
      shown = true
    },
    done() {
      if (shown) stream.write('\r\x1b[K')
    },
  }
}
