/**
 * Policies: each policy's YAML with line numbers and its problems (validation errors, lint findings) under the
 * line they are about, and the `netpol describe` text beside it.
 */
import type { PoliciesResponse, PolicySource } from '../../src/web/api.js'
import { h } from './dom.js'
import { t } from './i18n.js'

function yamlWithProblems(p: PolicySource): HTMLElement {
  const byLine = new Map<number, typeof p.problems[number][]>()
  for (const pr of p.problems) byLine.set(pr.line, [...(byLine.get(pr.line) ?? []), pr])
  const rows: HTMLElement[] = []
  p.yaml.replace(/\n$/, '').split('\n').forEach((text, i) => {
    const probs = byLine.get(i + 1) ?? []
    rows.push(h('div', { class: `yl${probs.length ? ' has-problem' : ''}` }, h('span', { class: 'ln' }, String(i + 1)), h('span', { class: 'code' }, text)))
    for (const pr of probs) rows.push(h('div', { class: `problem sev-${pr.severity}` }, `${pr.code} ${pr.severity}: ${pr.message}${pr.path ? ` (${pr.path})` : ''}`))
  })
  return h('div', { class: 'yaml' }, rows)
}

export function renderPolicies(res: PoliciesResponse, onEdit: (p: PolicySource) => void): HTMLElement {
  if (res.policies.length === 0) return h('p', {}, t('policies.none'))
  return h('div', { class: 'policies' }, res.policies.map((p) => h('section', { class: 'policy', 'data-policy': `${p.namespace}/${p.name}` },
    h('header', {},
      h('b', {}, `${p.namespace}/${p.name}`),
      p.file ? h('span', { class: 'dim' }, ` ${p.file}${p.line ? `:${p.line}` : ''}`) : null,
      p.problems.length ? h('span', { class: 'badge' }, t('policies.problems', { n: p.problems.length })) : null,
      h('button', { onclick: () => onEdit(p) }, t('policies.edit')),
    ),
    h('div', { class: 'side-by-side' }, yamlWithProblems(p), h('pre', { class: 'describe-text' }, p.describe)),
  )))
}
