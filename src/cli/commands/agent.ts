/**
 * `netpol agent`: keep one nftables table (`inet netpol`) equal to the compiled policies for this node's pods,
 * following the manifests as they change; `--once` applies once and exits; `--uninstall` removes the table.
 * The rules stay in force when the agent exits.
 */
import { parseCidr, parseIp, cidrContains, type Cidr, type IpAddress } from '../../model/ip.js'
import type { Pod } from '../../model/cluster.js'
import { checkName } from '../../dataplane/nft-objects.js'
import { ExecNftRunner } from '../../dataplane/nft-runner.js'
import { deleteTable } from '../../dataplane/nft-transaction.js'
import type { AgentMode, CompileNote } from '../../dataplane/compile-policies.js'
import { ExitError, UsageError, type CliIO } from '../io.js'
import type { AgentEvent, LoadOutcome } from '../../agent/loop.js'
import { requireTools } from '../require-tools.js'
import type { ClusterInput } from '../../agent/cluster-input.js'

export interface AgentOptions {
  filename: string[]
  /** cluster mode (no -f): the kubeconfig file and context */
  kubeconfig?: string
  context?: string
  /** the pods with this spec.nodeName (default env NODE_NAME) */
  nodeName?: string
  nodeIp?: string
  podCidr: string[]
  allPods?: boolean
  /** an address in the node's pod CIDRs that no known pod holds; default drop in cluster mode, allow with -f */
  unknownPods?: 'drop' | 'allow'
  mode: AgentMode
  metrics?: string
  flowLog?: string
  /** with flowLog: accepted connections too */
  flowLogAll?: boolean
  table: string
  netns?: string
  strict?: boolean
  once?: boolean
  uninstall?: boolean
  logGroup: string
}

/**
 * Which pods this node filters: `--all-pods`, or those whose spec.nodeName is `--node-name`, or with an address
 * in a `--pod-cidr`, or whose hostIP is `--node-ip` (any of those given).
 */
export function managedPods(opts: Pick<AgentOptions, 'nodeIp' | 'podCidr' | 'allPods' | 'nodeName'>): (pod: Pod) => boolean {
  if (opts.allPods) {
    if (opts.podCidr.length > 0 || opts.nodeIp !== undefined || opts.nodeName !== undefined) throw new UsageError('--all-pods cannot be combined with --pod-cidr, --node-ip or --node-name')
    return () => true
  }
  const cidrs: Cidr[] = opts.podCidr.map((t) => {
    const c = parseCidr(t)
    if (c === null) throw new UsageError(`--pod-cidr "${t}": expected a CIDR such as 10.244.1.0/24 or fd00:10:244:1::/64`)
    return c
  })
  let node: IpAddress | null = null
  if (opts.nodeIp !== undefined) {
    node = parseIp(opts.nodeIp)
    if (node === null) throw new UsageError(`--node-ip "${opts.nodeIp}": expected an IPv4 or IPv6 address`)
  }
  const name = opts.nodeName
  if (cidrs.length === 0 && node === null && name === undefined) {
    throw new UsageError('say which pods this node runs: --node-name NODE (or env NODE_NAME), --pod-cidr CIDR (repeatable), --node-ip IP, or --all-pods')
  }
  const n = node
  return (pod) =>
    (name !== undefined && pod.nodeName === name) ||
    pod.ips.some((ip) => cidrs.some((c) => cidrContains(c, ip))) || (n !== null && pod.hostIPs.some((h) => h.family === n.family && h.value === n.value))
}

/**
 * The unknown-pod guard (see dataplane/unknown-pods.ts): `cidrs` given by --pod-cidr, or `fromNode` to read them
 * from that Node's spec.podCIDRs; neither: no guard (`note` says why, when the default asked for one).
 */
export function unknownPodsGuard(
  opts: Pick<AgentOptions, 'unknownPods' | 'podCidr' | 'nodeName'>,
  clusterMode: boolean,
): { readonly cidrs: readonly Cidr[]; readonly fromNode?: string; readonly note?: string } {
  const verdict = opts.unknownPods ?? (clusterMode ? 'drop' : 'allow')
  if (verdict === 'allow') return { cidrs: [] }
  // managedPods has checked them
  const cidrs = opts.podCidr.map((t) => parseCidr(t)!)
  if (cidrs.length > 0) return { cidrs }
  if (clusterMode && opts.nodeName !== undefined) return { cidrs: [], fromNode: opts.nodeName }
  if (opts.unknownPods === 'drop') {
    throw new UsageError(`--unknown-pods drop needs the node's pod CIDRs: ${clusterMode ? '--node-name (its Node\'s spec.podCIDRs) or ' : ''}--pod-cidr`)
  }
  return { cidrs: [], note: "note: no pod CIDRs known (give --node-name or --pod-cidr): a new pod is not filtered until its rules are in" }
}

/** Up to five addresses, sorted (IPv4 first), then the count: "10.0.0.1, 10.0.0.2, … (7 in all)". */
function someAddresses(ips: readonly IpAddress[]): string {
  const byText = new Map(ips.map((ip) => [ip.text, ip]))
  const sorted = [...byText.values()].sort((a, b) => a.family - b.family || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
  return `${sorted.slice(0, 5).map((ip) => ip.text).join(', ')}${sorted.length > 5 ? ', …' : ''} (${sorted.length} in all)`
}

/**
 * Warnings for a `--node-ip` or a `--pod-cidr` that selects no pod of the input: most often a typo, or the
 * node's other address, and the agent would silently filter nothing. One line each; the last says so when
 * the agent filters no pod at all.
 */
export function scopeWarnings(opts: Pick<AgentOptions, 'nodeIp' | 'podCidr' | 'allPods'>, pods: readonly Pod[]): string[] {
  if (opts.allPods) return []
  const out: string[] = []
  const node = opts.nodeIp === undefined ? null : parseIp(opts.nodeIp)
  if (node !== null && !pods.some((p) => p.hostIPs.some((h) => h.family === node.family && h.value === node.value))) {
    const seen = pods.flatMap((p) => p.hostIPs)
    out.push(`warning: no pod in the input has hostIP ${opts.nodeIp}; ${seen.length === 0 ? 'no pod has status.hostIP' : `hostIPs seen: ${someAddresses(seen)}`}`)
  }
  for (const text of opts.podCidr) {
    const cidr = parseCidr(text)
    if (cidr === null || pods.some((p) => p.ips.some((ip) => cidrContains(cidr, ip)))) continue
    const seen = pods.flatMap((p) => p.ips)
    out.push(`warning: no pod in the input has an address in --pod-cidr ${text}; ${seen.length === 0 ? 'no pod has an address' : `pod addresses seen: ${someAddresses(seen)}`}`)
  }
  if (out.length > 0 && !pods.some(managedPods(opts))) out[out.length - 1] += ': this agent filters no pod'
  return out
}

export async function agent(opts: AgentOptions, io: CliIO): Promise<void> {
  const tableProblem = checkName(opts.table)
  if (tableProblem !== null) throw new UsageError(`--table: ${tableProblem}`)
  const runner = new ExecNftRunner(opts.netns !== undefined ? { netns: opts.netns } : {})
  const netnsTools = opts.netns !== undefined ? (['ip'] as const) : []
  if (opts.uninstall) {
    requireTools(io, 'netpol agent', ['nft', ...netnsTools])
    // nothing to remove is the state asked for: said, not an error (so that an uninstall step can run twice)
    const tables = await runner.query(['list', 'tables', 'inet'])
    if (tables.ok && !tables.stdout.split('\n').includes(`table inet ${opts.table}`)) {
      io.stderr.write(`no table inet ${opts.table} to remove\n`)
      return
    }
    const r = await runner.run(deleteTable({ family: 'inet', name: opts.table }))
    if (!r.ok) {
      io.stderr.write(`error: could not remove table inet ${opts.table}: ${r.error}\n`)
      throw new ExitError(1)
    }
    io.stderr.write(`removed table inet ${opts.table}\n`)
    return
  }
  const clusterMode = opts.filename.length === 0
  if (!clusterMode && (opts.kubeconfig !== undefined || opts.context !== undefined)) throw new UsageError('--kubeconfig and --context read the cluster: leave out -f')
  if (opts.filename.includes('-') && !opts.once) throw new UsageError('-f - (stdin) only works with --once: the agent re-reads its inputs on every change')
  const managed = managedPods(opts)
  const guard = unknownPodsGuard(opts, clusterMode)
  const logGroup = Number(opts.logGroup)
  if (!Number.isInteger(logGroup) || logGroup < 0 || logGroup > 65535) throw new UsageError(`--log-group "${opts.logGroup}": expected 0-65535`)
  if (opts.flowLogAll && opts.flowLog === undefined) throw new UsageError('--flow-log-all adds accepted connections to the flow log: give --flow-log FILE (or -) too')
  const wantsLog = opts.flowLog !== undefined || opts.metrics !== undefined
  // the programs it runs, once the command line is known to be right and before anything touches the host:
  // a missing nft would otherwise be retried for ever
  requireTools(io, 'netpol agent', ['nft', ...netnsTools, ...(opts.strict ? (['conntrack'] as const) : []), ...(opts.flowLog !== undefined ? (['ulogd', 'ulogd-json'] as const) : [])])

  const [{ AgentLoop, watchPaths }, { loadManifests, ManifestCache }, { formatIssue }] = await Promise.all([
    import('../../agent/loop.js'),
    import('../../io/load-manifests.js'),
    import('../render/format-issue.js'),
  ])
  let stdinText: Promise<string> | null = null
  // said once, and again only when it changes (a running agent reloads on every change)
  let lastWarnings = ''
  const warnScope = (pods: readonly Pod[]): void => {
    const text = scopeWarnings(opts, pods).join('\n')
    if (text !== '' && text !== lastWarnings) io.stderr.write(`${text}\n`)
    lastWarnings = text
  }
  // on a change, only the files that changed are read and parsed again
  const cache = opts.once ? undefined : new ManifestCache()
  const load = async (): Promise<LoadOutcome> => {
    const r = await loadManifests(opts.filename, { stdin: () => (stdinText ??= io.readStdin()), ...(cache ? { cache } : {}) })
    if (r.issues.length === 0) {
      warnScope(r.cluster.pods)
      return { ok: true, cluster: r.cluster, ...(guard.cidrs.length > 0 ? { podCidrs: guard.cidrs } : {}) }
    }
    return { ok: false, message: `${r.issues.length} error${r.issues.length === 1 ? '' : 's'} in the input; the rules in force stay:\n${r.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}` }
  }

  const metricsMod = opts.metrics !== undefined ? await import('../../agent/metrics.js') : null
  const metricsAddr = metricsMod ? metricsMod.parseListenAddress(opts.metrics!) : null
  if (metricsMod && metricsAddr === null) throw new UsageError(`--metrics "${opts.metrics}": expected [HOST]:PORT such as :9100`)
  const metrics = metricsMod ? new metricsMod.AgentMetrics() : null
  const log = (line: string) => io.stderr.write(`${new Date().toISOString()} ${line}\n`)
  // cluster mode: the watchers are the input, each change a trigger of the loop; started once /healthz serves
  let live: ClusterInput | null = null
  // the Node's spec.podCIDRs, when the guard is on and no --pod-cidr gives them
  let nodeCidrs: (() => Promise<readonly Cidr[] | null>) | null = null
  const followCluster = async (): Promise<void> => {
    const input = await (await import('./agent-cluster.js')).startClusterInput(
      {
        ...(opts.kubeconfig !== undefined ? { kubeconfig: opts.kubeconfig } : {}),
        ...(opts.context !== undefined ? { context: opts.context } : {}),
        ...(guard.fromNode !== undefined ? { podCidrsOf: guard.fromNode } : {}),
        once: opts.once === true,
      },
      io,
      { onChange: () => loop.trigger(), metrics, log },
    )
    nodeCidrs = input.nodeCidrs
    live = input
  }
  const loadLive = async (input: ClusterInput): Promise<LoadOutcome> => {
    const out = await input.load()
    if (!out.ok) return out
    const cidrs = guard.cidrs.length > 0 ? guard.cidrs : ((await nodeCidrs?.()) ?? null)
    return cidrs === null ? out : { ...out, podCidrs: cidrs }
  }
  if (guard.note !== undefined) log(guard.note)
  const flowMod = opts.flowLog !== undefined || metrics ? await import('../../agent/flow-log.js') : null
  const flowOut = opts.flowLog === undefined ? null : opts.flowLog === '-' ? io.stdout : (await import('node:fs')).createWriteStream(opts.flowLog, { flags: 'a' })
  const flowLog = flowMod
    ? new flowMod.FlowLog({ write: (line) => flowOut?.write(line), allowed: opts.flowLogAll === true, ...(metrics ? { onPacket: (e) => metrics.logged(e) } : {}) })
    : null

  let lastFailure: AgentEvent['kind'] | null = null
  const report = (e: AgentEvent) => {
    if (e.kind.endsWith('-failed')) lastFailure = e.kind
    metrics?.event(e)
    io.stderr.write(`${new Date().toISOString()} ${eventText(e, opts.table, opts.once === true)}\n`)
  }
  const { ExecConntrack } = await import('../../agent/conntrack.js')
  // a long-running agent gives back the memory of each load once it has applied it
  const collect = opts.once ? null : (await import('../../agent/garbage-collector.js')).garbageCollector()
  const loop = new AgentLoop(
    { table: opts.table, mode: opts.mode, managed, strict: opts.strict === true, ...(wantsLog ? { logGroup } : {}), ...(opts.flowLogAll ? { logAccepted: true } : {}) },
    {
      load: () => (live ? loadLive(live) : load()),
      runner,
      report,
      ...(opts.strict ? { conntrack: new ExecConntrack(opts.netns) } : {}),
      onApplied: (cluster, compiled) => {
        flowLog?.setCluster(cluster)
        metrics?.ruleSet(compiled)
      },
      ...(collect ? { settled: collect } : {}),
    },
  )

  if (opts.once) {
    if (clusterMode) await followCluster()
    // exit 2: the input is bad; 1: the ruleset could not be applied (the rules in force stay)
    const outcome = await loop.sync()
    await (live as ClusterInput | null)?.stop()
    if (outcome === 'failed') throw new ExitError(lastFailure === 'load-failed' ? 2 : 1)
    // the new rules are in force; the old ones go once no packet can be inside them any more
    await loop.removeStale()
    return
  }

  const closers: (() => Promise<void> | void)[] = []
  const closeAll = async () => {
    for (const c of closers.reverse()) await c()
    if (flowOut !== null && flowOut !== io.stdout) await new Promise<void>((r) => flowOut.end(() => r()))
  }
  try {
    await startServices()
  } catch (err) {
    await closeAll()
    throw err
  }
  loop.start()
  await new Promise<void>((resolve) => {
    const done = () => resolve()
    process.once('SIGINT', done)
    process.once('SIGTERM', done)
  })
  await loop.stop()
  await closeAll()
  io.stderr.write(`${new Date().toISOString()} stopped; the rules in force stay (netpol agent --uninstall removes them)\n`)

  async function startServices(): Promise<void> {
    if (flowLog && flowMod) {
      // the denied-packet counters of --metrics come from the same log; without ulogd they stay at zero
      const ulogd = await flowMod
        .startUlogd({
          group: logGroup,
          ...(opts.netns !== undefined ? { netns: opts.netns } : {}),
          onLine: (line) => flowLog.ingest(line),
          onExit: (code, log) => io.stderr.write(`${new Date().toISOString()} ulogd exited (${code}); no flow log from now on${log ? `: ${log.trim()}` : ''}\n`),
        })
        .catch((err: unknown) => {
          if (opts.flowLog !== undefined) {
            io.stderr.write(`error: --flow-log: ${err instanceof Error ? err.message : String(err)}\n`)
            throw new ExitError(2)
          }
          io.stderr.write(`note: no denied-packet counters: ${err instanceof Error ? err.message : String(err)}\n`)
          return null
        })
      if (ulogd !== null) closers.push(() => ulogd.stop())
    }
    if (metrics && metricsMod && metricsAddr) {
      const server = await metricsMod.serveMetrics(metricsAddr, metrics, () => loop.ready)
      closers.push(() => new Promise<void>((r) => server.close(() => r())))
    }
    if (clusterMode) {
      // readiness waits for the first full sync: the loop starts only once every kind is listed
      await followCluster()
      closers.push(() => live?.stop())
    } else {
      const watcher = await watchPaths(opts.filename, () => loop.trigger())
      closers.push(() => watcher.close())
    }
  }
}

/** One line per event for stderr; `once`: nothing is retried, so no retry is announced. */
export function eventText(e: AgentEvent, table: string, once = false): string {
  const retry = (ms: number | null): string => (once || ms === null ? '' : ms === 0 ? ', replacing the table whole' : `, retrying in ${(ms / 1000).toFixed(0)} s`)
  switch (e.kind) {
    case 'applied': {
      const s = e.stats
      const change = e.tx === 'full' || e.tx === 'replace' ? 'replaced' : `changed (+${e.size.elementsAdded}/-${e.size.elementsDeleted} elements, ${e.size.chainsAdded + e.size.chainsChanged + e.size.chainsDeleted} chains)`
      return `table inet ${table} ${change} in ${e.ms.toFixed(0)} ms: ${s.managedPods} managed pods, ${s.profiles} profiles, ${s.classes} classes, ${s.elements} elements`
    }
    case 'unchanged':
      return 'no change'
    case 'notes':
      return e.notes.map(noteText).join('; ')
    case 'load-failed':
      return `load failed${retry(e.retryInMs)}: ${e.message}`
    case 'compile-failed':
      return `compile failed${retry(e.retryInMs)}: ${e.errors.map((x) => `IPv${x.family}: ${x.classes} classes and ${x.profiles} profiles do not fit a 32-bit mark`).join('; ')}`
    case 'apply-failed':
      return `${e.tx} transaction failed (the rules in force stay)${e.retryInMs === 0 ? (e.tx === 'incremental' ? ', writing the ruleset anew' : ', replacing the table whole') : retry(e.retryInMs)}: ${e.error}${/Operation not permitted/.test(e.error) ? ' (nftables needs root, or CAP_NET_ADMIN)' : ''}`
    case 'flows-cut':
      return `--strict: cut ${e.flows} connection${e.flows === 1 ? '' : 's'} the new rules deny${e.failed > 0 ? ` (${e.failed} already gone)` : ''}`
    case 'cleaned':
      return `removed the previous ruleset's ${e.sets} sets and ${e.chains} chains in ${e.ms.toFixed(0)} ms`
    case 'cleanup-failed':
      return `the previous ruleset's sets and chains stay, unused, until the next replace: ${e.error}`
  }
}

function noteText(n: CompileNote): string {
  switch (n.code) {
    case 'host-network-not-filtered':
      return `note: ${n.pod} uses hostNetwork: not filtered, its address counts as the node's`
    case 'address-shared':
      return `note: ${n.ip} belongs to ${n.pods.join(' and ')}; the first keeps it`
    case 'managed-without-address':
      return `note: ${n.pod} runs here but has no address yet: not filtered until it has one`
    case 'domain-names-not-enforced':
      return `note: ${n.policy} ${n.rule} names domainNames: the addresses of a name depend on DNS, which the ruleset cannot see; the rule matches no address here`
  }
}
