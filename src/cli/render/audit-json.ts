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

/**
 * `audit -o json` written piece by piece: the same document as JSON.stringify(auditJson(r), null, 2), one group at
 * a time, so that a report of any number of groups is never one string (V8 caps a string at about 512 MB).
 */
export async function writeAuditJson(r: AuditReport, write: (s: string) => Promise<void> | void): Promise<void> {
  const doc = auditJson(r, false)
  const indent = (json: string, by: string) => json.replace(/\n/g, `\n${by}`)
  const keys = Object.keys(doc) as (keyof typeof doc)[]
  await write('{')
  for (const [k, key] of keys.entries()) {
    await write(`${k ? ',' : ''}\n  ${JSON.stringify(key)}: `)
    const list = key === 'wouldBreak' ? r.result.wouldBreak.map(breakingJson) : key === 'alreadyDenied' ? r.result.alreadyDenied.map(groupJson) : null
    if (list === null) {
      await write(indent(JSON.stringify(doc[key], null, 2), '  '))
      continue
    }
    if (list.length === 0) {
      await write('[]')
      continue
    }
    await write('[')
    for (const [i, g] of list.entries()) await write(`${i ? ',' : ''}\n    ${indent(JSON.stringify(g, null, 2), '    ')}`)
    await write('\n  ]')
  }
  await write('\n}\n')
}

/** The JSON contract of `audit -o json` (see README, "netpol audit"); without `groups`, the two lists are left empty. */
export function auditJson(r: AuditReport, groups = true) {
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
    wouldBreak: groups ? r.result.wouldBreak.map(breakingJson) : [],
    alreadyDenied: groups ? r.result.alreadyDenied.map(groupJson) : [],
    unresolved: [...r.unresolved].map(([why, count]) => ({ why, count })),
    issues: r.issues.map((i) => ({ file: i.file, line: i.line, message: i.message })),
  }
}
