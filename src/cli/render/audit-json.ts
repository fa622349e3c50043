import type { FlowInputIssue } from '../../flows/flow-record.js'
import type { AuditGroup, AuditResult, BreakingGroup, Explanation } from '../../flows/audit-flows.js'
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
    startedBefore: g.startedBefore,
    firstSeen: iso(g.firstSeen),
    lastSeen: iso(g.lastSeen),
    connections: g.connections.map((c) => ({
      from: podOrEnd(c.from),
      to: podOrEnd(c.to),
      observed: c.verdict,
      count: c.count,
      startedBefore: c.startedBefore === true,
      firstSeen: iso(c.firstSeen),
      lastSeen: iso(c.lastSeen),
    })),
  }
}

/** A group that would break, with the engine's reason (`checked`). */
function breakingJson(g: BreakingGroup, e: Explanation) {
  return { ...groupJson(g), checked: { ...e.checked, allowed: e.verdict.allowed, egress: e.verdict.egress, ingress: e.verdict.ingress, notes: e.verdict.notes } }
}

/**
 * `audit -o json` in pieces: the same document as JSON.stringify(auditJson(r), null, 2), one group at a time, each
 * breaking group explained as it is written and let go, so that a report of any number of groups is never held
 * whole (nor one string: V8 caps a string at about 512 MB).
 */
export function* auditJsonChunks(r: AuditReport): Generator<string> {
  const doc = auditJson(r, false)
  const indent = (json: string, by: string) => json.replace(/\n/g, `\n${by}`)
  const keys = Object.keys(doc) as (keyof typeof doc)[]
  yield '{'
  for (const [k, key] of keys.entries()) {
    yield `${k ? ',' : ''}\n  ${JSON.stringify(key)}: `
    const list: readonly unknown[] | null = key === 'wouldBreak' ? r.result.wouldBreak : key === 'alreadyDenied' ? r.result.alreadyDenied : null
    if (list === null) {
      yield indent(JSON.stringify(doc[key], null, 2), '  ')
      continue
    }
    if (list.length === 0) {
      yield '[]'
      continue
    }
    yield '['
    for (let i = 0; i < list.length; i++) {
      const g = key === 'wouldBreak' ? breakingJson(r.result.wouldBreak[i]!, r.result.explain(r.result.wouldBreak[i]!)) : groupJson(r.result.alreadyDenied[i]!)
      yield `${i ? ',' : ''}\n    ${indent(JSON.stringify(g, null, 2), '    ')}`
    }
    yield '\n  ]'
  }
  yield '\n}\n'
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
      startedBefore: r.stats.startedBefore,
      groups: r.result.groups,
      wouldBreak: r.result.wouldBreak.length,
      alreadyDenied: r.result.alreadyDenied.length,
      stillAllowed: r.result.stillAllowed,
      fromNode: r.result.fromNode,
    },
    wouldBreak: groups ? r.result.wouldBreak.map((g) => breakingJson(g, r.result.explain(g))) : [],
    alreadyDenied: groups ? r.result.alreadyDenied.map(groupJson) : [],
    unresolved: [...r.unresolved].map(([why, count]) => ({ why, count })),
    issues: r.issues.map((i) => ({ file: i.file, line: i.line, message: i.message })),
  }
}
