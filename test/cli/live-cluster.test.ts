/**
 * Every command with no -f reads the cluster of the kubeconfig context, and says the same as with -f on a
 * `kubectl get -o json` dump of the same objects. The cluster is the test suite's FAKE API server (real wire
 * format over TLS) holding examples/three-tier.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { FakeApiServer, writeFakeKubeconfig } from '../fake-apiserver/index.js'
import { applyExample, dumpList } from '../fake-apiserver/example.js'
import { scratchDir } from '../scratch-dir.js'
import { runCli } from './cli-harness.js'

let fake: FakeApiServer
const dir = scratchDir('netpol-live-')
beforeAll(async () => {
  fake = await FakeApiServer.start()
  applyExample(fake)
})
afterAll(() => fake.close())

/** a kubeconfig for the fake and the dump of its objects, in this test's scratch directory */
function setup(opts: Parameters<typeof writeFakeKubeconfig>[2] = {}): { kubeconfig: string; dump: string } {
  const kubeconfig = writeFakeKubeconfig(join(dir.path(), 'kubeconfig'), fake, opts)
  const dump = join(dir.path(), 'dump.json')
  writeFileSync(dump, JSON.stringify(dumpList(fake), null, 2))
  return { kubeconfig, dump }
}

describe('with no -f, a command reads the cluster and answers as for a dump of it', () => {
  test.each([
    ['check', ['check', '--from', 'backend/worker-3a9', '--to', 'database/postgres-0', '--port', '5432/TCP']],
    ['check -o json', ['check', '--from', 'frontend/web-7d9', '--to', 'svc/backend/api:80', '-o', 'json']],
    ['matrix', ['matrix']],
    ['matrix -o json', ['matrix', '-o', 'json']],
    ['describe', ['describe']],
    ['describe pod', ['describe', 'pod', 'database/postgres-0']],
  ])('%s', async (_, argv) => {
    const { kubeconfig, dump } = setup()
    const live = await runCli([...argv, '--kubeconfig', kubeconfig])
    const files = await runCli([...argv, '-f', dump])
    expect(live.err).toBe('')
    expect(live.out.length).toBeGreaterThan(10)
    expect({ code: live.code, out: live.out }).toEqual({ code: files.code, out: files.out })
  })

  test('lint -o json: the same findings, each object named by its cluster origin instead of file:line', async () => {
    const { kubeconfig, dump } = setup()
    const live = await runCli(['lint', '-o', 'json', '--kubeconfig', kubeconfig])
    const files = await runCli(['lint', '-o', 'json', '-f', dump])
    expect(live.code).toBe(files.code)
    const origins: string[] = []
    const placed = (text: string, keep: boolean) =>
      JSON.parse(text, (k, v) => {
        if (k === 'file' && keep) origins.push(v as string)
        return k === 'file' || k === 'line' || k === 'column' ? undefined : v
      })
    expect(placed(live.out, true)).toEqual(placed(files.out, false))
    expect(origins.length).toBeGreaterThan(0)
    for (const o of origins) expect(o).toMatch(/^cluster fake: (Namespace|Pod|NetworkPolicy|Service) [a-z0-9/-]+$/)
  })
})
