/**
 * `netpol agent` without `-f`: the cluster of the kubeconfig (`--kubeconfig`, `--context`, KUBECONFIG,
 * ~/.kube/config, or in a pod its ServiceAccount) is the input, followed with list+watch. Waits for the first
 * complete list of every kind; an error no retry can mend (RBAC denial, bad credentials, a certificate the CA
 * did not sign, a kubeconfig that cannot be used) ends the agent before anything touches the host's rules
 * (exit 2 for the kubeconfig, 1 for the API's answer), with kubectl's kind of message. Other errors (server
 * unreachable, timeouts) are said and retried with backoff; the rules in force stay meanwhile.
 */
import type { KubeClient } from '../../io/kube/kube-client.js'
import type { KubeError } from '../../io/kube/kube-error.js'
import { parseCidr, type Cidr } from '../../model/ip.js'
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
  /** read this Node's pod CIDRs (the unknown-pod guard), first before the listed line */
  readonly podCidrsOf?: string
  /** for tests: faster backoff */
  readonly watch?: WatcherOptions
}

/**
 * A Node's pod CIDRs: `spec.podCIDRs` ("podCIDRs represents the IP ranges assigned to the node for usage by Pods
 * on that node. If this field is specified, the 0th entry must match the podCIDR field. It may contain at most 1
 * value for each of IPv4 and IPv6."), else `spec.podCIDR`. Pure; what is not a CIDR is said, not used.
 */
export function nodePodCidrs(node: unknown): { readonly cidrs: Cidr[]; readonly bad: string[] } {
  const spec = (node as { spec?: { podCIDRs?: unknown; podCIDR?: unknown } } | null)?.spec
  const texts = Array.isArray(spec?.podCIDRs) ? spec.podCIDRs : typeof spec?.podCIDR === 'string' && spec.podCIDR !== '' ? [spec.podCIDR] : []
  const cidrs: Cidr[] = []
  const bad: string[] = []
  for (const t of texts) {
    const c = typeof t === 'string' ? parseCidr(t) : null
    if (c === null) bad.push(String(t))
    else cidrs.push(c)
  }
  return { cidrs, bad }
}

/** How often a Node without pod CIDRs (not allocated yet, or not readable) is read again, at most. */
export const NODE_REREAD_MS = 5_000

/**
 * The pod CIDRs of node `name`, read from the API once they are there: until then (no podCIDRs yet, or the GET
 * failed) at most every NODE_REREAD_MS, each change of state said once. `null` while none is known: no guard.
 */
export function nodeCidrReader(
  client: KubeClient,
  name: string,
  log: (line: string) => void,
  deps: { readonly now?: () => number; readonly formatError: (e: KubeError) => string },
): () => Promise<readonly Cidr[] | null> {
  const now = deps.now ?? Date.now
  let found: readonly Cidr[] | null = null
  let lastTry = -Infinity
  let said = ''
  const say = (line: string) => {
    if (line !== said) log(line)
    said = line
  }
  return async () => {
    if (found !== null || now() - lastTry < NODE_REREAD_MS) return found
    lastTry = now()
    const { getObject } = await import('../../io/kube/index.js')
    const r = await getObject(client, 'Node', undefined, name)
    if (!r.ok) {
      say(`node ${name}: its pod CIDRs cannot be read (${deps.formatError(r.error)}): a new pod is not filtered until its rules are in; trying again`)
      return null
    }
    const { cidrs, bad } = nodePodCidrs(r.value)
    if (bad.length > 0) say(`node ${name}: spec.podCIDRs: ${bad.map((b) => `"${b}"`).join(', ')} is not a CIDR`)
    if (cidrs.length === 0) {
      say(`node ${name} has no spec.podCIDRs (yet): a new pod is not filtered until its rules are in; reading it again every ${NODE_REREAD_MS / 1000} s`)
      return null
    }
    found = cidrs
    say(`node ${name}: pod CIDRs ${cidrs.map((c) => c.text).join(', ')}; an address in them that no known pod holds is dropped (--unknown-pods)`)
    return found
  }
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
): Promise<ClusterInput & { readonly nodeCidrs: (() => Promise<readonly Cidr[] | null>) | null }> {
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
  const nodeCidrs = opts.podCidrsOf === undefined ? null : nodeCidrReader(conn.value.client, opts.podCidrsOf, deps.log, { formatError: formatKubeError })
  await nodeCidrs?.()
  const counts = Object.entries(input.stats()).filter(([, s]) => s!.objects > 0).map(([k, s]) => `${s!.objects} ${k}`)
  deps.log(`cluster ${conn.value.client.context} listed: ${counts.length > 0 ? counts.join(', ') : 'nothing'}${opts.once ? '' : '; watching'}`)
  return Object.assign(input, { nodeCidrs })
}
