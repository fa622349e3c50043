/**
 * GET /api/policies: every policy with its own text, the problems at their lines within that text (lint
 * findings; for a live object the model refused, its validation errors), and its `netpol describe` text. While
 * the cluster's lint still runs, the answer says `lintPending` and holds the validation errors only.
 */
import type { PoliciesResponse, PolicySource, Problem } from '../api.js'
import { toDotPath, type Path } from '../../model/issues.js'
import { createLocator } from '../../model/positions.js'
import { issueMessage } from '../../cli/render/format-issue.js'
import { policyTexts, type PolicyText } from './policy-texts.js'
import { describePolicyText, lintOutcomeSoon, policyViewOf } from './reports.js'
import { badRequest, type Answer } from './respond.js'
import type { Snapshot } from './serve-input.js'
import { cached } from './snapshot-cache.js'

interface Unplaced {
  readonly severity: Problem['severity']
  readonly code: string
  readonly path: Path
  readonly message: string
}

/**
 * The policies of the snapshot, or only those of `namespaces` and `policies` ("ns/name") when either is given:
 * at 10,000 policies the page asks for one namespace at a time.
 */
export async function policiesOf(s: Snapshot, filter: { readonly namespaces?: readonly string[]; readonly policies?: readonly string[] } = {}): Promise<PoliciesResponse> {
  const ns = new Set(filter.namespaces ?? [])
  const names = new Set(filter.policies ?? [])
  if (ns.size === 0 && names.size === 0) {
    // kept once the lint's findings are in it
    const kept = cached(s, 'policies', () => ({ answer: null as PoliciesResponse | null }))
    if (kept.answer !== null) return kept.answer
    const answer = await compute(s, () => true)
    if (answer.lintPending !== true) kept.answer = answer
    return answer
  }
  return compute(s, (t) => ns.has(t.namespace) || names.has(`${t.namespace}/${t.name}`))
}

/** GET /api/policies[?namespace=NS…][&policy=NS/NAME…] */
export async function policiesAnswer(s: Snapshot, query: URLSearchParams): Promise<Answer> {
  const namespaces = query.getAll('namespace')
  for (const n of namespaces) if (!s.cluster.namespaces.has(n)) return badRequest(`"${n}": no such namespace`, 'namespace')
  const policies = query.getAll('policy')
  for (const p of policies) if (!/^[^/]+\/[^/]+$/.test(p)) return badRequest(`"${p}": expected NAMESPACE/NAME`, 'policy')
  return { body: await policiesOf(s, { namespaces, policies }) }
}

async function compute(s: Snapshot, wanted: (t: PolicyText) => boolean): Promise<PoliciesResponse> {
  const texts = new Map([...policyTexts(s)].filter(([, t]) => wanted(t)))
  const problems = new Map<string, Unplaced[]>()
  const add = (key: string, p: Unplaced) => {
    const list = problems.get(key)
    if (list) list.push(p)
    else problems.set(key, [p])
  }
  // the problems the lint finds come with a later answer while it still runs (at 10,000 policies: seconds)
  const lint = await lintOutcomeSoon(s)
  for (const f of lint?.onPolicies ?? []) add(`${f.namespace}/${f.name}`, f)
  for (const i of s.issues) {
    if (i.object?.kind !== 'NetworkPolicy') continue
    add(`${i.object.namespace ?? ''}/${i.object.name ?? ''}`, { severity: 'error', code: 'invalid', path: i.issue.path, message: issueMessage(i.issue) })
  }
  const policies: PolicySource[] = []
  for (const [key, t] of texts) {
    const view = policyViewOf(s, key)
    policies.push({
      namespace: t.namespace,
      name: t.name,
      ...(t.file !== undefined ? { file: t.file } : {}),
      ...(t.line !== undefined ? { line: t.line } : {}),
      yaml: t.yaml,
      problems: place(t, problems.get(key) ?? []),
      describe: view ? describePolicyText(view) : 'not evaluated: the policy is invalid (see its problems)\n',
    })
  }
  return { policies, ...(lint === undefined ? { lintPending: true as const } : {}) }
}

/** Each problem at the line (1-based, within the policy's own text) of its path; in line order. */
export function place(t: PolicyText, list: readonly Unplaced[]): Problem[] {
  if (list.length === 0) return []
  const locate = createLocator(t.yaml)
  return list
    .map((p) => {
      const at = locate(0, p.path)
      const path = toDotPath(p.path)
      return { severity: p.severity, code: p.code, line: at?.line ?? 1, ...(at ? { column: at.column } : {}), ...(path !== '' ? { path } : {}), message: p.message }
    })
    .sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0))
}
