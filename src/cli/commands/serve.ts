/**
 * `netpol serve`: read the manifests (or follow the cluster), then answer the page and its API on
 * http://ADDRESS:PORT/ until SIGINT or SIGTERM (exit 0). Bad input is exit 2 before anything listens.
 */
import type { ServeInput } from '../../web/server/index.js'
import { ExitError, UsageError, type CliIO } from '../io.js'
import { liveOf } from '../shown-namespaces.js'

export interface ServeOptions {
  filename: string[]
  kubeconfig?: string
  context?: string
  port: string
  address: string
  allowHost: string[]
}

/** What a test replaces: when to stop (default: SIGINT or SIGTERM), and the watchers' options. */
export interface ServeDeps {
  readonly stopped?: Promise<void>
  readonly watch?: import('../../io/kube/watcher.js').WatcherOptions
  readonly heartbeatMs?: number
}

export async function serve(opts: ServeOptions, io: CliIO, deps: ServeDeps = {}): Promise<void> {
  const port = parseListenPort(opts.port)
  if (opts.filename.length > 0 && (opts.kubeconfig !== undefined || opts.context !== undefined)) {
    throw new UsageError(`give -f or read the cluster (${opts.kubeconfig !== undefined ? '--kubeconfig' : '--context'}), not both`)
  }
  const input = opts.filename.length > 0 ? await filesInput(opts, io) : await liveInput(opts, io, deps)
  const { startServer, lintOutcomeOf, prepareDefaultGraph } = await import('../../web/server/index.js')
  // listening for the signals before the URL is printed: whoever reads it may stop the server at once
  const stopped = deps.stopped ?? untilSignal()
  let server: Awaited<ReturnType<typeof startServer>>
  try {
    server = await startServer({
      input,
      port,
      address: opts.address,
      allowHost: opts.allowHost,
      ...(deps.heartbeatMs !== undefined ? { heartbeatMs: deps.heartbeatMs } : {}),
      onInternalError: (err) => io.stderr.write(`netpol serve: internal error (please report): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`),
    })
  } catch (err) {
    await input.stop()
    const e = err as NodeJS.ErrnoException
    const why = e.code === 'EADDRINUSE' ? 'the port is in use (give another with --port, or --port 0 for any free one)' : e.code === 'EADDRNOTAVAIL' ? 'no interface of this machine has that address' : e.code === 'EACCES' ? 'permission denied (ports below 1024 need root)' : e.message
    io.stderr.write(`error: cannot listen on ${opts.address}:${port}: ${why}\n`)
    throw new ExitError(2)
  }
  if (!isLoopback(opts.address)) {
    io.stderr.write(`warning: listening on ${opts.address}, not only this machine: anyone who can reach ${server.url} can read the cluster's policies, pods and labels (there is no login)\n`)
  }
  // the graph the page opens on, before the URL is printed: whoever opens it finds the graph ready (the engine's
  // index built on the way serves every other answer); at 10,000 pods some seconds, on a small cluster nothing
  prepareDefaultGraph(input.current())
  io.stdout.write(`netpol serve: ${server.url}\n`)
  // the lint (a worker thread) starts after that graph, not competing with it for the cores; it takes seconds on a
  // large cluster, and answers that show lint findings say they are pending until it is done
  lintOutcomeOf(input.current()).catch(() => undefined)
  await stopped
  await server.close()
  await input.stop()
}

/** --port: 0 (any free port) to 65535. */
export function parseListenPort(text: string): number {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN
  if (!(n >= 0 && n <= 65535)) throw new UsageError(`--port "${text}": expected a port number 0-65535 (0: any free port)`)
  return n
}

/** Whether only this machine can reach the address: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done)
      process.off('SIGTERM', done)
      resolve()
    }
    process.on('SIGINT', done)
    process.on('SIGTERM', done)
  })
}

async function filesInput(opts: ServeOptions, io: CliIO): Promise<ServeInput> {
  const [{ loadInputOrExit }, { fixedInput }, { formatNotes }] = await Promise.all([import('../load.js'), import('../../web/server/index.js'), import('../render/format-notes.js')])
  const { cluster, texts, notes } = await loadInputOrExit({ files: opts.filename, keepText: true }, io)
  return fixedInput(`files: ${opts.filename.join(', ')}`, { cluster, texts, objects: [], issues: [], notes: formatNotes(notes) })
}

/** The cluster of the kubeconfig, listed and then watched; an error no retry mends is exit 2 (kubeconfig) or 1. */
async function liveInput(opts: ServeOptions, io: CliIO, deps: ServeDeps): Promise<ServeInput> {
  const [{ connect, formatKubeError }, { followLive }, { formatIssue }, { formatNotes }, { isFatalAtStart }] = await Promise.all([
    import('../../io/kube/index.js'),
    import('../../web/server/index.js'),
    import('../render/format-issue.js'),
    import('../render/format-notes.js'),
    import('./agent-cluster.js'),
  ])
  const live = liveOf(opts)
  const conn = connect(live)
  if (!conn.ok) {
    io.stderr.write(`error: ${formatKubeError(conn.error)}\n`)
    throw new ExitError(2)
  }
  const r = await followLive(conn.value.client, {
    ...(deps.watch ? { watch: deps.watch } : {}),
    formatIssue,
    formatNotes,
    isFatal: isFatalAtStart,
    onError: (_, error, retryInMs) => io.stderr.write(`netpol serve: ${formatKubeError(error)}; retrying in ${(retryInMs / 1000).toFixed(1)} s, the last version stays\n`),
  })
  if (!r.ok) {
    io.stderr.write(`error: ${formatKubeError(r.error)}\n`)
    throw new ExitError(r.error.code === 'credentials_failed' ? 2 : 1)
  }
  return r.input
}
