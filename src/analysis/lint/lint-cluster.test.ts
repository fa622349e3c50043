import { expect, test } from 'vitest'
import { cluster, pod, policy, sel } from '../../../test/builders.js'
import { CHECKS, hasErrors, lintCluster, type LintConfig } from './index.js'

// an egress baseline without an ingress one (NP001, info), no DNS pods (NP002 skipped), a typo (NP004, warning)
const web = pod('shop/web', { app: 'web' }, { ips: ['10.0.0.1'] })
const typo = policy('shop', 'typo', { podSelector: sel({ app: 'wbe' }) })
const c = cluster({ pods: [web], policies: [policy('shop', 'eg', { ingress: null, egress: [] }), typo] })
const ids = (r: ReturnType<typeof lintCluster>) => r.findings.map((f) => `${f.id}:${f.severity}`)

test.each<{ name: string; config: LintConfig | undefined; want: string[] }>([
  { name: 'defaults', config: undefined, want: ['NP001:info', 'NP004:warning'] },
  { name: 'disable by id', config: { disable: ['NP001'], severity: {} }, want: ['NP004:warning'] },
  { name: 'disable by slug', config: { disable: ['selector-matches-nothing'], severity: {} }, want: ['NP001:info'] },
  { name: 'severity override', config: { disable: [], severity: { NP004: 'error' } }, want: ['NP001:info', 'NP004:error'] },
  { name: 'min severity', config: { disable: [], severity: {}, minSeverity: 'warning' }, want: ['NP004:warning'] },
])('$name', ({ config, want }) => {
  expect(ids(lintCluster(c, config))).toEqual(want)
})

test('namespaces first, then policies; skipped checks are listed; errors decide the exit', () => {
  const r = lintCluster(c)
  expect(r.findings.map((f) => `${f.object.kind} ${f.object.name}`)).toEqual(['Namespace shop', 'NetworkPolicy typo'])
  expect(r.skipped.map((s) => s.id)).toEqual(['NP002'])
  expect(r.ran).toHaveLength(CHECKS.length)
  expect(hasErrors(r)).toBe(false)
  expect(hasErrors(lintCluster(c, { disable: [], severity: { NP001: 'error' } }))).toBe(true)
})

test('a disabled check does not run, so it cannot be skipped either', () => {
  const r = lintCluster(c, { disable: ['NP002'], severity: {} })
  expect(r.skipped).toEqual([])
  expect(r.ran.map((x) => x.check.id)).not.toContain('NP002')
})
