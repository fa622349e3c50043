/**
 * GET /api/policies: every policy with its own text, the problems at their lines within that text (lint
 * findings; for a live object the model refused, its validation errors), and its `netpol describe` text.
 */
import type { PoliciesResponse, PolicySource, Problem } from '../api.js'
import { toDotPath, type Path } from '../../model/issues.js'
import { createLocator } from '../../model/positions.js'
import { partsText } from '../../analysis/lint/finding.js'
import { issueMessage } from '../../cli/render/format-issue.js'
import { policyTexts, type PolicyText } from './policy-texts.js'
import { describePolicyText, lintOf, policyViewsOf } from './reports.js'
import type { Snapshot } from './serve-input.js'
import { cached } from './snapshot-cache.js'

interface Unplaced {
  readonly severity: Problem['severity']
  readonly code: string
  readonly path: Path
  readonly message: string
}

export const policiesOf = (s: Snapshot): PoliciesResponse => cached(s, 'policies', compute)

function compute(s: Snapshot): PoliciesResponse {
  const texts = policyTexts(s)
  const problems = new Map<string, Unplaced[]>()
  const add = (key: string, p: Unplaced) => {
    const list = problems.get(key)
    if (list) list.push(p)
    else problems.set(key, [p])
  }
  for (const f of lintOf(s).findings) {
    if (f.object.kind !== 'NetworkPolicy') continue
    add(`${f.object.namespace}/${f.object.name}`, { severity: f.severity, code: f.id, path: f.path, message: partsText(f.message) })
  }
  for (const i of s.issues) {
    if (i.object?.kind !== 'NetworkPolicy') continue
    add(`${i.object.namespace ?? ''}/${i.object.name ?? ''}`, { severity: 'error', code: 'invalid', path: i.issue.path, message: issueMessage(i.issue) })
  }
  const views = policyViewsOf(s)
  const policies: PolicySource[] = []
  for (const [key, t] of texts) {
    const view = views.get(key)
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
  return { policies }
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
