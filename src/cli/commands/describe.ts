import type { Cluster, Pod } from '../../model/cluster.js'
import { podId } from '../../model/cluster.js'
import type { Family } from '../../model/ip.js'
import { formatRef, type PolicyRef } from '../../model/policy.js'
import { indexCluster } from '../../engine/cluster-index.js'
import { describePod, Describer } from '../../analysis/describe.js'
import { describePodsReport, describePoliciesReport } from '../../report/describe-report.js'
import { nearest } from '../../analysis/resolve-endpoint.js'
import { ExitError, UsageError, type CliIO } from '../io.js'
import { loadClusterOrExit } from '../load.js'
import { checkNamespaceFlags, liveOf, shownNamespaces } from '../shown-namespaces.js'
import { renderPodText, renderPoliciesText } from '../render/describe-text.js'
import { renderClusterPoliciesText } from '../render/describe-cluster-text.js'
import { describeClusterPolicy } from '../../analysis/describe-cluster-policy.js'
import { describeClusterPoliciesReport } from '../../report/describe-cluster-report.js'
import { formatClusterRef, type ClusterPolicy, type ClusterPolicyKind, type ClusterPolicyRef } from '../../model/cluster-policy.js'

export interface DescribeOptions {
  filename: string[]
  family?: '4' | '6'
  output: 'text' | 'json'
  namespace?: string[]
  allNamespaces?: boolean
  kubeconfig?: string
  context?: string
}

const POLICY_WORDS = new Set(['networkpolicy', 'networkpolicies', 'netpol', 'policy', 'policies'])
const POD_WORDS = new Set(['pod', 'pods', 'po'])

/**
 * `netpol describe [NS/NAME ...]` (policies; all when none is named) and `netpol describe pod NS/NAME ...`:
 * read → resolve against the cluster → render. Exit 2 when a name is not in the input.
 */
export async function describe(targets: readonly string[], opts: DescribeOptions, io: CliIO): Promise<void> {
  const first = targets[0]?.toLowerCase()
  const podMode = first !== undefined && POD_WORDS.has(first)
  // `describe cnp`, `anp`, `banp` (or their long names) alone: every cluster policy of the kind
  const kindOnly = targets.length === 1 && first !== undefined ? CLUSTER_KINDS.get(first) : undefined
  const names = kindOnly ? [] : first !== undefined && (podMode || POLICY_WORDS.has(first)) ? targets.slice(1) : [...targets]
  if (podMode && names.length === 0) throw new UsageError('describe pod: name at least one pod as NAMESPACE/NAME')
  const clusterRefs = podMode ? [] : names.map(clusterRefOf).filter((r) => r !== null)
  const refs = names.filter((n) => podMode || clusterRefOf(n) === null).map(parseName)
  checkNamespaceFlags(opts)
  const cluster = await loadClusterOrExit({ files: opts.filename, live: liveOf(opts) }, io)
  const shown = shownNamespaces(opts, cluster.namespaces)
  const index = indexCluster(cluster)

  if (podMode) {
    const pods = refs.map((r) => findPod(cluster, r, io))
    const family = opts.family ? (Number(opts.family) as Family) : undefined
    const views = pods.map((p) => describePod(index, p, family))
    if (opts.output === 'json') io.stdout.write(JSON.stringify(describePodsReport(views), null, 2) + '\n')
    else io.stdout.write(views.map(renderPodText).join('\n'))
    return
  }
  for (const r of refs) findPolicy(cluster, r, io)
  const clusterPolicies = kindOnly
    ? cluster.clusterPolicies.filter((p) => p.kind === kindOnly)
    : clusterRefs.length > 0
      ? clusterRefs.map((r) => findClusterPolicy(cluster, r, io))
      : names.length === 0 && shown === null
        ? cluster.clusterPolicies
        : []
  const clusterViews = clusterPolicies.map((p) => describeClusterPolicy(index, p))
  const onlyCluster = kindOnly !== undefined || (clusterRefs.length > 0 && refs.length === 0)
  // -n limits the policies listed when none is named; a policy named is shown wherever it is
  const all = onlyCluster ? [] : new Describer(index).policies(refs.length === 0 ? undefined : refs)
  const views = shown === null || refs.length > 0 ? all : all.filter((v) => shown.has(v.policy.namespace))
  if (opts.output === 'json') {
    const report = {
      ...(onlyCluster ? {} : describePoliciesReport(views)),
      ...(clusterViews.length > 0 || onlyCluster ? describeClusterPoliciesReport(clusterViews) : {}),
    }
    io.stdout.write(JSON.stringify(report, null, 2) + '\n')
    return
  }
  const parts: string[] = []
  if (!onlyCluster && (views.length > 0 || clusterViews.length === 0)) parts.push(renderPoliciesText(views))
  if (clusterViews.length > 0) parts.push(renderClusterPoliciesText(clusterViews))
  else if (onlyCluster) parts.push(`no ${kindOnly ?? 'cluster policy'} in the input\n`)
  io.stdout.write(parts.join('\n'))
}

/** The short and long names kubectl knows the cluster policy kinds by. */
const CLUSTER_KINDS: ReadonlyMap<string, ClusterPolicyKind> = new Map([
  ...(['cnp', 'clusternetworkpolicy', 'clusternetworkpolicies'] as const).map((w) => [w, 'ClusterNetworkPolicy'] as const),
  ...(['anp', 'adminnetworkpolicy', 'adminnetworkpolicies'] as const).map((w) => [w, 'AdminNetworkPolicy'] as const),
  ...(['banp', 'baselineadminnetworkpolicy', 'baselineadminnetworkpolicies'] as const).map((w) => [w, 'BaselineAdminNetworkPolicy'] as const),
])

/** `cnp/NAME`, `anp/NAME`, `banp/NAME` (or the long kind names): a cluster policy; null for anything else. */
function clusterRefOf(text: string): ClusterPolicyRef | null {
  const slash = text.indexOf('/')
  if (slash < 0 || text.indexOf('/', slash + 1) >= 0) return null
  const kind = CLUSTER_KINDS.get(text.slice(0, slash).toLowerCase())
  const name = text.slice(slash + 1)
  return kind && name !== '' ? { kind, name } : null
}

function findClusterPolicy(cluster: Cluster, ref: ClusterPolicyRef, io: CliIO): ClusterPolicy {
  const found = cluster.clusterPolicies.find((p) => p.kind === ref.kind && p.name === ref.name)
  if (found) return found
  const candidates = cluster.clusterPolicies.filter((p) => p.kind === ref.kind).map(formatClusterRef)
  const close = nearest(formatClusterRef(ref), candidates)
  const hint = close.length > 0 ? `; did you mean ${close.join(', ')}?` : candidates.length > 0 ? ` (it has ${candidates.slice(0, 10).join(', ')})` : ` (the input has no ${ref.kind})`
  io.stderr.write(`error: no ${ref.kind} "${formatClusterRef(ref)}" in the input${hint}\n`)
  throw new ExitError(2)
}

function parseName(text: string): PolicyRef {
  const parts = text.split('/')
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') throw new UsageError(`"${text}": expected NAMESPACE/NAME`)
  return { namespace: parts[0]!, name: parts[1]! }
}

function notFound(kind: string, wanted: string, candidates: readonly string[], io: CliIO): never {
  const close = nearest(wanted, candidates)
  const ns = wanted.slice(0, wanted.indexOf('/') + 1)
  const sameNs = candidates.filter((c) => c.startsWith(ns)).slice(0, 10)
  const hint = close.length > 0 ? `; did you mean ${close.join(', ')}?` : sameNs.length > 0 ? ` (in that namespace: ${sameNs.join(', ')})` : candidates.length === 0 ? ` (the input has no ${kind})` : ''
  io.stderr.write(`error: no ${kind} "${wanted}" in the input${hint}\n`)
  throw new ExitError(2)
}

function findPolicy(cluster: Cluster, ref: PolicyRef, io: CliIO): void {
  if (cluster.policies.some((p) => p.namespace === ref.namespace && p.name === ref.name)) return
  notFound('NetworkPolicy', formatRef(ref), cluster.policies.map(formatRef), io)
}

function findPod(cluster: Cluster, ref: PolicyRef, io: CliIO): Pod {
  const pod = cluster.pods.find((p) => p.namespace === ref.namespace && p.name === ref.name)
  if (pod) return pod
  return notFound('pod', formatRef(ref), cluster.pods.map(podId), io)
}
