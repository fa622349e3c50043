import { toDotPath } from '../../model/issues.js'
import { formatObject, type Finding, type LintObject, type Part, type Severity } from '../../analysis/lint/finding.js'
import type { LintResult } from '../../analysis/lint/index.js'

/** How each kind of text looks; identity functions for pipes and files, picocolors on a terminal. */
export interface LintStyle {
  severity(s: Severity, text: string): string
  code(s: string): string
  ref(s: string): string
  dim(s: string): string
  bold(s: string): string
}

const id = (s: string) => s
export const plainLintStyle: LintStyle = { severity: (_, t) => t, code: id, ref: id, dim: id, bold: id }

export function styleParts(parts: readonly Part[], st: LintStyle): string {
  return parts.map((p) => (typeof p === 'string' ? p : 'code' in p ? st.code(p.code) : st.ref(p.ref))).join('')
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

function where(o: LintObject): string {
  const s = o.source
  if (!s) return ''
  return s.line !== undefined ? `${s.file}:${s.line}` : s.doc > 0 ? `${s.file} (document ${s.doc + 1})` : s.file
}

/**
 * Findings grouped by object, objects in the order of the result:
 *
 *     NetworkPolicy shop/api  (policies.yaml:12)
 *       warning NP004 selector-matches-nothing  spec.ingress[0].from[0].podSelector  (line 20)
 *         this peer admits no pod: no pod in shop has app=fronted; did you mean app=frontend (2 pods)?
 *         fix: …
 *
 * then skipped checks and a one-line summary.
 */
export function renderLintText(result: LintResult, st: LintStyle = plainLintStyle): string {
  const out: string[] = []
  let current = ''
  for (const f of result.findings) {
    const key = formatObject(f.object)
    if (key !== current) {
      if (current !== '') out.push('')
      current = key
      const w = where(f.object)
      out.push(`${st.bold(key)}${w ? st.dim(`  (${w})`) : ''}`)
    }
    out.push(...findingLines(f, st))
  }
  if (result.findings.length > 0) out.push('')
  for (const s of result.skipped) out.push(`${st.dim('skipped')} ${s.id} ${s.slug}: ${styleParts(s.reason, st)}`)
  out.push(summary(result, st))
  return out.join('\n') + '\n'
}

function findingLines(f: Finding, st: LintStyle): string[] {
  const path = toDotPath(f.path)
  const line = f.location ? st.dim(`  (line ${f.location.line})`) : ''
  const head = `  ${st.severity(f.severity, f.severity.padEnd(7))} ${f.id} ${f.slug}${path ? `  ${path}` : ''}${line}`
  const lines = [head, `    ${styleParts(f.message, st)}`]
  if (f.fix) {
    lines.push(`    ${st.dim('fix:')} ${styleParts(f.fix.text, st)}`)
    if (f.fix.yaml) for (const l of f.fix.yaml.replace(/\n$/, '').split('\n')) lines.push(st.dim(`      ${l}`))
  }
  return lines
}

function summary(r: LintResult, st: LintStyle): string {
  const counts = { error: 0, warning: 0, info: 0 }
  for (const f of r.findings) counts[f.severity]++
  const objects = new Set(r.findings.map((f) => formatObject(f.object))).size
  const checks = plural(r.ran.length, 'check')
  const suppressed = suppressedSummary(r)
  if (r.findings.length === 0) return `no findings (${checks} ran)${suppressed}`
  const parts = (['error', 'warning', 'info'] as const).filter((s) => counts[s] > 0).map((s) => st.severity(s, plural(counts[s], s)))
  return `${parts.join(', ')} on ${plural(objects, 'object')} (${checks} ran)${suppressed}`
}

/** `; 2 findings suppressed (annotation 1, config 1)`, or nothing */
function suppressedSummary(r: LintResult): string {
  if (r.suppressed.length === 0) return ''
  const by = { annotation: 0, config: 0 }
  for (const f of r.suppressed) by[f.suppressed!.by]++
  const how = (['annotation', 'config'] as const).filter((k) => by[k] > 0).map((k) => `${k} ${by[k]}`)
  return `; ${plural(r.suppressed.length, 'finding')} suppressed (${how.join(', ')})`
}
