import { toDotPath, type Path } from '../model/issues.js'
import { partsText, type Finding, type LintObject } from '../analysis/lint/finding.js'
import type { LintResult } from '../analysis/lint/index.js'

function objectJson(o: LintObject) {
  return {
    kind: o.kind,
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    name: o.name,
    ...(o.source ? { file: o.source.file, ...(o.source.line !== undefined ? { line: o.source.line } : {}) } : {}),
  }
}

const pathJson = (p: Path) => toDotPath(p)

function findingJson(f: Finding) {
  return {
    id: f.id,
    slug: f.slug,
    severity: f.severity,
    object: objectJson(f.object),
    path: pathJson(f.path),
    ...(f.location ? { line: f.location.line, column: f.location.column } : {}),
    message: partsText(f.message),
    ...(f.fix ? { fix: { text: partsText(f.fix.text), ...(f.fix.yaml ? { yaml: f.fix.yaml } : {}) } } : {}),
    ...(f.related && f.related.length > 0 ? { related: f.related.map((r) => ({ object: objectJson(r.object), path: pathJson(r.path) })) } : {}),
    ...(f.suppressed ? { suppressedBy: f.suppressed.by, ...(f.suppressed.reason !== undefined ? { reason: f.suppressed.reason } : {}) } : {}),
  }
}

/**
 * The JSON contract of `lint -o json`: `summary` counts per severity, `findings` (object, dot path, message and
 * fix as plain text), `suppressed` findings (the same, with `suppressedBy`: annotation or config, and the
 * config's `reason`), `skipped` checks with the reason, and the `checks` that ran with their severity.
 */
export function lintReport(r: LintResult) {
  const summary = { error: 0, warning: 0, info: 0 }
  for (const f of r.findings) summary[f.severity]++
  return {
    summary,
    findings: r.findings.map(findingJson),
    suppressed: r.suppressed.map(findingJson),
    skipped: r.skipped.map((s) => ({ id: s.id, slug: s.slug, reason: partsText(s.reason) })),
    checks: r.ran.map((c) => ({ id: c.check.id, slug: c.check.slug, severity: c.severity, title: c.check.title })),
  }
}

/**
 * The findings on objects of the namespaces shown (a Namespace object counts as in itself); the checks ran on
 * the whole input, so a finding that needs another namespace's objects is still found.
 */
export function limitFindings(result: LintResult, shown: ReadonlySet<string> | null): LintResult {
  if (shown === null) return result
  const inShown = (f: Finding) => shown.has(f.object.kind === 'Namespace' ? f.object.name : (f.object.namespace ?? ''))
  return { ...result, findings: result.findings.filter(inShown), suppressed: result.suppressed.filter(inShown) }
}

/**
 * The text of `JSON.stringify(report, null, 2)` and a newline, a piece at a time (a finding's worth or less): a
 * large input's report is over 100 MB, which need not be one string.
 */
export function* lintReportText(report: ReturnType<typeof lintReport>): Generator<string> {
  const entries = Object.entries(report)
  yield '{\n'
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i]!
    const comma = i < entries.length - 1 ? ',' : ''
    if (Array.isArray(value) && value.length > 0) {
      yield `  ${JSON.stringify(key)}: [\n`
      for (let j = 0; j < value.length; j++) yield `${indented(JSON.stringify(value[j], null, 2), '    ', true)}${j < value.length - 1 ? ',' : ''}\n`
      yield `  ]${comma}\n`
    } else yield `  ${JSON.stringify(key)}: ${indented(JSON.stringify(value, null, 2), '  ', false)}${comma}\n`
  }
  yield '}\n'
}

/** Every line of `text` after `pad` (the first line too when `first`): JSON text one level deeper. */
function indented(text: string, pad: string, first: boolean): string {
  return (first ? pad : '') + text.replaceAll('\n', `\n${pad}`)
}
