import type { Cluster } from '../../model/cluster.js'
import type { AuditReport } from './audit-json.js'
import { reasonLines, seenText, summaryLine } from './audit-text.js'

const cell = (s: string) => s.replace(/\|/g, '\\|')

/** `audit -o md`: for a pull request comment. */
export function renderAuditMarkdown(proposed: Cluster, r: AuditReport): string {
  const out: string[] = ['## netpol audit', '']
  const breaks = r.result.wouldBreak
  if (breaks.length === 0) out.push('✅ No observed connection would be denied by the proposed policies.', '')
  else {
    out.push(`❌ **${breaks.length}** observed connection group${breaks.length === 1 ? '' : 's'} would be denied by the proposed policies.`, '')
    out.push('| from | to | port | observed | seen |', '|---|---|---|---|---|')
    for (const g of breaks) out.push(`| \`${cell(g.from)}\` | \`${cell(g.to)}\` | ${g.port}/${g.protocol} | ${g.observed} | ${cell(seenText(g))} |`)
    out.push('')
    for (const g of breaks) {
      out.push(`<details><summary><code>${g.from}</code> → <code>${g.to}</code> port ${g.port}/${g.protocol}: why</summary>`, '', '```', ...reasonLines(proposed, g), '```', '', '</details>', '')
    }
  }
  if (r.result.alreadyDenied.length > 0) {
    out.push('<details><summary>Already denied (observed, or by the current policies)</summary>', '')
    for (const g of r.result.alreadyDenied) out.push(`- \`${g.from}\` → \`${g.to}\` port ${g.port}/${g.protocol} (${seenText(g)})`)
    out.push('', '</details>', '')
  }
  if (r.unresolved.size > 0) {
    out.push('<details><summary>Not checked</summary>', '')
    for (const [why, n] of r.unresolved) out.push(`- ${n} × ${cell(why)}`)
    out.push('', '</details>', '')
  }
  out.push(`<sub>${summaryLine(r)}</sub>`)
  return out.join('\n') + '\n'
}
