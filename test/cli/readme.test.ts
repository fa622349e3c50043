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
  ['matrix -o dot', ['matrix', '-f', 'examples/three-tier/', '-o', 'dot', '--port', '5432/TCP', '-n', 'backend', '-n', 'database']],
  ['matrix -o mermaid', ['matrix', '-f', 'examples/three-tier/', '-o', 'mermaid', '--level', 'namespace', '-n', 'frontend', '-n', 'backend']],
  ['matrix -o classes', ['matrix', '-f', 'examples/three-tier/', '--port', '5432/TCP', '-o', 'classes']],
  ['check', ['check', '-f', 'examples/three-tier/', '--from', 'backend/worker-3a9', '--to', 'database/postgres-0', '--port', '5432/TCP']],
  ['check by ClusterIP', ['check', '-f', 'examples/three-tier/', '--from', 'backend/api-5c4', '--to', '10.96.30.54:5432']],
  ['describe policy', ['describe', '-f', 'examples/three-tier/', 'backend/api-egress']],
  ['describe pod', ['describe', '-f', 'examples/three-tier/', 'pod', 'database/postgres-0']],
  ['diff', ['diff', 'examples/three-tier/', 'examples/three-tier-v2/']],
  ['audit', ['audit', '--flows', 'examples/flows/netpol-flows.jsonl', '-f', 'examples/three-tier/', '--proposed', 'examples/flows/proposed/']],
])('the README shows what `netpol %s` prints', async (_, argv) => {
  const r = await runCli(argv)
  expect(readme).toContain(r.out.trimEnd())
})

test('the README shows what `netpol lint` finds in the mistakes example', async () => {
  const r = await runCli(['lint', '-f', 'examples/mistakes/shop.yaml', '--min-severity', 'warning'])
  const firstObject = r.out.split('\n\n')[0]!
  expect(readme).toContain(firstObject)
})

test('the README shows what `netpol lint` finds in the cluster policies of examples/tiers', async () => {
  const r = await runCli(['lint', '-f', 'examples/tiers', '--min-severity', 'warning'])
  expect(r.code).toBe(0)
  expect(readme).toContain(`$ npx netpol lint -f examples/tiers --min-severity warning\n${r.out.trimEnd()}\n`)
})

test('the README shows the NP014 finding and the summary of the mistakes example', async () => {
  const r = await runCli(['lint', '-f', 'examples/mistakes/shop.yaml'])
  const lines = r.out.trimEnd().split('\n')
  const at = lines.findIndex((l) => l.includes('NP014'))
  expect(readme).toContain(lines.slice(at, at + 5).join('\n'))
  expect(readme).toContain(lines.at(-1)!)
})

test('the README shows why diff cannot judge policies without pods, and what it leaves out', async () => {
  const noPods = await runCli(['diff', 'examples/three-tier/policies/', 'examples/three-tier-v2/policies/', '--fail-on', 'any'])
  expect(noPods.code).toBe(2)
  expect(readme).toContain(`${noPods.err.trimEnd()}\n2\n`)
  const cluster = ['--cluster', 'examples/three-tier/namespaces.yaml', '--cluster', 'examples/three-tier/pods.yaml']
  expect((await runCli(['diff', 'examples/three-tier/policies/', 'examples/three-tier-v2/policies/', ...cluster, '--fail-on', 'any'])).code).toBe(1)
  const fromNothing = await runCli(['diff', '/dev/null', 'examples/three-tier/policies/', ...cluster])
  expect(readme).toContain(fromNothing.out.split('\n').slice(0, 2).join('\n'))
})

test('the README shows a workload of several replicas checked against itself', async () => {
  const r = await runCli(['check', '-f', 'examples/replicas/', '--from', 'deploy/shop/web', '--to', 'deploy/shop/web', '--port', '8080'])
  expect(r.code).toBe(1)
  expect(readme).toContain(r.out.trimEnd())
})

test.each([
  ['the notes of a kubectl get all dump', ['matrix', '-f', 'test/fixtures/kubectl-get-all/dump.json', '-o', 'json'], 0],
  ['"did you mean" for a pod named by its prefix', ['check', '-f', 'examples/three-tier/', '--from', 'backend/api', '--to', 'database/postgres-0', '--port', '5432'], 2],
])('the README shows %s', async (_, argv, code) => {
  const r = await runCli(argv as string[])
  expect(r.code).toBe(code)
  expect(readme).toContain(r.err.trimEnd())
})

test('the README shows the errors of the objects the API server refuses', async () => {
  const r = await runCli(['check', '-f', 'examples/invalid/not-served.yaml', '--from', '1.2.3.4', '--to', '5.6.7.8', '--port', '80'])
  expect(r.code).toBe(2)
  expect(readme).toContain(r.err.trimEnd())
})

test.each([
  ['a Helm chart and a kustomization', ['matrix', '-f', 'examples/not-manifests/']],
  ['an input without objects', ['matrix', '-f', 'examples/empty/']],
])('the README shows what netpol says of %s (exit 2)', async (_, argv) => {
  const r = await runCli(argv)
  expect(r.code).toBe(2)
  expect(readme).toContain(`$ npx netpol ${argv.join(' ')}${argv[2] === 'examples/empty/' ? '; echo "exit $?"' : ''}\n${r.err}`)
})

test('the README shows the errors of the cluster policies their CRDs refuse', async () => {
  const r = await runCli(['check', '-f', 'examples/invalid/cluster-policies.yaml', '--from', '1.2.3.4', '--to', '5.6.7.8', '--port', '80'])
  expect(r.code).toBe(2)
  expect(readme).toContain(`$ npx netpol check -f examples/invalid/cluster-policies.yaml --from 1.2.3.4 --to 5.6.7.8 --port 80\n${r.err}`)
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

// runs once the flow readers and resolver are in (src/flows/read-flows.ts, resolve-flows.ts)
const flowsImplemented = await import('../../src/flows/read-flows.js').then((m) => m.readFlows([]).then(() => true, (e: unknown) => !String(e).includes('not implemented')))

test.skipIf(!flowsImplemented)('the README shows what `netpol generate` writes and its verification [waits on the flow readers]', async () => {
  const r = await runCli(['generate', '--flows', 'examples/flows/generate-input.csv', '-f', 'examples/three-tier/'])
  expect(r.code).toBe(0)
  expect(readme).toContain(`> policies.yaml\n${r.err}`)
  const start = r.out.indexOf('# Egress: where backend/api')
  expect(readme).toContain(r.out.slice(start, r.out.indexOf('---', start) + 3))
})
