/**
 * POST /api/whatif: the policies with the changes of the request applied, compared with the policies now.
 * Stateless: the changes come whole in every request, nothing is kept or written. Each change's YAML is read
 * exactly as a file is (src/io's loader, src/model's validation), and its errors are placed within that YAML.
 */
import type { PolicyChange, Problem, WhatIfRequest, WhatIfResponse } from '../api.js'
import type { Cluster } from '../../model/cluster.js'
import { formatRef, type NetworkPolicy } from '../../model/policy.js'
import { toDotPath } from '../../model/issues.js'
import { loadSources } from '../../io/load-manifests.js'
import type { Source } from '../../io/sources.js'
import { issueMessage } from '../../cli/render/format-issue.js'
import { policyTexts } from './policy-texts.js'
import { badRequest, type Answer } from './respond.js'
import { diffOf, graphChangeDeltaOf, graphChangeOf, graphOptionsOf } from './reports.js'
import type { Snapshot } from './serve-input.js'

type ChangeError = Problem & { readonly change: number }

/** A change read and checked: the policy it removes (edit, delete) and the one it adds (edit, add) with its text. */
interface ReadChange {
  readonly removes?: string
  readonly adds?: { readonly policy: NetworkPolicy; readonly yaml: string }
}

export async function whatIf(s: Snapshot, body: unknown): Promise<Answer> {
  const req = parseRequest(body)
  if ('error' in req) return req
  const graphOpts = graphOptionsOf(s, {
    port: req.port ?? 'any', level: req.level ?? 'auto', namespaces: req.namespaces ?? [], labels: req.labels ?? [],
    ...(req.collapse !== undefined ? { collapse: String(req.collapse) } : {}), open: req.open ?? [],
  })
  // the body's field is `namespaces` (a list), /api/graph's query parameter `namespace`
  if (!graphOpts.ok) return badRequest(graphOpts.error, graphOpts.path === 'namespace' ? 'namespaces' : graphOpts.path)
  const applied = await applyChanges(s, req.changes)
  if (!applied.ok) return { body: { errors: applied.errors } satisfies WhatIfResponse }
  // the asker holds the graph before (this version's /api/graph answer): only what differs from it is sent
  const delta = req.since === s.version ? graphChangeDeltaOf(s, applied.after, graphOpts.value) : null
  const response: WhatIfResponse = {
    errors: [],
    ...listedDiff(diffOf(s, applied.after, graphOpts.value.port), req.diffChanges),
    ...(delta !== null ? { graphChanges: delta } : { graph: graphChangeOf(s, applied.after, graphOpts.value) }),
    // every policy's text is 20 MB on the 10k cluster: sent only when the page exports it
    ...(req.export === true ? { yaml: applied.yaml() } : {}),
  }
  return { body: response }
}

/**
 * The diff, with at most `limit` of its changes (and the classes they name) when the asker shows only so many: a
 * change that touches a namespace's pods is thousands of groups (3.3 MB at 10k pods), of which a page lists 50.
 */
function listedDiff(diff: unknown, limit: number | undefined): Pick<WhatIfResponse, 'diff' | 'diffChangesLeftOut'> {
  const d = diff as { changes: { from: number | string; to: number | string }[]; classes: { id: number }[] }
  if (limit === undefined || d.changes.length <= limit) return { diff }
  const changes = d.changes.slice(0, limit)
  const named = new Set(changes.flatMap((c) => [c.from, c.to]))
  return { diff: { ...d, changes, classes: d.classes.filter((c) => named.has(c.id)) }, diffChangesLeftOut: d.changes.length - limit }
}

/** The request's shape; a wrong shape is 400 with the field path. */
export function parseRequest(body: unknown): WhatIfRequest | (Answer & { error: string }) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { status: 400, error: 'expected an object {changes: [...], port?, level?, namespaces?, labels?, collapse?, open?, since?, export?}' }
  const b = body as Record<string, unknown>
  if (!Array.isArray(b.changes)) return { status: 400, error: 'expected a list of changes', path: 'changes' }
  for (const [i, c] of (b.changes as unknown[]).entries()) {
    const at = `changes[${i}]`
    if (typeof c !== 'object' || c === null) return { status: 400, error: 'expected {op, policy?, yaml?}', path: at }
    const ch = c as Record<string, unknown>
    if (ch.op !== 'edit' && ch.op !== 'add' && ch.op !== 'delete') return { status: 400, error: `expected op "edit", "add" or "delete"`, path: `${at}.op` }
    if (ch.op !== 'add' && typeof ch.policy !== 'string') return { status: 400, error: 'expected the policy as "NAMESPACE/NAME"', path: `${at}.policy` }
    if (ch.op !== 'delete' && typeof ch.yaml !== 'string') return { status: 400, error: "expected the policy's YAML as a string", path: `${at}.yaml` }
  }
  for (const f of ['port', 'level'] as const) if (b[f] !== undefined && typeof b[f] !== 'string') return { status: 400, error: 'expected a string', path: f }
  if (b.collapse !== undefined && typeof b.collapse !== 'boolean') return { status: 400, error: 'expected true or false', path: 'collapse' }
  for (const f of ['namespaces', 'labels', 'open'] as const) {
    if (b[f] !== undefined && !(Array.isArray(b[f]) && (b[f] as unknown[]).every((x) => typeof x === 'string'))) return { status: 400, error: 'expected a list of strings', path: f }
  }
  if (b.diffChanges !== undefined && !(Number.isInteger(b.diffChanges) && (b.diffChanges as number) >= 0)) return { status: 400, error: 'expected how many changes of the diff to list (an integer, 0 or more)', path: 'diffChanges' }
  if (b.since !== undefined && !Number.isInteger(b.since)) return { status: 400, error: 'expected the version of the graph the page holds (an integer)', path: 'since' }
  if (b.export !== undefined && typeof b.export !== 'boolean') return { status: 400, error: 'expected true or false', path: 'export' }
  return b as unknown as WhatIfRequest
}

/**
 * The cluster with `changes` applied, and every policy's text after them (one multi-document YAML, made when
 * asked for: 20 MB on the 10k cluster, which only an export needs), or the errors of every change that cannot be
 * applied.
 */
export async function applyChanges(s: Snapshot, changes: readonly PolicyChange[]): Promise<{ ok: true; after: Cluster; yaml: () => string } | { ok: false; errors: ChangeError[] }> {
  const have = new Set(s.cluster.policies.map(formatRef))
  const errors: ChangeError[] = []
  const read: ReadChange[] = []
  for (const [i, c] of changes.entries()) {
    const fail = (message: string, line = 1) => errors.push({ change: i, severity: 'error', code: 'invalid', line, message })
    if (c.op !== 'add' && !have.has(c.policy)) {
      fail(`no policy "${c.policy}" to ${c.op}`)
      continue
    }
    if (c.op === 'delete') {
      read.push({ removes: c.policy })
      continue
    }
    const r = await readPolicy(c.yaml, i)
    if (!r.ok) {
      errors.push(...r.errors)
      continue
    }
    const name = formatRef(r.policy)
    if (c.op === 'add' && have.has(name)) fail(`${name} exists already: edit it, or give the new policy another name`)
    else read.push({ ...(c.op === 'edit' ? { removes: c.policy } : {}), adds: { policy: r.policy, yaml: c.yaml } })
  }
  // one change per policy: two changes of one policy would leave the result to their order
  const touched = new Map<string, number>()
  read.forEach((r, i) => {
    for (const name of new Set([r.removes, r.adds && formatRef(r.adds.policy)].filter((x): x is string => x !== undefined))) {
      if (touched.has(name)) errors.push({ change: i, severity: 'error', code: 'invalid', line: 1, message: `${name} is changed by change ${touched.get(name)} too: give one change per policy` })
      else touched.set(name, i)
    }
  })
  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => a.change - b.change || a.line - b.line) }

  const removed = new Set(read.map((r) => r.removes).filter((x) => x !== undefined))
  const added = read.flatMap((r) => (r.adds ? [r.adds] : []))
  const kept = s.cluster.policies.filter((p) => !removed.has(formatRef(p)))
  const policies = [...kept, ...added.map((a) => a.policy)].sort((a, b) => cmp(formatRef(a), formatRef(b)))
  const yaml = () => {
    const texts = policyTexts(s)
    const textOf = new Map<string, string>([...kept.map((p) => [formatRef(p), texts.get(formatRef(p))?.yaml ?? ''] as const), ...added.map((a) => [formatRef(a.policy), a.yaml] as const)])
    return policies.map((p) => withEnd(textOf.get(formatRef(p))!)).join('---\n')
  }
  return { ok: true, after: { ...s.cluster, policies }, yaml }
}

/** One NetworkPolicy from `yaml`, read as a file's text is; anything else in it is an error. */
export async function readPolicy(yaml: string, change: number): Promise<{ ok: true; policy: NetworkPolicy } | { ok: false; errors: ChangeError[] }> {
  const name = `change ${change}`
  const source: Source = {
    read: async () => ({
      units: [{ origin: { kind: 'file', path: name }, name, content: { kind: 'text', text: yaml } }],
      issues: [],
      skipped: [],
      byPath: [],
      missing: [],
      chartOf: async () => undefined,
    }),
  }
  const r = await loadSources([source], { keepText: true })
  const error = (message: string, at: { line?: number; column?: number; path?: string } = {}): ChangeError => ({ change, severity: 'error', code: 'invalid', line: at.line ?? 1, ...(at.column !== undefined ? { column: at.column } : {}), ...(at.path ? { path: at.path } : {}), message })
  if (r.issues.length > 0) return { ok: false, errors: r.issues.map((i) => error(issueMessage(i.issue), { ...i, path: toDotPath(i.issue.path) })) }
  const c = r.cluster
  const others = c.pods.length + c.services.length + c.clusterPolicies.length + c.nodes.length + [...c.namespaces.values()].filter((n) => !n.implicit).length + r.notes.filter((n) => n.code === 'unknown_kind_skipped').length
  if (c.policies.length !== 1 || others > 0) {
    return { ok: false, errors: [error(`expected one NetworkPolicy, found ${c.policies.length} polic${c.policies.length === 1 ? 'y' : 'ies'}${others > 0 ? ` and ${others} other object${others === 1 ? '' : 's'}` : ''}`)] }
  }
  return { ok: true, policy: c.policies[0]! }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const withEnd = (t: string) => (t.endsWith('\n') ? t : `${t}\n`)
