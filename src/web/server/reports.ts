/**
 * The one place the server meets the report layer: the JSON contracts the CLI prints with `-o json`, built by
 * the same functions. Routes call these and nothing else of the report layer.
 */
import type { GraphLevel } from '../api.js'
import type { Cluster } from '../../model/cluster.js'
import { indexCluster, type ClusterIndex } from '../../engine/cluster-index.js'
import { Describer, type PolicyView } from '../../analysis/describe.js'
import { renderPolicyText } from '../../cli/render/describe-text.js'
import type { PodView } from '../../analysis/describe.js'
import { defaultDiffFamily, diffClusters } from '../../analysis/diff.js'
import { DiffBase } from '../../analysis/diff-base.js'
import { changesNameNoIpBlock } from '../../analysis/policy-changes.js'
import type { Family } from '../../model/ip.js'
import type { ResolveError } from '../../analysis/resolve-endpoint.js'
import { defaultGraphLevel, describePodsReport, graphChangeDelta, ipBlocksOf, type GraphDelta, describePoliciesReport, diffReport, graphChange, graphReport, parseGraphOptions, resolveErrorText, type GraphOptions, type GraphReport } from '../../report/index.js'
import type { Snapshot } from './serve-input.js'
import { cached } from './snapshot-cache.js'
import type { LintOutcome } from './lint-job.js'
import { lintInBackground } from './lint-runner.js'
import { defaultPort } from './cluster-summary.js'

/** The engine's index of the snapshot's cluster. */
export const indexOf = (s: Snapshot): ClusterIndex => cached(s, 'index', (x) => indexCluster(x.cluster))

/** The lint of the snapshot (default configuration), run in a worker thread once per snapshot. */
export const lintOutcomeOf = (s: Snapshot): Promise<LintOutcome> => cached(s, 'lint', (x) => lintInBackground(x.lintJob()))

/**
 * How long an answer that shows lint findings beside something else (a description, a policy's text) waits for
 * the cluster's lint before it answers without them (`lintPending`; the page asks again later): a small
 * cluster's lint is done by then; a large one's takes seconds (5–15 s at 10,000 pods and policies), which a click
 * must not wait for (a describe waited 40 s on a freshly started server).
 */
export const LINT_WAIT_MS = 200

/** The lint of the snapshot if it is done within LINT_WAIT_MS, else undefined (it goes on running). */
export async function lintOutcomeSoon(s: Snapshot): Promise<LintOutcome | undefined> {
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([lintOutcomeOf(s), new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), LINT_WAIT_MS) })])
  clearTimeout(timer)
  return outcome
}

/** GET /api/lint: exactly `netpol lint -o json` (findings placed at their lines in the files read). */
export const lintReportOf = async (s: Snapshot): Promise<unknown> => (await lintOutcomeOf(s)).report

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

/** The level /api/graph picks for "auto" (ClusterSummary.defaultLevel). */
export const defaultLevel = (s: Snapshot): GraphLevel => cached(s, 'default-level', (x) => defaultGraphLevel(x.cluster))

/**
 * `netpol diff [--port P] -o json` between the snapshot's cluster and `after`: on one port when the what-if asks
 * about one (every port a pod serves or a policy names costs that many times as much).
 */
export function diffOf(s: Snapshot, after: Cluster, port: GraphOptions['port']): unknown {
  return diffReport(diffClusters(s.cluster, after, { ...(port === 'any' ? {} : { ports: [port] }), base: diffBaseOf(s) }))
}

/**
 * What diffs against the snapshot's cluster read of it, kept with the snapshot (DiffBase): its classes and their
 * sides, shared by /api/graph and every what-if, whose side after the change reuses what the change leaves alone.
 */
export const diffBaseOf = (s: Snapshot): DiffBase => cached(s, 'diff-base', (x) => new DiffBase(x.cluster, indexOf(x)))

/** The snapshot's classes in `family`, with their sides (computed as questions need them, then kept). */
export const classesOf = (s: Snapshot, family: Family) => diffBaseOf(s).classes(s.cluster.pods, family)

/**
 * At most this many edges in one graph answer (the others are counted in `omittedEdges`): the 10k cluster has
 * millions of class pairs, which no page draws.
 */
export const MAX_EDGES = 20_000

/** The graph question of a request (query parameters or a what-if body); a namespace the cluster lacks is a mistake. */
export function graphOptionsOf(s: Snapshot, q: { port?: string; level?: string; namespaces?: readonly string[]; labels?: readonly string[]; collapse?: string; open?: readonly string[] }): { ok: true; value: GraphOptions } | { ok: false; error: string; path: string } {
  for (const ns of q.namespaces ?? []) if (!s.cluster.namespaces.has(ns)) return { ok: false, error: `"${ns}": no such namespace`, path: 'namespace' }
  for (const ns of q.open ?? []) if (!s.cluster.namespaces.has(ns)) return { ok: false, error: `"${ns}": no such namespace`, path: 'open' }
  const r = parseGraphOptions(q)
  if (!r.ok) return { ok: false, error: r.error.message, path: r.error.field }
  return { ok: true, value: { ...r.value, maxEdges: MAX_EDGES } }
}

/**
 * The graph the page opens on (ClusterSummary.defaultPort, level auto), computed now so that its first request
 * finds it: `netpol serve` calls this before printing its URL. Builds the engine's index on the way, which
 * every other answer (check, describe) needs too.
 */
export function prepareDefaultGraph(s: Snapshot): void {
  const o = graphOptionsOf(s, { port: defaultPort(s.cluster), level: 'auto' })
  if (o.ok) graphOf(s, o.value)
}

/** GET /api/graph: the graph report of the snapshot, once per snapshot and question. */
export function graphOf(s: Snapshot, o: GraphOptions): GraphReport {
  return cached(s, `graph ${JSON.stringify(o)}`, (x) => graphReport(x.cluster, o.level === 'auto' ? { ...o, level: defaultLevel(x) } : o, indexOf(x), undefined, classesOf(x, o.family ?? defaultDiffFamily(x.cluster.pods)).sides))
}

/**
 * The graph of `after`, its edges marked opened, closed or same against the snapshot's. When the change keeps
 * the ipBlocks the policies name (so every class keeps its id), the snapshot's graph is the one /api/graph
 * drew and cached, and only the graph after the change is computed.
 */
export function graphChangeOf(s: Snapshot, after: Cluster, o: GraphOptions): GraphReport {
  const g = graphsOfChange(s, after, o)
  return g ? graphChange(g.before, g.after) : graphChange(s.cluster, after, o)
}

/**
 * What graphChangeOf has beyond the graph /api/graph answers for the same options (GraphDelta), when that graph
 * is its graph before (the change keeps the ipBlocks); null otherwise.
 */
export function graphChangeDeltaOf(s: Snapshot, after: Cluster, o: GraphOptions): GraphDelta | null {
  const g = graphsOfChange(s, after, o)
  return g && graphChangeDelta(g.before, g.after)
}

/** The graphs before (/api/graph's, cached) and after a change that keeps the ipBlocks; null for another change. */
function graphsOfChange(s: Snapshot, after: Cluster, o: GraphOptions): { before: GraphReport; after: GraphReport } | null {
  const keys = (c: Cluster) => ipBlocksOf(c.policies).map((b) => b.key).sort().join('\n')
  if (!changesNameNoIpBlock(s.cluster.policies, after.policies) && cached(s, 'block-keys', (x) => keys(x.cluster)) !== keys(after)) return null
  const same = o.level === 'auto' ? { ...o, level: defaultLevel(s) } : o
  // the classes after the change: those the what-if's diff computed (the same pods and ipBlocks), sides reused
  const sides = diffBaseOf(s).after(classesOf(s, o.family ?? defaultDiffFamily(s.cluster.pods)), after, indexCluster(after), after.pods).sides
  const before = graphOf(s, o)
  // the edges after are folded only where the change flips a class pair (graph-edges-change.ts)
  return { before, after: graphReport(after, same, sides.index, ipBlocksOf(s.cluster.policies), sides, before) }
}

/** What `netpol check` says of an endpoint it cannot resolve (without the flag). */
export const resolveErrorMessage = (e: ResolveError): string => resolveErrorText(e)

/** `netpol describe pod … -o json` of these views. */
export const describePodsReportOf = (views: readonly PodView[]): unknown => describePodsReport(views)

/** `netpol describe … -o json` (policies) of these views. */
export const describePoliciesReportOf = (views: readonly PolicyView[]): unknown => describePoliciesReport(views)
