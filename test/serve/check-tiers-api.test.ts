/** /api/check with cluster policy tiers and --resolve answers what `netpol check -o json` prints. */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { runCli } from '../cli/cli-harness.js'
import { filesInput, getJson, request, serveOn } from './http.js'
import type { RunningServer } from '../../src/web/server/server.js'

const INPUT = ['examples/tiers/cluster/', 'examples/tiers/cluster-network-policies.yaml', 'examples/domain-names/']
let server: RunningServer
beforeAll(async () => {
  server = await serveOn(await filesInput(INPUT))
})
afterAll(() => server.close())

test.each<[{ from: string; to: string; port?: string }, string[]]>([
  [{ from: 'web/frontend-6c8', to: 'api/api-5f7', port: '8080' }, []],
  [{ from: 'api/api-5f7', to: '140.82.112.5', port: '443' }, []],
  [{ from: 'api/api-5f7', to: 'api.github.com:443' }, ['api.github.com=140.82.112.5']],
])('/api/check %j resolve %j = netpol check -o json', async (q, resolve) => {
  const params = new URLSearchParams(Object.entries(q))
  for (const r of resolve) params.append('resolve', r)
  const body = await getJson(server, `/api/check?${params}`)
  const cli = await runCli(['check', ...INPUT.flatMap((f) => ['-f', f]), '--from', q.from, '--to', q.to, ...(q.port ? ['--port', q.port] : []), ...resolve.flatMap((r) => ['--resolve', r]), '-o', 'json'])
  expect(body).toEqual(JSON.parse(cli.out))
})

test('a resolution that is not one is a 400 naming it', async () => {
  const r = await request(new URL('/api/check?from=api/api-5f7&to=api.github.com:443&resolve=api.github.com', server.url).toString())
  expect(r.status).toBe(400)
  expect(r.json()).toMatchObject({ path: 'resolve', error: '--resolve "api.github.com": expected NAME=IP[,IP] (e.g. example.com=93.184.216.34)' })
})
