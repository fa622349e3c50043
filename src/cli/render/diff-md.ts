import { formatRef } from '../../model/policy.js'
import type { Cause, ClusterDiff, DiffClass } from '../../analysis/diff.js'
import { count, readableLabels } from '../../report/words.js'
import { causeText, classLabel, inventory, NOTHING_COMPARED, summaryLine, unservedLine, type DiffSides } from './diff-text.js'
import { connections } from '../../report/diff-report.js'
import { portText } from '../../report/port-text.js'
import { tierStepText } from '../../report/tier-step-words.js'

/** Rows per table before the rest is only counted: a pull-request comment has a size limit. */
const MAX_ROWS = 50
/** Pods listed per class in the details. */
const MAX_PODS = 20

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``

/**
 * Markdown for a pull-request comment: a summary line, the changed objects, one table of newly allowed and one
 * of newly denied connections (the 50 largest changes each, largest first), and their full explanations and pod
 * lists in a collapsed section. Kept well under the size a pull-request comment may have.
 */
export function renderDiffMarkdown(diff: ClusterDiff, sides: DiffSides): string {
  const out: string[] = [`### NetworkPolicy changes: ${esc(summaryLine(diff))}`, '']
  const unserved = unservedLine(diff)
  if (unserved !== null) out.push(esc(unserved), '')
  for (const g of inventory(diff)) {
    out.push(`**${esc(g.title)}**`, '', ...g.items.map((i) => `- ${code(i)}`))
    if (g.more > 0) out.push(`- … and ${g.more} more`)
    out.push('')
  }
  if (diff.changes.length === 0) {
    out.push(diff.comparedPods === 0 ? NOTHING_COMPARED : 'No connection between pods present on both sides changes.')
    return out.join('\n') + '\n'
  }
  for (const kind of ['allowed', 'denied'] as const) {
    // the largest changes first: they are the ones a reviewer must see
    const list = diff.changes.filter((c) => c.change === kind).sort((a, b) => connections(b) - connections(a))
    if (list.length === 0) continue
    out.push(`#### Newly ${kind} (${count(list.reduce((s, c) => s + connections(c), 0), 'connection')})`, '')
    out.push('| From | To | Ports | Pod pairs | Why |', '|---|---|---|---:|---|')
    for (const c of list.slice(0, MAX_ROWS)) {
      out.push(`| ${cls(diff.classes[c.from]!)} | ${cls(diff.classes[c.to]!)} | ${c.ports.map(portText).join(', ')} | ${c.podPairs} | ${esc(shortWhy(c.causes))} |`)
    }
    if (list.length > MAX_ROWS) out.push('', `…and ${list.length - MAX_ROWS} more rows; run \`netpol diff\` for all of them.`)
    out.push('')
  }
  const shown = (['allowed', 'denied'] as const).flatMap((kind) =>
    diff.changes
      .filter((c) => c.change === kind)
      .sort((a, b) => connections(b) - connections(a))
      .slice(0, MAX_ROWS),
  )
  out.push('<details><summary>Details</summary>', '')
  for (const c of shown) {
    out.push(`**${c.change === 'allowed' ? 'Newly allowed' : 'Newly denied'}:** ${esc(classLabel(diff.classes[c.from]!))} → ${esc(classLabel(diff.classes[c.to]!))} on ${c.ports.map(portText).join(', ')}`, '')
    for (const cause of c.causes) out.push(`- ${esc(causeText(cause, sides))}`)
    const policies = [...c.policies.source.map((p) => `source: ${formatRef(p.policy)} (${p.status})`), ...c.policies.destination.map((p) => `destination: ${formatRef(p.policy)} (${p.status})`)]
    if (policies.length > 0) out.push(`- changed policies isolating these pods: ${esc(policies.join(', '))}`)
    out.push('')
  }
  out.push('Pods of each class:', '')
  const used = [...new Set(shown.flatMap((c) => [c.from, c.to]))].sort((a, b) => a - b)
  for (const id of used) {
    const c = diff.classes[id]!
    const more = c.pods.length > MAX_PODS ? `, … and ${c.pods.length - MAX_PODS} more` : ''
    out.push(`- ${esc(`${c.namespace} ${readableLabels(c.labels)}`)}: ${c.pods.slice(0, MAX_PODS).map(code).join(', ')}${more}`)
  }
  out.push('', '</details>')
  return out.join('\n') + '\n'
}

function cls(c: DiffClass): string {
  return `${code(c.namespace)} ${esc(readableLabels(c.labels))} (${count(c.pods.length, 'pod')})`
}

/** The policies behind the causes, for a table cell: "allowed by api/x (added)". */
function shortWhy(causes: readonly Cause[]): string {
  const parts = new Set<string>()
  for (const c of causes) {
    switch (c.code) {
      case 'allowed-by':
        parts.add(`allowed by ${formatRef(c.hit.policy)} ${c.hit.direction}[${c.hit.rule}] (${c.status})`)
        break
      case 'allow-lost':
        parts.add(`no longer allowed by ${formatRef(c.hit.policy)} ${c.hit.direction}[${c.hit.rule}] (${c.status})`)
        break
      case 'isolation-lifted':
        parts.add(`${c.side} no longer isolated (${c.policies.map((p) => `${formatRef(p.policy)} ${p.status}`).join(', ')})`)
        break
      case 'newly-isolated':
        parts.add(`${c.side} now isolated by ${c.policies.map((p) => `${formatRef(p.policy)} (${p.status})`).join(', ')}`)
        break
      case 'tier-decides':
        parts.add(`${c.side} ${tierStepText(c.step)} (${c.status})`)
        break
      case 'tier-decided':
        parts.add(`${c.side} no longer ${tierStepText(c.step)} (${c.status})`)
        break
    }
  }
  return [...parts].join('; ')
}
