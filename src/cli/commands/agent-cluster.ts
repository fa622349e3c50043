/**
 * `netpol agent` without `-f`: the cluster of the kubeconfig (`--kubeconfig`, `--context`, KUBECONFIG,
 * ~/.kube/config, or in a pod its ServiceAccount) is the input, followed with list+watch. Waits for the first
 * complete list of every kind; an error no retry can mend (RBAC denial, bad credentials, a certificate the CA
 * did not sign, a kubeconfig that cannot be used) ends the agent before anything touches the host's rules
 * (exit 2 for the kubeconfig, 1 for the API's answer), with kubectl's kind of message. Other errors (server
 * unreachable, timeouts) are said and retried with backoff; the rules in force stay meanwhile.
 */
import type { KubeError } from '../../io/kube/kube-error.js'
import type { KindName } from '../../io/kube/resources.js'
import type { WatcherOptions } from '../../io/kube/watcher.js'
import type { ClusterInput } from '../../agent/cluster-input.js'
import type { AgentMetrics } from '../../agent/metrics.js'
import { ExitError, type CliIO } from '../io.js'

export interface ClusterModeOptions {
  readonly kubeconfig?: string
  readonly context?: string
  /** --once: the first error of any kind ends it (nothing would retry) */
  readonly once: boolean
  /** for tests: faster backoff */
  readonly watch?: WatcherOptions
}

/** Errors that the same request will meet again: the agent says so and exits rather than retry for ever. */
export function isFatalAtStart(e: KubeError): boolean {
  return e.code === 'forbidden' || e.code === 'unauthorized' || e.code === 'credentials_failed' || e.code === 'not_served' || (e.code === 'unreachable' && e.certificate)
}

/**
 * Connects and follows the cluster; resolves once every kind is listed (see the module comment). `onChange`
 * is the loop's trigger, set later (the loop is made after the input it loads from).
 */
export async function startClusterInput(
  opts: ClusterModeOptions,
  io: CliIO,
  deps: { readonly onChange: () => void; readonly metrics: AgentMetrics | null; readonly log: (line: string) => void },
): Promise<ClusterInput> {
  const [{ connect, formatKubeError }, { followCluster }, { formatIssue }] = await Promise.all([
    import('../../io/kube/index.js'),
    import('../../agent/cluster-input.js'),
    import('../render/format-issue.js'),
  ])
  const conn = connect({ ...(opts.kubeconfig !== undefined ? { kubeconfig: opts.kubeconfig } : {}), ...(opts.context !== undefined ? { context: opts.context } : {}) })
  if (!conn.ok) {
    io.stderr.write(`error: ${formatKubeError(conn.error)}\n`)
    throw new ExitError(2)
  }
  let fatal: (e: { kind: KindName; error: KubeError }) => void = () => undefined
  const failed = new Promise<{ kind: KindName; error: KubeError }>((resolve) => (fatal = resolve))
  let synced = false
  const input = followCluster(
    conn.value.client,
    {
      formatIssue,
      onChange: () => deps.onChange(),
      onEvent: (kind, type, lag) => deps.metrics?.watchEvent(kind, type, lag),
      onRelist: (kind, changes) => deps.log(`${kind} listed again (its watch had expired): ${changes} object${changes === 1 ? '' : 's'} changed meanwhile`),
      onError: (kind, error, retryInMs) => {
        deps.metrics?.apiError(kind, error.code)
        if (!synced && (opts.once || isFatalAtStart(error))) return fatal({ kind, error })
        deps.log(`${formatKubeError(error)}; retrying in ${(retryInMs / 1000).toFixed(1)} s${synced ? ', the rules in force stay' : ''}`)
      },
    },
    opts.watch,
  )
  deps.metrics?.watchers(() => input.stats())
  const first = await Promise.race([input.synced().then(() => null), failed])
  if (first !== null) {
    await input.stop()
    io.stderr.write(`error: ${formatKubeError(first.error)}\n`)
    throw new ExitError(first.error.code === 'credentials_failed' ? 2 : 1)
  }
  synced = true
  const counts = Object.entries(input.stats()).filter(([, s]) => s!.objects > 0).map(([k, s]) => `${s!.objects} ${k}`)
  deps.log(`cluster ${conn.value.client.context} listed: ${counts.length > 0 ? counts.join(', ') : 'nothing'}${opts.once ? '' : '; watching'}`)
  return input
}
