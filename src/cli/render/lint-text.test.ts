import { expect, test } from 'vitest'
import { code, ref, type Finding } from '../../analysis/lint/finding.js'
import { CHECKS, type LintResult } from '../../analysis/lint/index.js'
import { lintReport } from '../../report/lint-report.js'
import { lintSarif } from './lint-sarif.js'
import { renderLintText, type LintStyle } from './lint-text.js'

const policy = { kind: 'NetworkPolicy', namespace: 'shop', name: 'p', source: { file: 'dir/p q.yaml', doc: 0, line: 3 } }
const finding: Finding = {
  id: 'NP004',
  slug: 'selector-matches-nothing',
  severity: 'warning',
  object: policy,
  path: ['spec', 'podSelector'],
  location: { line: 7, column: 3 },
  message: ['no pod in ', ref('shop'), ' has ', code('app=x')],
  fix: { text: ['use ', code('app=y')], yaml: 'podSelector: {matchLabels: {app: y}}\n' },
}
const nsFinding: Finding = { id: 'NP001', slug: 'missing-default-deny', severity: 'info', object: { kind: 'Namespace', name: 'shop' }, path: [], message: ['no baseline'] }
const result: LintResult = {
  findings: [nsFinding, finding],
  suppressed: [],
  skipped: [{ id: 'NP002', slug: 'egress-no-dns', reason: ['no DNS pods'] }],
  ran: CHECKS.map((check) => ({ check, severity: check.id === 'NP004' ? 'error' : check.severity })),
}

test('text: grouped by object, with lines, fixes, skipped checks and a summary', () => {
  expect(renderLintText(result)).toBe(
    [
      'Namespace shop',
      '  info    NP001 missing-default-deny',
      '    no baseline',
      '',
      'NetworkPolicy shop/p  (dir/p q.yaml:3)',
      '  warning NP004 selector-matches-nothing  spec.podSelector  (line 7)',
      '    no pod in shop has app=x',
      '    fix: use app=y',
      '      podSelector: {matchLabels: {app: y}}',
      '',
      'skipped NP002 egress-no-dns: no DNS pods',
      `1 warning, 1 info on 2 objects (${CHECKS.length} checks ran)`,
      '',
    ].join('\n'),
  )
})

test('text: every kind of part goes through the style', () => {
  const tag: LintStyle = { severity: (s, t) => `<${s}>${t}</>`, code: (s) => `\`${s}\``, ref: (s) => `*${s}*`, dim: (s) => s, bold: (s) => s }
  const text = renderLintText({ ...result, findings: [finding] }, tag)
  expect(text).toContain('<warning>warning</> NP004')
  expect(text).toContain('no pod in *shop* has `app=x`')
  expect(text).toContain('<warning>1 warning</>')
})

test('json: plain text messages, dot paths, lines', () => {
  expect(lintReport(result).findings[1]).toEqual({
    id: 'NP004',
    slug: 'selector-matches-nothing',
    severity: 'warning',
    object: { kind: 'NetworkPolicy', namespace: 'shop', name: 'p', file: 'dir/p q.yaml', line: 3 },
    path: 'spec.podSelector',
    line: 7,
    column: 3,
    message: 'no pod in shop has app=x',
    fix: { text: 'use app=y', yaml: 'podSelector: {matchLabels: {app: y}}\n' },
  })
  expect(lintReport(result).summary).toEqual({ error: 0, warning: 1, info: 1 })
})

test('sarif: levels, rules with the severity in effect, locations with and without a file', () => {
  const run = lintSarif(result, CHECKS, { version: '1.2.3' }).runs[0]!
  expect(run.tool.driver.rules.find((r) => r.id === 'NP004')!.defaultConfiguration.level).toBe('error')
  const [ns, pol] = run.results
  expect(ns).toMatchObject({ ruleId: 'NP001', ruleIndex: 0, level: 'note', locations: [{ logicalLocations: [{ fullyQualifiedName: 'Namespace/shop' }] }] })
  expect(ns!.locations[0]).not.toHaveProperty('physicalLocation')
  expect(pol).toMatchObject({
    ruleId: 'NP004',
    level: 'warning',
    message: { text: 'NetworkPolicy shop/p: spec.podSelector: no pod in shop has app=x. Fix: use app=y.' },
    locations: [{ physicalLocation: { artifactLocation: { uri: 'dir/p%20q.yaml' }, region: { startLine: 7, startColumn: 3 } } }],
    properties: { fixYaml: 'podSelector: {matchLabels: {app: y}}\n' },
  })
  expect(run.invocations[0]!.toolExecutionNotifications).toEqual([{ level: 'note', message: { text: 'NP002 egress-no-dns did not run: no DNS pods' }, descriptor: { id: 'NP002', index: 1 } }])
})

test('text: suppressed findings are counted in the summary, by how they were suppressed', () => {
  const s = (by: 'annotation' | 'config') => ({ ...finding, suppressed: { by } })
  const text = renderLintText({ ...result, suppressed: [s('annotation'), s('config'), s('config')] })
  expect(text.trimEnd().split('\n').at(-1)).toBe(`1 warning, 1 info on 2 objects (${CHECKS.length} checks ran); 3 findings suppressed (annotation 1, config 2)`)
  expect(renderLintText({ ...result, findings: [], suppressed: [s('annotation')] }).trimEnd().split('\n').at(-1)).toBe(`no findings (${CHECKS.length} checks ran); 1 finding suppressed (annotation 1)`)
})
