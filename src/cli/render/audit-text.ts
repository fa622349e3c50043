import type { Cluster } from '../../model/cluster.js'
import type { NetworkPolicy } from '../../model/policy.js'
import type { AuditGroup, BreakingGroup, Explanation } from '../../flows/audit-flows.js'
import type { AuditReport } from './audit-json.js'
import { plain, side, type Style } from './verdict-text.js'

const day = (t: number | undefined) => (t === undefined ? '' : new Date(t).toISOString().replace('.000Z', 'Z'))
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`

/** "12 connections, 2026-12-07T09:00:00Z … 2026-12-07T10:00:00Z" (and how many started before the capture, if any) */
export function seenText(g: AuditGroup): string {
  const span = g.firstSeen === undefined ? '' : g.firstSeen === g.lastSeen ? `, ${day(g.firstSeen)}` : `, ${day(g.firstSeen)} … ${day(g.lastSeen)}`
  const before = g.startedBefore > 0 ? ` (${g.startedBefore} started before the capture)` : ''
  return `${plural(g.count, 'connection')}${before}${span}`
}

/** The proposed cluster's policies by `ns/name`, built once per report for every group's reason. */
export type PolicyIndex = ReadonlyMap<string, NetworkPolicy>
export const policyIndex = (proposed: Cluster): PolicyIndex => new Map(proposed.policies.map((p) => [`${p.namespace}/${p.name}`, p]))

/** The engine's reason, as `check` prints it: each side with its isolating policies and why no rule matched. */
export function reasonLines(policies: PolicyIndex, e: Explanation, st: Style = plain): string[] {
  const pair = `${e.checked.from} → ${e.checked.to}`
  return [
    `  checked ${pair} (${e.checked.fromIp ?? 'no address'} → ${e.checked.toIp ?? 'no address'}) with the proposed policies:`,
    ...side('egress', `egress of ${e.checked.from}`, e.verdict.egress, policies, st),
    ...side('ingress', `ingress to ${e.checked.to}`, e.verdict.ingress, policies, st),
  ]
}

/** The one-line summary: what was read, collapsed and left out. */
export function summaryLine(r: AuditReport): string {
  const s = r.stats
  return (
    `read ${plural(s.lines, 'line')}: ${plural(s.records, 'record')}, ${s.collapsed} collapsed, ${s.unreadable} unreadable, ${s.unresolvable} unresolvable, ` +
    `${s.undecidable} undecidable, ${s.otherProtocol} other-protocol, ${s.outsideWindow} outside the window → ${plural(r.connections, 'connection')} ` +
    `(${s.startedBefore} started before the capture) in ${plural(r.result.groups, 'group')}`
  )
}

/** `audit` as text, one group at a time: each breaking group is explained as it is written and let go. */
export function* auditTextChunks(proposed: Cluster, r: AuditReport, st: Style = plain): Generator<string> {
  const breaks = r.result.wouldBreak
  yield breaks.length === 0
    ? `${st.ok('No observed connection would be denied by the proposed policies.')}\n\n`
    : `${st.bad(st.bold(`${plural(breaks.length, 'observed connection group')} would be denied by the proposed policies:`))}\n\n`
  const policies = policyIndex(proposed)
  for (const g of breaks) yield breakingText(policies, g, r.result.explain(g), st)
  if (r.result.alreadyDenied.length > 0) {
    yield 'Already denied (observed denied, or, for records without a verdict, denied by the current policies too):\n'
    for (const g of r.result.alreadyDenied) yield `  ${g.from} → ${g.to}  port ${g.port}/${g.protocol}  (${seenText(g)})\n`
    yield '\n'
  }
  if (r.unresolved.size > 0) {
    const out = ['Not checked:']
    for (const [why, n] of r.unresolved) out.push(`  ${plural(n, 'record')}: ${why}`)
    yield `${out.join('\n')}\n\n`
  }
  yield `${summaryLine(r)}\n`
}

function breakingText(policies: PolicyIndex, g: BreakingGroup, e: Explanation, st: Style): string {
  const head = `${st.bad('WOULD BREAK')}  ${g.from} → ${g.to}  port ${g.port}/${g.protocol}  (observed ${g.observed}: ${seenText(g)})`
  return `${[head, ...reasonLines(policies, e, st)].join('\n')}\n\n`
}

export function renderAuditText(proposed: Cluster, r: AuditReport, st: Style = plain): string {
  return [...auditTextChunks(proposed, r, st)].join('')
}
