import type { Path } from '../../model/issues.js'
import type { Check } from './check.js'
import { SEVERITIES, type Severity } from './finding.js'
import { parseObjectPattern, type IgnoreEntry } from './suppress.js'

/** What the user can tune: checks to skip, severities to change, and the least severe finding to keep. */
export interface LintConfig {
  /** ids (NP001) or slugs (missing-default-deny) */
  readonly disable: readonly string[]
  readonly severity: Readonly<Record<string, Severity>>
  readonly minSeverity?: Severity
  /** findings to suppress: a check on an object (`ignore: [{check: NP003, object: shop/api-egress}]`) */
  readonly ignore?: readonly IgnoreEntry[]
}

export const EMPTY_CONFIG: LintConfig = { disable: [], severity: {} }

export type ConfigIssue =
  | { readonly code: 'not_an_object'; readonly path: Path }
  | { readonly code: 'unknown_field'; readonly path: Path; readonly field: string }
  | { readonly code: 'wrong_type'; readonly path: Path; readonly expected: string }
  | { readonly code: 'unknown_check'; readonly path: Path; readonly input: string; readonly suggestions: readonly string[] }
  | { readonly code: 'unknown_severity'; readonly path: Path; readonly input: string }
  | { readonly code: 'bad_object'; readonly path: Path; readonly input: string }

const FIELDS = ['disable', 'severity', 'minSeverity', 'ignore']
const IGNORE_FIELDS = ['check', 'object', 'reason']
const isSeverity = (s: unknown): s is Severity => typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s)

/** The check an id or slug names (case-insensitive), or undefined. */
export function findCheck(checks: readonly Check[], idOrSlug: string): Check | undefined {
  const k = idOrSlug.trim().toLowerCase()
  return checks.find((c) => c.id.toLowerCase() === k || c.slug === k)
}

function unknownCheck(checks: readonly Check[], path: Path, input: string): ConfigIssue {
  const k = input.toLowerCase()
  const suggestions = checks.filter((c) => c.slug.includes(k) || k.includes(c.slug) || c.id.toLowerCase() === k.replace(/^np0*/, 'np0')).map((c) => `${c.id} ${c.slug}`)
  return { code: 'unknown_check', path, input, suggestions }
}

/**
 * Reads a decoded config file (`disable: [NP001, host-network-selected]`, `severity: {NP001: warning}`,
 * `minSeverity: warning`, `ignore: [{check: NP003, object: shop/api-egress}]`), checking every id against
 * `checks`. Collects every issue; never throws.
 */
export function parseLintConfig(input: unknown, checks: readonly Check[]): { ok: true; value: LintConfig } | { ok: false; issues: ConfigIssue[] } {
  if (input === null || input === undefined) return { ok: true, value: EMPTY_CONFIG }
  if (typeof input !== 'object' || Array.isArray(input)) return { ok: false, issues: [{ code: 'not_an_object', path: [] }] }
  const o = input as Record<string, unknown>
  const issues: ConfigIssue[] = []
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) issues.push({ code: 'unknown_field', path: [k], field: k })
  const disable: string[] = []
  if (o.disable !== undefined && o.disable !== null) {
    if (!Array.isArray(o.disable)) issues.push({ code: 'wrong_type', path: ['disable'], expected: 'a list of check ids or slugs' })
    else
      o.disable.forEach((d, i) => {
        if (typeof d !== 'string') issues.push({ code: 'wrong_type', path: ['disable', i], expected: 'a check id or slug' })
        else if (!findCheck(checks, d)) issues.push(unknownCheck(checks, ['disable', i], d))
        else disable.push(findCheck(checks, d)!.id)
      })
  }
  const severity: Record<string, Severity> = {}
  if (o.severity !== undefined && o.severity !== null) {
    if (typeof o.severity !== 'object' || Array.isArray(o.severity)) issues.push({ code: 'wrong_type', path: ['severity'], expected: 'a map from check id or slug to error, warning or info' })
    else
      for (const [k, v] of Object.entries(o.severity as Record<string, unknown>)) {
        const c = findCheck(checks, k)
        if (!c) issues.push(unknownCheck(checks, ['severity', k], k))
        else if (!isSeverity(v)) issues.push({ code: 'unknown_severity', path: ['severity', k], input: String(v) })
        else severity[c.id] = v
      }
  }
  let minSeverity: Severity | undefined
  if (o.minSeverity !== undefined && o.minSeverity !== null) {
    if (!isSeverity(o.minSeverity)) issues.push({ code: 'unknown_severity', path: ['minSeverity'], input: String(o.minSeverity) })
    else minSeverity = o.minSeverity
  }
  const ignore = readIgnore(o.ignore, checks, issues)
  if (issues.length > 0) return { ok: false, issues }
  return { ok: true, value: { disable, severity, ...(minSeverity ? { minSeverity } : {}), ...(ignore.length > 0 ? { ignore } : {}) } }
}

/** `ignore: [{check: NP003, object: shop/api-egress, reason: "..."}]` */
function readIgnore(raw: unknown, checks: readonly Check[], issues: ConfigIssue[]): IgnoreEntry[] {
  const out: IgnoreEntry[] = []
  if (raw === undefined || raw === null) return out
  if (!Array.isArray(raw)) {
    issues.push({ code: 'wrong_type', path: ['ignore'], expected: 'a list of {check, object} entries' })
    return out
  }
  raw.forEach((e, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return issues.push({ code: 'wrong_type', path: ['ignore', i], expected: 'a map with check and object' })
    const x = e as Record<string, unknown>
    for (const k of Object.keys(x)) if (!IGNORE_FIELDS.includes(k)) issues.push({ code: 'unknown_field', path: ['ignore', i, k], field: k })
    let check: Check | undefined
    if (typeof x.check !== 'string') issues.push({ code: 'wrong_type', path: ['ignore', i, 'check'], expected: 'a check id or slug' })
    else if (!(check = findCheck(checks, x.check))) issues.push(unknownCheck(checks, ['ignore', i, 'check'], x.check))
    let object
    if (typeof x.object !== 'string') issues.push({ code: 'wrong_type', path: ['ignore', i, 'object'], expected: 'an object: NAMESPACE/NAME, KIND NAMESPACE/NAME, or a namespace NAME' })
    else if (!(object = parseObjectPattern(x.object))) issues.push({ code: 'bad_object', path: ['ignore', i, 'object'], input: x.object })
    if (x.reason !== undefined && typeof x.reason !== 'string') issues.push({ code: 'wrong_type', path: ['ignore', i, 'reason'], expected: 'a string' })
    if (check && object) out.push({ check: check.id, object, ...(typeof x.reason === 'string' ? { reason: x.reason } : {}) })
  })
  return out
}
