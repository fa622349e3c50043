import type { Cluster } from '../../model/cluster.js'
import type { NetworkPolicy } from '../../model/policy.js'
import type { AuditGroup, BreakingGroup } from '../../flows/audit-flows.js'
import type { AuditReport } from './audit-json.js'
import { plain, side, type Style } from './verdict-text.js'

const day = (t: number | undefined) => (t === undefined ? '' : new Date(t).toISOString().replace('.000Z', 'Z'))
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`

/** "12 connections, 2026-12-07T09:00:00Z … 2026-12-07T10:00:00Z" */
export function seenText(g: AuditGroup): string {
  const span = g.firstSeen === undefined ? '' : g.firstSeen === g.lastSeen ? `, ${day(g.firstSeen)}` : `, ${day(g.firstSeen)} … ${day(g.lastSeen)}`
  return `${plural(g.count, 'connection')}${span}`
}

/** The engine's reason, as `check` prints it: each side with its isolating policies and why no rule matched. */
export function reasonLines(proposed: Cluster, g: BreakingGroup, st: Style = plain): string[] {
  const policies = new Map<string, NetworkPolicy>(proposed.policies.map((p) => [`${p.namespace}/${p.name}`, p]))
  const pair = `${g.checked.from} → ${g.checked.to}`
  return [
    `  checked ${pair} (${g.checked.fromIp ?? 'no address'} → ${g.checked.toIp ?? 'no address'}) with the proposed policies:`,
    ...side('egress', `egress of ${g.checked.from}`, g.verdict.egress, policies, st),
    ...side('ingress', `ingress to ${g.checked.to}`, g.verdict.ingress, policies, st),
  ]
}

/** The one-line summary: what was read, collapsed and left out. */
export function summaryLine(r: AuditReport): string {
  const s = r.stats
  return (
    `read ${plural(s.lines, 'line')}: ${plural(s.records, 'record')}, ${s.collapsed} collapsed, ${s.unreadable} unreadable, ${s.unresolvable} unresolvable, ` +
    `${s.undecidable} undecidable, ${s.otherProtocol} other-protocol, ${s.outsideWindow} outside the window → ${plural(r.connections, 'connection')} in ${plural(r.result.groups, 'group')}`
  )
}

export function renderAuditText(proposed: Cluster, r: AuditReport, st: Style = plain): string {
  const out: string[] = []
  const breaks = r.result.wouldBreak
  out.push(
    breaks.length === 0
      ? st.ok('No observed connection would be denied by the proposed policies.')
      : st.bad(st.bold(`${plural(breaks.length, 'observed connection group')} would be denied by the proposed policies:`)),
    '',
  )
  for (const g of breaks) {
    out.push(`${st.bad('WOULD BREAK')}  ${g.from} → ${g.to}  port ${g.port}/${g.protocol}  (observed ${g.observed}: ${seenText(g)})`)
    out.push(...reasonLines(proposed, g, st), '')
  }
  if (r.result.alreadyDenied.length > 0) {
    out.push('Already denied (observed denied, or, for records without a verdict, denied by the current policies too):')
    for (const g of r.result.alreadyDenied) out.push(`  ${g.from} → ${g.to}  port ${g.port}/${g.protocol}  (${seenText(g)})`)
    out.push('')
  }
  if (r.unresolved.size > 0) {
    out.push('Not checked:')
    for (const [why, n] of r.unresolved) out.push(`  ${plural(n, 'record')}: ${why}`)
    out.push('')
  }
  out.push(summaryLine(r))
  return out.join('\n') + '\n'
}
