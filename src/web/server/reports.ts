/**
 * The one place the server meets the report layer: the JSON contracts the CLI prints with `-o json`, built by
 * the same functions. Routes call these and nothing else of the report layer.
 */
import type { GraphLevel } from '../api.js'
import type { Cluster } from '../../model/cluster.js'
import { indexCluster, type ClusterIndex } from '../../engine/cluster-index.js'
import { Describer, type PolicyView } from '../../analysis/describe.js'
import { lintCluster, type LintResult } from '../../analysis/lint/index.js'
import { workloadKey, workloadOf } from '../../flows/workload-selector.js'
import { renderPolicyText } from '../../cli/render/describe-text.js'
import type { PodView } from '../../analysis/describe.js'
import { diffClusters } from '../../analysis/diff.js'
import type { ResolveError } from '../../analysis/resolve-endpoint.js'
import { describePodsReport, describePoliciesReport, diffReport, lintReport, placeFindings, resolveErrorText } from '../../report/index.js'
import type { GraphReport } from '../api.js'
import { parseGraphQuery, type GraphQuery, type Parsed } from './graph-query.js'
import type { Snapshot } from './serve-input.js'
import { cached } from './snapshot-cache.js'

/** The engine's index of the snapshot's cluster. */
export const indexOf = (s: Snapshot): ClusterIndex => cached(s, 'index', (x) => indexCluster(x.cluster))

/** The lint findings with the default configuration, not yet placed at lines. */
export const lintOf = (s: Snapshot): LintResult => cached(s, 'lint', (x) => lintCluster(x.cluster))

/** GET /api/lint: exactly `netpol lint -o json` (findings placed at their lines in the files read). */
export const lintReportOf = (s: Snapshot): Promise<unknown> => cached(s, 'lint-report', async (x) => lintReport(await placeFindings(lintOf(x), x.texts)))

/**
 * A policy resolved against the cluster (`netpol describe NS/NAME`), computed when first asked for: describing
 * all 10,000 policies of a large cluster at once takes tens of seconds, one takes milliseconds.
 */
export function policyViewOf(s: Snapshot, ref: string): PolicyView | undefined {
  const views = cached(s, 'policy-views', () => new Map<string, PolicyView | undefined>())
  if (!views.has(ref)) {
    const policy = s.cluster.policies.find((p) => `${p.namespace}/${p.name}` === ref)
    views.set(ref, policy && cached(s, 'describer', (x) => new Describer(indexOf(x))).policy(policy))
  }
  return views.get(ref)
}

/** `netpol describe NS/NAME` as text. */
export const describePolicyText = (v: PolicyView): string => renderPolicyText(v)

/** The level /api/graph picks for "auto". */
export function defaultLevel(cluster: Cluster): GraphLevel {
  const workloads = new Set(cluster.pods.map((p) => workloadKey(workloadOf(p))))
  return workloads.size <= 500 ? 'workload' : 'class'
}

/** `netpol diff -o json` between the snapshot's cluster and `after`. */
export const diffOf = (before: Cluster, after: Cluster): unknown => diffReport(diffClusters(before, after))

/** The graph question of a request (query parameters or a what-if body), checked against the snapshot. */
export function parseGraphOptions(s: Snapshot, q: Parameters<typeof parseGraphQuery>[0]): Parsed<GraphQuery> {
  return parseGraphQuery(q, () => defaultLevel(s.cluster), s.cluster.namespaces)
}

/** GET /api/graph: the graph report of the snapshot. */
export function graphOf(_s: Snapshot, _q: GraphQuery): GraphReport | undefined {
  return undefined
}

/** The graph of `after`, its edges marked opened, closed or same against the snapshot's. */
export function graphChangeOf(_s: Snapshot, _after: Cluster, _q: GraphQuery): GraphReport | undefined {
  return undefined
}

/** What `netpol check` says of an endpoint it cannot resolve (without the flag). */
export const resolveErrorMessage = (e: ResolveError): string => resolveErrorText(e)

/** `netpol describe pod … -o json` of these views. */
export const describePodsReportOf = (views: readonly PodView[]): unknown => describePodsReport(views)

/** `netpol describe … -o json` (policies) of these views. */
export const describePoliciesReportOf = (views: readonly PolicyView[]): unknown => describePoliciesReport(views)
