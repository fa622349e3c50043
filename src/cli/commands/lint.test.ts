import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { runCli } from '../../../test/cli/cli-harness.js'
import { expectGolden } from '../../../test/golden.js'
import { CHECKS } from '../../analysis/lint/index.js'
import { run } from '../cli.js'

const SHOP = 'test/fixtures/lint/shop.yaml'
const GOLDEN = 'test/fixtures/lint/golden'

/** The driver version follows package.json; the golden file should not. */
function stableSarif(out: string): string {
  const doc = JSON.parse(out) as { runs: { tool: { driver: { version: string } } }[] }
  doc.runs[0]!.tool.driver.version = '0.0.0-test'
  return JSON.stringify(doc, null, 2) + '\n'
}

describe('netpol lint: golden output', () => {
  test.each([
    { name: 'text', args: [], golden: 'shop.txt', fix: (s: string) => s },
    { name: 'json', args: ['-o', 'json'], golden: 'shop.json', fix: (s: string) => s },
    { name: 'sarif', args: ['-o', 'sarif'], golden: 'shop.sarif', fix: stableSarif },
  ])('$name', async ({ args, golden, fix }) => {
    const r = await runCli(['lint', '-f', SHOP, ...args])
    expect(r.err).toBe('')
    expect(r.code).toBe(1)
    expectGolden(fix(r.out), `${GOLDEN}/${golden}`)
  })
})

describe('netpol lint: policyTypes and namespace surprises, and a suppression by annotation (golden)', () => {
  const SURPRISES = 'test/fixtures/lint/surprises.yaml'
  test.each([
    { name: 'text', args: [], golden: 'surprises.txt', fix: (s: string) => s },
    { name: 'json', args: ['-o', 'json'], golden: 'surprises.json', fix: (s: string) => s },
    { name: 'sarif', args: ['-o', 'sarif'], golden: 'surprises.sarif', fix: stableSarif },
  ])('$name', async ({ args, golden, fix }) => {
    const r = await runCli(['lint', '-f', SURPRISES, ...args])
    expect(r.err).toBe('note: namespace shpo is not declared; assumed to exist because NetworkPolicy shpo/deny-all is in it\n')
    expect(r.code).toBe(0)
    expectGolden(fix(r.out), `${GOLDEN}/${golden}`)
  })
})

describe('netpol lint: SARIF', () => {
  test('a rule for every check, results pointing at lines of the file', async () => {
    const r = await runCli(['lint', '-f', SHOP, '-o', 'sarif'])
    const run = JSON.parse(r.out).runs[0]
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id)).toEqual(CHECKS.map((c) => c.id))
    for (const res of run.results) {
      expect(['error', 'warning', 'note']).toContain(res.level)
      expect(run.tool.driver.rules[res.ruleIndex].id).toBe(res.ruleId)
    }
    const typo = run.results.find((x: { ruleId: string; message: { text: string } }) => x.ruleId === 'NP004' && x.message.text.includes('api-ingress:'))
    expect(typo.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: SHOP }, region: { startLine: 107, startColumn: 13 } })
  })

  test('a finding on a Namespace that is in the input points at the Namespace object', async () => {
    const r = await runCli(['lint', '-f', SHOP, '-o', 'sarif'])
    const results = JSON.parse(r.out).runs[0].results as { message: { text: string }; locations: { physicalLocation?: unknown }[] }[]
    const onNs = results.filter((x) => x.message.text.startsWith('Namespace monitoring:'))
    expect(onNs.length).toBeGreaterThan(0)
    for (const x of onNs) expect(x.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: SHOP }, region: { startLine: 6 } })
  })
})

describe('netpol lint: cluster policies', () => {
  const TIERS = 'test/fixtures/lint/tiers.yaml'
  test('-o json: the finding on a ClusterNetworkPolicy names the object (no namespace), its file and lines', async () => {
    const r = await runCli(['lint', '-f', TIERS, '-o', 'json', '--disable', 'NP001'])
    expect([r.code, r.err]).toEqual([0, ''])
    const doc = JSON.parse(r.out)
    expect(doc.findings.map((f: { id: string; object: { name: string } }) => `${f.id} ${f.object.name}`)).toEqual(['NP019 allow-frontend-to-db', 'NP021 default'])
    expect(doc.findings[0]).toEqual({
      id: 'NP019',
      slug: 'tier-rule-shadowed',
      severity: 'warning',
      object: { kind: 'ClusterNetworkPolicy', name: 'allow-frontend-to-db', file: TIERS, line: 52 },
      path: 'spec.ingress[0]',
      line: 61,
      column: 5,
      message:
        '[Admin] cnp/allow-frontend-to-db priority 20 ingress[0] "frontend" Accept can never act: every connection it matches (e.g. from web/frontend-1 to db/postgres-0 on 5432/TCP) is decided first by [Admin] cnp/deny-web-to-db priority 10 ingress[0] "no-web" Deny, and any action ends the evaluation of the tier for a connection',
      fix: { text: 'remove the rule, or move it (or its policy, by priority) before the rules that decide its connections' },
      related: [{ object: { kind: 'ClusterNetworkPolicy', name: 'deny-web-to-db', file: TIERS, line: 37 }, path: 'spec.ingress[0]' }],
    })
  })

  test('-o sarif: results point at the rule in the file, and at the rule that decides first', async () => {
    const r = await runCli(['lint', '-f', TIERS, '-o', 'sarif', '--disable', 'NP001'])
    const run = JSON.parse(r.out).runs[0]
    const res = run.results.find((x: { ruleId: string }) => x.ruleId === 'NP019')
    expect(res.level).toBe('warning')
    expect(res.locations[0]).toEqual({
      physicalLocation: { artifactLocation: { uri: TIERS }, region: { startLine: 61, startColumn: 5 } },
      logicalLocations: [{ fullyQualifiedName: 'ClusterNetworkPolicy/allow-frontend-to-db', kind: 'resource' }],
    })
    expect(res.relatedLocations[0].physicalLocation).toEqual({ artifactLocation: { uri: TIERS }, region: { startLine: 37 } })
    expect(run.results.find((x: { ruleId: string }) => x.ruleId === 'NP021').level).toBe('note')
  })

  test('a BaselineAdminNetworkPolicy not named default is refused as the API server refuses it (no lint needed)', async () => {
    const r = await runCli(['lint', '-f', '-'], 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: baseline}\nspec:\n  subject: {namespaces: {}}\n')
    expect(r.code).toBe(2)
    expect(r.err).toContain('metadata.name: Invalid value: "baseline"')
  })

  test('config ignore names a cluster policy as KIND NAME', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpol-lint-tiers-'))
    const file = join(dir, 'lint.yaml')
    writeFileSync(file, 'ignore:\n- {check: NP021, object: BaselineAdminNetworkPolicy default, reason: a safety net}\n')
    const r = await runCli(['lint', '-f', TIERS, '--config', file, '--disable', 'NP001', '-o', 'json'])
    const doc = JSON.parse(r.out)
    expect(doc.findings.map((f: { id: string }) => f.id)).toEqual(['NP019'])
    expect(doc.suppressed.map((f: { id: string; suppressedBy: string; reason: string }) => `${f.id} ${f.suppressedBy} ${f.reason}`)).toEqual(['NP021 config a safety net'])
  })
})

describe('netpol lint: flags and config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netpol-lint-'))
  const config = (name: string, text: string) => {
    const file = join(dir, name)
    writeFileSync(file, text)
    return file
  }
  const summary = (out: string) => out.trimEnd().split('\n').at(-1)

  test.each([
    { name: 'disable the error-level checks by id and slug: exit 0', args: ['--disable', 'NP002', '--disable', 'namespace-name-label'], code: 0, last: `12 warnings, 7 infos on 12 objects (${CHECKS.length - 2} checks ran)` },
    { name: 'min severity error', args: ['--min-severity', 'error'], code: 1, last: `3 errors on 3 objects (${CHECKS.length} checks ran)` },
    { name: 'config: disable and demote', args: ['--config', config('demote.yaml', 'disable: [NP001, redundant-rule]\nseverity: {NP002: warning, NP005: warning}\n')], code: 0, last: `15 warnings on 9 objects (${CHECKS.length - 2} checks ran)` },
    { name: 'config and flags add up', args: ['--config', config('min.yaml', 'minSeverity: error\n'), '--disable', 'NP002'], code: 1, last: `1 error on 1 object (${CHECKS.length - 1} checks ran)` },
  ])('$name', async ({ args, code, last }) => {
    const r = await runCli(['lint', '-f', SHOP, ...args])
    expect(r.err).toBe('')
    expect(summary(r.out)).toBe(last)
    expect(r.code).toBe(code)
  })

  test.each([
    { name: 'an unknown check on the command line', args: ['--disable', 'NP099'], err: /^error: --disable NP099: no such check/ },
    { name: 'an unknown check in the config', args: ['--config', config('bad.yaml', 'disable: [default-deny]\n')], err: /^error: .*bad\.yaml: disable\[0\]: no check "default-deny"; did you mean NP001 missing-default-deny\?\n$/ },
    { name: 'a config that is not YAML', args: ['--config', config('broken.yaml', 'disable: [\n')], err: /^error: --config .*broken\.yaml: not valid YAML/ },
    { name: 'a missing config', args: ['--config', join(dir, 'none.yaml')], err: /^error: --config .*none\.yaml: cannot read/ },
  ])('$name: exit 2', async ({ args, err }) => {
    const r = await runCli(['lint', '-f', SHOP, ...args])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(err)
    expect(r.out).toBe('')
  })

  test('config ignore: findings on the named objects are suppressed, counted in the summary, kept in JSON and SARIF', async () => {
    const file = config('ignore.yaml', [
      'ignore:',
      '- {check: NP017, object: shpo/deny-all, reason: the namespace is created by the platform team}',
      '- {check: rules-ignored-by-policy-types, object: NetworkPolicy shop/web}',
      '- {check: NP016, object: Pod shop/api-egress}', // another kind of the same name: no effect
    ].join('\n'))
    const args = ['lint', '-f', 'test/fixtures/lint/surprises.yaml', '--config', file]
    const text = await runCli(args)
    expect(summary(text.out)).toBe(`1 warning, 2 infos on 2 objects (${CHECKS.length} checks ran); 4 findings suppressed (annotation 2, config 2)`)
    const json = JSON.parse((await runCli([...args, '-o', 'json'])).out)
    expect(json.suppressed.map((f: { id: string; suppressedBy: string; reason?: string }) => [f.id, f.suppressedBy, f.reason])).toEqual([
      ['NP001', 'annotation', undefined],
      ['NP001', 'annotation', undefined],
      ['NP015', 'config', undefined],
      ['NP017', 'config', 'the namespace is created by the platform team'],
    ])
    const sarif = JSON.parse((await runCli([...args, '-o', 'sarif'])).out).runs[0].results as { ruleId: string; suppressions?: unknown[] }[]
    expect(sarif.filter((x) => x.suppressions).map((x) => [x.ruleId, x.suppressions])).toEqual([
      ['NP001', [{ kind: 'inSource', status: 'accepted' }]],
      ['NP001', [{ kind: 'inSource', status: 'accepted' }]],
      ['NP015', [{ kind: 'external', status: 'accepted' }]],
      ['NP017', [{ kind: 'external', status: 'accepted', justification: 'the namespace is created by the platform team' }]],
    ])
  })

  test('suppressed errors do not fail the run', async () => {
    const file = config('errors.yaml', 'ignore:\n- {check: NP002, object: shop/api-egress}\n- {check: NP002, object: shop/db-egress}\n- {check: namespace-name-label, object: shop/db-ingress}\n')
    const r = await runCli(['lint', '-f', SHOP, '--min-severity', 'error', '--config', file])
    expect([r.code, r.out]).toEqual([0, `no findings (${CHECKS.length} checks ran); 3 findings suppressed (config 3)\n`])
  })

  test.each([
    { name: 'an object that names nothing', text: 'ignore:\n- {check: NP001, object: "a/b/c"}\n', err: /ignore\[0\]\.object: "a\/b\/c" names no object/ },
    { name: 'an unknown check', text: 'ignore:\n- {check: NP099, object: shop/x}\n', err: /ignore\[0\]\.check: no check "NP099"/ },
    { name: 'an unknown field', text: 'ignore:\n- {check: NP001, object: shop, because: x}\n', err: /ignore\[0\]\.because: unknown field "because" \(known: check, object, reason\)/ },
  ])('config ignore: $name is exit 2', async ({ text, err }) => {
    const r = await runCli(['lint', '-f', SHOP, '--config', config(`bad-ignore-${text.length}.yaml`, text)])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(err)
  })

  test('an input without findings', async () => {
    const r = await runCli(['lint', '-f', '-', '--disable', 'NP001'], 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec: {containers: [{name: c, image: i}]}\n')
    expect(r).toEqual({ code: 0, out: `no findings (${CHECKS.length - 1} checks ran)\n`, err: '' })
  })

  test('objects of a JSON List are placed at their lines', async () => {
    const r = await runCli(['lint', '-f', 'test/fixtures/lint/list.json', '-o', 'json', '--disable', 'NP001'])
    const f = JSON.parse(r.out).findings[0]
    expect(f).toMatchObject({ id: 'NP004', object: { name: 'typo', file: 'test/fixtures/lint/list.json', line: 12 }, path: 'spec.ingress[0].from[0].podSelector', line: 20, column: 25 })
  })
})

test('colors on a terminal only', async () => {
  const stdout = Object.assign(new PassThrough(), { isTTY: true })
  let out = ''
  stdout.on('data', (c: Buffer) => (out += c.toString()))
  const saved = process.env.NO_COLOR
  delete process.env.NO_COLOR
  try {
    await run(['lint', '-f', SHOP], { stdout, stderr: new PassThrough(), readStdin: async () => '' })
  } finally {
    if (saved !== undefined) process.env.NO_COLOR = saved
  }
  await new Promise((r) => setImmediate(r))
  expect(out).toContain('\u001b[')
  expect((await runCli(['lint', '-f', SHOP])).out).not.toContain('\u001b[')
})
