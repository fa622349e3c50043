import type { Cluster } from '../../model/cluster.js'
import type { AuditReport } from './audit-json.js'
import { policyIndex, reasonLines, seenText, summaryLine } from './audit-text.js'

const cell = (s: string) => s.replace(/\|/g, '\\|')

/**
 * `audit -o md`, for a pull request comment, one group at a time: the table of breaking groups, then each group's
 * reason in `<details>`, explained as it is written and let go.
 */
export function* auditMarkdownChunks(proposed: Cluster, r: AuditReport): Generator<string> {
  yield '## netpol audit\n\n'
  const breaks = r.result.wouldBreak
  if (breaks.length === 0) yield '✅ No observed connection would be denied by the proposed policies.\n\n'
  else {
    yield `❌ **${breaks.length}** observed connection group${breaks.length === 1 ? '' : 's'} would be denied by the proposed policies.\n\n`
    yield '| from | to | port | observed | seen |\n|---|---|---|---|---|\n'
    for (const g of breaks) yield `| \`${cell(g.from)}\` | \`${cell(g.to)}\` | ${g.port}/${g.protocol} | ${g.observed} | ${cell(seenText(g))} |\n`
    yield '\n'
    const policies = policyIndex(proposed)
    for (const g of breaks) {
      const why = reasonLines(policies, r.result.explain(g))
      yield `${[`<details><summary><code>${g.from}</code> → <code>${g.to}</code> port ${g.port}/${g.protocol}: why</summary>`, '', '```', ...why, '```', '', '</details>', ''].join('\n')}\n`
    }
  }
  if (r.result.alreadyDenied.length > 0) {
    yield '<details><summary>Already denied (observed, or by the current policies)</summary>\n\n'
    for (const g of r.result.alreadyDenied) yield `- \`${g.from}\` → \`${g.to}\` port ${g.port}/${g.protocol} (${seenText(g)})\n`
    yield '\n</details>\n\n'
  }
  if (r.unresolved.size > 0) {
    const out = ['<details><summary>Not checked</summary>', '']
    for (const [why, n] of r.unresolved) out.push(`- ${n} × ${cell(why)}`)
    yield `${[...out, '', '</details>', ''].join('\n')}\n`
  }
  yield `<sub>${summaryLine(r)}</sub>\n`
}

export function renderAuditMarkdown(proposed: Cluster, r: AuditReport): string {
  return [...auditMarkdownChunks(proposed, r)].join('')
}
