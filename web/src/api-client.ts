/**
 * The page's only way to the server: the endpoints of src/web/api.ts. Every answer the page draws comes from
 * here; a 4xx/5xx answer becomes an {@link ApiFailure} carrying the server's message and field path.
 */
import type {
  AllowRequest, AllowResponse, ApiError, CheckResponse, ClusterSummary, DescribePodResponse, GraphLevel, GraphReport,
  MatrixResponse, PoliciesResponse, WhatIfRequest, WhatIfResponse,
} from '../../src/web/api.js'

/** how often a view asks again for lint findings the server has not computed yet (`lintPending`) */
export const LINT_RETRY_MS = 2000

export class ApiFailure extends Error {
  constructor(readonly status: number, readonly body: ApiError) {
    super(body.path ? `${body.error} (${body.path})` : body.error)
  }
}

type Query = Record<string, string | readonly string[] | undefined>

function url(path: string, q: Query = {}): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue
    for (const one of typeof v === 'string' ? [v] : v) p.append(k, one)
  }
  const s = p.toString()
  return s ? `${path}?${s}` : path
}

async function answer<T>(res: Response): Promise<T> {
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new ApiFailure(res.status, { error: `${res.status} ${res.statusText}: ${text.slice(0, 200)}` })
  }
  if (!res.ok) throw new ApiFailure(res.status, body as ApiError)
  return body as T
}

const get = async <T>(path: string, q?: Query): Promise<T> => answer<T>(await fetch(url(path, q), { headers: { Accept: 'application/json' } }))
const post = async <T>(path: string, body: unknown): Promise<T> =>
  answer<T>(await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) }))

export interface GraphQuery {
  readonly port: string
  readonly level: GraphLevel | 'auto'
  readonly namespaces: readonly string[]
  readonly labels: readonly string[]
  /** at class level: namespaces collapsed (true), not (false), or as the server chooses by size (absent) */
  readonly collapse?: boolean
  /** with namespaces collapsed: those opened into their classes */
  readonly open: readonly string[]
}

export const api = {
  cluster: () => get<ClusterSummary>('/api/cluster'),
  graph: (q: GraphQuery) => get<GraphReport>('/api/graph', { port: q.port, level: q.level, namespace: q.namespaces, label: q.labels, collapse: q.collapse === undefined ? undefined : String(q.collapse), open: q.open }),
  check: (from: string, to: string, port?: string) => get<CheckResponse>('/api/check', { from, to, port }),
  describePod: (pod: string) => get<DescribePodResponse>('/api/describe/pod', { pod }),
  /** every policy, or those of some namespaces, or some policies by name (at 10,000 policies ask for few) */
  policies: (q: { namespace?: readonly string[]; policy?: readonly string[] } = {}) => get<PoliciesResponse>('/api/policies', q),
  matrix: (port: string, namespaces: readonly string[]) => get<MatrixResponse>('/api/matrix', { port, namespace: namespaces }),
  whatif: (req: WhatIfRequest) => post<WhatIfResponse>('/api/whatif', req),
  allow: (req: AllowRequest) => post<AllowResponse>('/api/allow', req),
}
