import type { FlowInputIssue } from '../../flows/flow-record.js'
import type { AuditGroup, AuditResult, BreakingGroup } from '../../flows/audit-flows.js'
import type { FlowStats, ObservedEnd } from '../../flows/observed.js'
import { endName } from '../../flows/audit-flows.js'

/** What `audit` read and decided: the summary every output format ends with. */
export interface AuditReport {
  readonly result: AuditResult
  readonly stats: FlowStats
  readonly connections: number
  readonly unresolved: ReadonlyMap<string, number>
  readonly issues: readonly FlowInputIssue[]
}

const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString())
const podOrEnd = (e: ObservedEnd) => (e.kind === 'pod' ? `${e.pod.namespace}/${e.pod.name}` : endName(e))

function groupJson(g: AuditGroup) {
  return {
    from: g.from,
    to: g.to,
    port: g.port,
    protocol: g.protocol,
    observed: g.observed,
    count: g.count,
    firstSeen: iso(g.firstSeen),
    lastSeen: iso(g.lastSeen),
    connections: g.connections.map((c) => ({ from: podOrEnd(c.from), to: podOrEnd(c.to), observed: c.verdict, count: c.count, firstSeen: iso(c.firstSeen), lastSeen: iso(c.lastSeen) })),
  }
}

/** A group that would break, with the engine's reason (`checked`). */
function breakingJson(g: BreakingGroup) {
  return { ...groupJson(g), checked: { ...g.checked, allowed: g.verdict.allowed, egress: g.verdict.egress, ingress: g.verdict.ingress, notes: g.verdict.notes } }
}

/** The JSON contract of `audit -o json` (see README, "netpol audit"). */
export function auditJson(r: AuditReport) {
  return {
    breaks: r.result.wouldBreak.length > 0,
    summary: {
      lines: r.stats.lines,
      records: r.stats.records,
      collapsed: r.stats.collapsed,
      unreadable: r.stats.unreadable,
      unresolvable: r.stats.unresolvable,
      undecidable: r.stats.undecidable,
      otherProtocol: r.stats.otherProtocol,
      outsideWindow: r.stats.outsideWindow,
      connections: r.connections,
      groups: r.result.groups,
      wouldBreak: r.result.wouldBreak.length,
      alreadyDenied: r.result.alreadyDenied.length,
      stillAllowed: r.result.stillAllowed,
      fromNode: r.result.fromNode,
    },
    wouldBreak: r.result.wouldBreak.map(breakingJson),
    alreadyDenied: r.result.alreadyDenied.map(groupJson),
    unresolved: [...r.unresolved].map(([why, count]) => ({ why, count })),
    issues: r.issues.map((i) => ({ file: i.file, line: i.line, message: i.message })),
  }
}
