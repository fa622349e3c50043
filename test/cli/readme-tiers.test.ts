import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { runCli } from './cli-harness.js'

// The README's "Cluster policy tiers" and its describe examples show real output; these keep it true.
const readme = readFileSync('README.md', 'utf8')
const TIERS = ['-f', 'examples/tiers/cluster/', '-f', 'examples/tiers/cluster-network-policies.yaml']
const DOMAINS = ['-f', 'examples/tiers/cluster/', '-f', 'examples/domain-names/']

test.each([
  ['check: an Admin Pass, then the NetworkPolicy', ['check', ...TIERS, '--from', 'web/frontend-6c8', '--to', 'api/api-5f7', '--port', '8080'], 0],
  ['check: an Admin Deny', ['check', ...TIERS, '--from', 'web/frontend-6c8', '--to', 'db/postgres-0', '--port', '5432'], 1],
  ['check: the Baseline tier', ['check', ...TIERS, '--from', 'api/worker-9d2', '--to', 'web/frontend-6c8', '--port', '8080'], 1],
  ['check: depends on DNS', ['check', ...DOMAINS, '--from', 'api/api-5f7', '--to', '140.82.112.5', '--port', '443'], 3],
  ['check: a name as --to', ['check', ...DOMAINS, '--from', 'api/api-5f7', '--to', 'api.github.com:443', '--resolve', 'api.github.com=140.82.112.5'], 0],
  ['describe cnp/NAME', ['describe', ...TIERS, 'cnp/delegate-api'], 0],
  ['the graph: outside addresses through the tiers', ['matrix', ...DOMAINS, '-o', 'mermaid', '--level', 'pod', '--port', '443/TCP', '-n', 'api'], 0],
])('the README shows %s', async (_, argv, code) => {
  const r = await runCli(argv)
  expect(r.err).toBe('')
  expect(r.code).toBe(code)
  expect(readme).toContain(`$ npx netpol ${argv.join(' ')}\n${r.out.trimEnd()}`)
})

test('the README shows the head of describe pod with cluster policies', async () => {
  const argv = ['describe', ...TIERS, 'pod', 'api/api-5f7']
  const r = await runCli(argv)
  expect(readme).toContain(`$ npx netpol ${argv.join(' ')}\n${r.out.split('\n').slice(0, 9).join('\n')}\n...`)
})
