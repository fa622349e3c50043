/**
 * The table of API routes: path, method, and the function from the request's snapshot, query and body to an
 * answer. Each answer is built by a pure function of the snapshot (the report layer for what the CLI also
 * prints), so the same request on the same version answers the same.
 */
import type { Answer } from './respond.js'
import type { ServeInput, Snapshot } from './serve-input.js'
import { clusterSummary } from './cluster-summary.js'
import { defaultLevel, graphOf, graphOptionsOf, lintReportOf } from './reports.js'
import { badRequest } from './respond.js'
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
  /** absent for the event stream, which events.ts answers */
  readonly answer?: (ctx: RouteContext) => Answer | Promise<Answer>
}

/** GET /api/graph?port=P|any&level=…&namespace=NS…&label=K=V…&collapse=true|false&open=NS… */
function graphAnswer(s: Snapshot, query: URLSearchParams): Answer {
  const q = { namespaces: query.getAll('namespace'), labels: query.getAll('label'), open: query.getAll('open') }
  const one = (k: 'port' | 'level' | 'collapse') => query.get(k) ?? undefined
  const o = graphOptionsOf(s, { ...q, port: one('port'), level: one('level'), collapse: one('collapse') })
  return o.ok ? { body: graphOf(s, o.value) } : badRequest(o.error, o.path)
}

export const ROUTES: readonly Route[] = [
  { path: '/api/cluster', method: 'GET', answer: ({ snapshot, input }) => ({ body: clusterSummary(snapshot, input.source, input.live, defaultLevel(snapshot)) }) },
  { path: '/api/graph', method: 'GET', answer: ({ snapshot, query }) => graphAnswer(snapshot, query) },
  { path: '/api/check', method: 'GET', answer: ({ snapshot, query }) => checkAnswer(snapshot, query) },
  { path: '/api/describe/pod', method: 'GET', answer: ({ snapshot, query }) => describePodAnswer(snapshot, query) },
  { path: '/api/describe/policy', method: 'GET', answer: ({ snapshot, query }) => describePolicyAnswer(snapshot, query) },
  { path: '/api/lint', method: 'GET', answer: async ({ snapshot }) => ({ body: await lintReportOf(snapshot) }) },
  { path: '/api/policies', method: 'GET', answer: ({ snapshot, query }) => policiesAnswer(snapshot, query) },
  { path: '/api/matrix', method: 'GET', answer: ({ snapshot, query }) => matrixAnswer(snapshot, query) },
  { path: '/api/whatif', method: 'POST', answer: ({ snapshot, body }) => whatIf(snapshot, body) },
  { path: '/api/allow', method: 'POST', answer: ({ snapshot, body }) => allow(snapshot, body) },
  { path: '/api/events', method: 'GET' },
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
