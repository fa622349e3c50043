/**
 * The HTTP contract between `netpol serve` and the page it serves. Every analysis runs on the server: the page
 * sends questions and draws answers. Where an endpoint answers what a CLI command answers, its body is exactly
 * that command's `-o json` output (built by the same report function), so a user can reproduce any picture on
 * the command line.
 *
 * All endpoints are under /api, answer JSON (`application/json; charset=utf-8`) and, on a user mistake, status
 * 400 with an {@link ApiError}. Requests with a body are POST with `Content-Type: application/json`.
 */
import type { GraphLevel, GraphReport, PortChoice } from '../report/graph-types.js'
import type { GraphDelta } from '../report/graph-delta.js'

/** Status 4xx/5xx body. `path` is the query parameter or the JSON field path the message is about. */
export interface ApiError {
  readonly error: string
  readonly path?: string
}

/** A port as the CLI writes it: "8080/TCP", "53/UDP", or "any" (allowed on some port the destination serves or a policy names). */
export type { PortChoice } from '../report/graph-types.js'

/** GET /api/cluster — what the page needs to start: names for pickers, and the version to compare with events. */
export interface ClusterSummary {
  /** increases by one on every change of the cluster (live) or of the what-if state */
  readonly version: number
  /** "files: examples/three-tier/" or "cluster: CONTEXT" */
  readonly source: string
  readonly live: boolean
  readonly namespaces: readonly { readonly name: string; readonly labels: Readonly<Record<string, string>> }[]
  readonly pods: number
  readonly policies: readonly PolicyRef[]
  /** ports a pod serves or a policy names, most common first, as "PORT/PROTOCOL" */
  readonly ports: readonly string[]
  /** the level /api/graph picks when asked for "auto" */
  readonly defaultLevel: GraphLevel
  /**
   * the port the page opens on: "any" for a small cluster; on a large one (more than 2,000 pods) the most common
   * port, whose graph takes a fraction of "any"'s (10k pods: 3.5 s against 16 s). The server computes this graph
   * before it prints its URL, so the page's first /api/graph finds it ready.
   */
  readonly defaultPort: PortChoice
  /** the loader's notes (skipped kinds etc.), one line each */
  readonly notes: readonly string[]
}

export interface PolicyRef {
  readonly namespace: string
  readonly name: string
  /** where it was read: file and 1-based line; absent for live objects */
  readonly file?: string
  readonly line?: number
}

/**
 * GET /api/graph?port=PORT|any&level=auto|namespace|class|workload|pod&namespace=NS (repeatable)&label=K=V (repeatable)
 * [&collapse=true|false][&open=NS (repeatable)]
 * — the graph report (src/report/graph-types.ts): nodes grouped by namespace, edges for allowed connections.
 * At class level above 500 classes shown, every namespace but those in `open` is one collapsed node
 * (`collapsed` lists them); `collapse` asks for it or against it at any size.
 * `netpol serve` lists at most 20,000 edges per answer and counts the rest in `omittedEdges`.
 */
export type { GraphLevel, GraphReport, GraphNode, GraphEdge, GraphGroup } from '../report/graph-types.js'
export type { GraphDelta } from '../report/graph-delta.js'

/** GET /api/check?from=A&to=B[&port=P][&family=4|6] — exactly `netpol check --from A --to B [--port P] -o json`. */
export type CheckResponse = unknown

/** GET /api/describe/pod?pod=NS/NAME — exactly `netpol describe pod NS/NAME -o json`, plus lint findings and named ports. */
export interface DescribePodResponse {
  readonly describe: unknown
  readonly lint: readonly unknown[]
  /** true: the cluster's lint is still running (seconds on a large cluster), `lint` is empty until it is done: ask again */
  readonly lintPending?: true
}

/** GET /api/describe/policy?policy=NS/NAME — exactly `netpol describe NS/NAME -o json`, plus lint findings. */
export interface DescribePolicyResponse {
  readonly describe: unknown
  readonly lint: readonly unknown[]
  /** true: the cluster's lint is still running (seconds on a large cluster), `lint` is empty until it is done: ask again */
  readonly lintPending?: true
}

/** GET /api/lint — exactly `netpol lint -o json`. */
export type LintResponse = unknown

/**
 * GET /api/policies[?namespace=NS…][&policy=NS/NAME…] — every policy with its source text, the problems at
 * their lines, and the describe text; with `namespace` or `policy` (each repeatable), only those policies (at
 * 10,000 policies the whole answer is tens of megabytes and its describe texts take long: ask per namespace).
 */
export interface PoliciesResponse {
  readonly policies: readonly PolicySource[]
  /** the cluster's lint still runs: the lint findings are not among the problems yet (ask again) */
  readonly lintPending?: true
}

export interface PolicySource extends PolicyRef {
  /** the object's YAML as the user wrote it (or as read from the cluster, without status/managedFields) */
  readonly yaml: string
  /** validation errors and lint findings, with 1-based lines within `yaml` */
  readonly problems: readonly Problem[]
  /** `netpol describe NS/NAME` text */
  readonly describe: string
}

export interface Problem {
  readonly severity: 'error' | 'warning' | 'info'
  /** lint id (NP0xx) or "invalid" for a validation error */
  readonly code: string
  readonly line: number
  readonly column?: number
  /** field path, e.g. spec.ingress[0].ports[1].port */
  readonly path?: string
  readonly message: string
}

/** GET /api/matrix?port=P&namespace=NS… — exactly `netpol matrix --port P [--namespace NS] -o json`; 413 above 250,000 cells. */
export type MatrixResponse = unknown

/**
 * POST /api/whatif — try changes to the policies without applying them. Nothing is written anywhere.
 * Body: {@link WhatIfRequest}. Each change's YAML is validated exactly as a file's would be.
 */
export interface WhatIfRequest {
  readonly changes: readonly PolicyChange[]
  /** the graph's port (default "any") and level (default as /api/graph) */
  readonly port?: PortChoice
  readonly level?: GraphLevel | 'auto'
  /** the graph's filters, as /api/graph's `namespace` and `label` */
  readonly namespaces?: readonly string[]
  readonly labels?: readonly string[]
  /** at class level, as /api/graph's `collapse` and `open`: namespaces collapsed, and those opened into their classes */
  readonly collapse?: boolean
  readonly open?: readonly string[]
  /**
   * The version (ClusterSummary.version) of the /api/graph answer of the same port, level, filters and opened
   * namespaces that the
   * asker holds: when it is the server's, the answer carries only what differs from that graph (`graphChanges`,
   * for applyGraphDelta) instead of the whole `graph`.
   */
  readonly since?: number
  /** list at most this many of the diff's changes (a page shows a few): `diffChangesLeftOut` counts the others */
  readonly diffChanges?: number
  /** true: the answer carries `yaml`, every policy after the changes (tens of megabytes on a large cluster) */
  readonly export?: boolean
}

export type PolicyChange =
  | { readonly op: 'edit'; readonly policy: string; readonly yaml: string }
  | { readonly op: 'add'; readonly yaml: string }
  | { readonly op: 'delete'; readonly policy: string }

export interface WhatIfResponse {
  /** errors per change: `change` is its index in `changes`; lines are within that change's YAML */
  readonly errors: readonly (Problem & { readonly change: number })[]
  /**
   * exactly `netpol diff [--port P] -o json` between the policies now and with the changes, on the request's port
   * (every port when it is "any"), its changes cut to `diffChanges` when asked; absent when there are errors
   */
  readonly diff?: unknown
  /** the graph with the changes, edges marked opened/closed/same */
  readonly graph?: GraphReport
  /** with `diffChanges` in the request: the changes the diff leaves out past that many (its summary counts all) */
  readonly diffChangesLeftOut?: number
  /** instead of `graph` when the request's `since` is the server's version: what `graph` has beyond that graph */
  readonly graphChanges?: GraphDelta
  /** every policy after the changes, as one multi-document YAML, for export; only when the request asks (`export: true`) */
  readonly yaml?: string
}

/**
 * POST /api/allow {from, to, port} — the smallest policies that allow one connection (from/to as `check` takes
 * them; port "PORT/PROTOCOL"), selecting by stable labels, never pod-template-hash and the like. Also returns the
 * what-if of adding them.
 */
export interface AllowRequest {
  readonly from: string
  readonly to: string
  readonly port: string
}

export interface AllowResponse {
  /** already allowed: nothing to add */
  readonly alreadyAllowed: boolean
  /** the policies to add, one YAML document each, with comments */
  readonly policies: readonly { readonly namespace: string; readonly name: string; readonly yaml: string }[]
  readonly whatif: WhatIfResponse
}

/**
 * GET /api/events — server-sent events. `event: cluster` with data `{"version": N}` whenever the cluster
 * changes (live clusters); a comment line every 15 s keeps proxies from closing the stream.
 */
export interface ClusterEvent {
  readonly version: number
}
