/**
 * GET /api/check?from=A&to=B[&port=P][&family=4|6][&resolve=NAME=IP[,IP]…]: exactly `netpol check --from A --to B
 * [--port P] [--resolve NAME=IP…] -o json`.
 * GET /api/matrix?port=P…&namespace=NS…[&fromNamespace=NS…][&toNamespace=NS…][&family=4|6]: exactly
 * `netpol matrix --port P [-n NS] -o json`, refused with 413 above MAX_MATRIX_CELLS (a page cannot draw it).
 */
import type { Family } from '../../model/ip.js'
import { computeReachability } from '../../analysis/reachability.js'
import { checkConnections, checkReport, matrixCells, parsePort, planMatrix, writeMatrixReport } from '../../report/index.js'
import { parseResolution } from '../../report/resolve-text.js'
import { badRequest, type Answer } from './respond.js'
import { indexOf } from './reports.js'
import type { Snapshot } from './serve-input.js'

export const MAX_MATRIX_CELLS = 250_000

function family(query: URLSearchParams): { ok: true; value?: Family } | { ok: false; answer: Answer } {
  const f = query.get('family')
  if (f === null) return { ok: true }
  if (f !== '4' && f !== '6') return { ok: false, answer: badRequest('expected 4 or 6', 'family') }
  return { ok: true, value: Number(f) as Family }
}

export function checkAnswer(s: Snapshot, query: URLSearchParams): Answer {
  const from = query.get('from')
  const to = query.get('to')
  if (!from) return badRequest('expected the source as `netpol check --from` takes it: NS/POD, an IP address, svc/NS/NAME, deploy/NS/NAME, …', 'from')
  if (!to) return badRequest('expected the destination as `netpol check --to` takes it: NS/POD, an IP address, svc/NS/NAME:PORT, deploy/NS/NAME, …', 'to')
  const fam = family(query)
  if (!fam.ok) return fam.answer
  const port = query.get('port')
  const names = query.getAll('resolve')
  const resolved = names.length > 0 ? parseResolution(names, []) : null
  if (resolved && !resolved.ok) return badRequest(resolved.errors.join('; '), 'resolve')
  const resolution = resolved?.ok ? { resolution: resolved.value } : {}
  const checked = checkConnections(s.cluster, { from, to, ...(port !== null ? { port } : {}), ...(fam.value ? { family: fam.value } : {}), ...resolution }, indexOf(s))
  if (!checked.ok) return badRequest(checked.error.message, checked.error.field)
  return { body: checkReport(checked.value, s.cluster.policies, s.cluster.clusterPolicies) }
}

export async function matrixAnswer(s: Snapshot, query: URLSearchParams): Promise<Answer> {
  const ports = []
  for (const text of query.getAll('port')) {
    const p = parsePort(text)
    if (!p.ok) return badRequest(p.error, 'port')
    ports.push(p.value)
  }
  const fam = family(query)
  if (!fam.ok) return fam.answer
  const planned = planMatrix(s.cluster, {
    ports,
    namespaces: query.getAll('namespace'),
    fromNamespaces: query.getAll('fromNamespace'),
    toNamespaces: query.getAll('toNamespace'),
    ...(fam.value ? { family: fam.value } : {}),
  })
  if (!planned.ok) return badRequest(planned.error.message, planned.error.field)
  const plan = planned.value
  const cells = matrixCells(plan)
  if (cells > MAX_MATRIX_CELLS) {
    return { status: 413, error: `the matrix would have ${cells.toLocaleString('en-US')} cells (${plan.axes.from.length} rows × ${plan.axes.to.length} columns × ${plan.ports.length} ports), more than ${MAX_MATRIX_CELLS.toLocaleString('en-US')}: choose namespaces and a port` }
  }
  const result = computeReachability(indexOf(s), plan.pods, plan.ports, plan.family)
  const chunks: string[] = []
  await writeMatrixReport(result, (c) => void chunks.push(typeof c === 'string' ? c : Buffer.from(c).toString('utf8')), plan.axes)
  return { raw: chunks.join('') }
}
