/**
 * The table of API routes: path, method, and the function from the request's snapshot, query and body to an
 * answer. Each answer is built by a pure function of the snapshot (the report layer for what the CLI also
 * prints), so the same request on the same version answers the same.
 */
import type { Answer } from './respond.js'
import type { ServeInput, Snapshot } from './serve-input.js'
import { clusterSummary } from './cluster-summary.js'
import { defaultLevel, lintReportOf } from './reports.js'
import { policiesAnswer } from './policies.js'
import { whatIf } from './whatif.js'
import { allow } from './allow.js'
import { checkAnswer, matrixAnswer } from './check-matrix.js'
import { describePodAnswer, describePolicyAnswer } from './describe.js'

export interface RouteContext {
  /** the input's snapshot when the request came */
  readonly snapshot: Snapshot
  readonly input: ServeInput
  readonly query: URLSearchParams
  /** POST: the JSON body, parsed */
  readonly body: unknown
}

export interface Route {
  readonly path: string
  readonly method: 'GET' | 'POST'
  readonly answer: (ctx: RouteContext) => Answer | Promise<Answer>
  /** the event stream: answered by events.ts, not with one body */
  readonly events?: true
}

const notYet = (): Answer => ({ status: 501, error: 'not implemented yet' })

export const ROUTES: readonly Route[] = [
  { path: '/api/cluster', method: 'GET', answer: ({ snapshot, input }) => ({ body: clusterSummary(snapshot, input.source, input.live, defaultLevel(snapshot.cluster)) }) },
  { path: '/api/graph', method: 'GET', answer: notYet },
  { path: '/api/check', method: 'GET', answer: ({ snapshot, query }) => checkAnswer(snapshot, query) },
  { path: '/api/describe/pod', method: 'GET', answer: ({ snapshot, query }) => describePodAnswer(snapshot, query) },
  { path: '/api/describe/policy', method: 'GET', answer: ({ snapshot, query }) => describePolicyAnswer(snapshot, query) },
  { path: '/api/lint', method: 'GET', answer: async ({ snapshot }) => ({ body: await lintReportOf(snapshot) }) },
  { path: '/api/policies', method: 'GET', answer: ({ snapshot, query }) => policiesAnswer(snapshot, query) },
  { path: '/api/matrix', method: 'GET', answer: ({ snapshot, query }) => matrixAnswer(snapshot, query) },
  { path: '/api/whatif', method: 'POST', answer: ({ snapshot, body }) => whatIf(snapshot, body) },
  { path: '/api/allow', method: 'POST', answer: ({ snapshot, body }) => allow(snapshot, body) },
  { path: '/api/events', method: 'GET', answer: notYet, events: true },
]

export type Found = { readonly kind: 'route'; readonly route: Route } | { readonly kind: 'method'; readonly allow: readonly string[] } | { readonly kind: 'none' }

/** The route for a path and method; `method` when the path exists with other methods (405). HEAD asks as GET. */
export function findRoute(path: string, method: string): Found {
  const routes = ROUTES.filter((r) => r.path === path)
  if (routes.length === 0) return { kind: 'none' }
  const route = routes.find((r) => r.method === method)
  if (route) return { kind: 'route', route }
  return { kind: 'method', allow: routes.flatMap((r) => (r.method === 'GET' ? ['GET', 'HEAD'] : [r.method])) }
}
