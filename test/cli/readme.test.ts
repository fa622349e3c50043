import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { runCli } from './cli-harness.js'

// The README shows real output; these keep it true.
const readme = readFileSync('README.md', 'utf8')

test.each([
  ['matrix', ['matrix', '-f', 'examples/three-tier/', '--port', '5432/TCP']],
  ['matrix --to-namespace', ['matrix', '-f', 'examples/three-tier/', '--to-namespace', 'database', '--port', '5432/TCP']],
  ['check', ['check', '-f', 'examples/three-tier/', '--from', 'backend/worker-3a9', '--to', 'database/postgres-0', '--port', '5432/TCP']],
  ['describe policy', ['describe', '-f', 'examples/three-tier/', 'backend/api-egress']],
  ['describe pod', ['describe', '-f', 'examples/three-tier/', 'pod', 'database/postgres-0']],
  ['diff', ['diff', 'examples/three-tier/', 'examples/three-tier-v2/']],
])('the README shows what `netpol %s` prints', async (_, argv) => {
  const r = await runCli(argv)
  expect(readme).toContain(r.out.trimEnd())
})

test('the README shows what `netpol lint` finds in the mistakes example', async () => {
  const r = await runCli(['lint', '-f', 'examples/mistakes/shop.yaml', '--min-severity', 'warning'])
  const firstObject = r.out.split('\n\n')[0]!
  expect(readme).toContain(firstObject)
})

test.each([
  ['a Helm chart and a kustomization', ['matrix', '-f', 'examples/not-manifests/']],
  ['an input without objects', ['matrix', '-f', 'examples/empty/']],
])('the README shows what netpol says of %s (exit 2)', async (_, argv) => {
  const r = await runCli(argv)
  expect(r.code).toBe(2)
  expect(readme).toContain(`$ npx netpol ${argv.join(' ')}${argv[2] === 'examples/empty/' ? '; echo "exit $?"' : ''}\n${r.err}`)
})

test('the README shows the errors of the invalid example', async () => {
  const r = await runCli(['check', '-f', 'examples/invalid/bad-policy.yaml', '--from', '1.2.3.4', '--to', '5.6.7.8', '--port', '80'])
  expect(r.code).toBe(2)
  expect(readme).toContain(r.err.trimEnd())
})

test('the README shows what the lint config of its suppression example suppresses', async () => {
  const yaml = /```yaml\n(ignore:\n[\s\S]*?)```/.exec(readme)![1]!
  const config = join(mkdtempSync(join(tmpdir(), 'netpol-readme-')), 'lint.yaml')
  writeFileSync(config, yaml)
  const r = await runCli(['lint', '-f', 'test/fixtures/lint/surprises.yaml', '--config', config])
  expect(readme).toContain(`$ npx netpol lint -f test/fixtures/lint/surprises.yaml --config lint.yaml | tail -1\n${r.out.trimEnd().split('\n').at(-1)}\n`)
})

test('the README shows the summary line of the mistakes example', async () => {
  const r = await runCli(['lint', '-f', 'examples/mistakes/shop.yaml'])
  expect(readme).toContain(`$ npx netpol lint -f examples/mistakes/shop.yaml | tail -1\n${r.out.trimEnd().split('\n').at(-1)}\n`)
})
