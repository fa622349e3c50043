/**
 * `netpol diff --live -f PATH`: what applying PATH to the cluster would open and close. The cluster is the
 * test suite's FAKE API server holding examples/three-tier.
 */
import { cpSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { expect, test } from 'vitest'
import { run } from '../../src/cli/cli.js'
import { writeFakeKubeconfig } from '../fake-apiserver/index.js'
import { fakeApiServer } from '../fake-apiserver/fixture.js'
import { dumpList } from '../fake-apiserver/example.js'
import { scratchDir } from '../scratch-dir.js'
import { runCli } from './cli-harness.js'

const api = fakeApiServer()
const dir = scratchDir('netpol-live-diff-')
const kubeconfig = () => writeFakeKubeconfig(join(dir.path(), 'kubeconfig'), api.server, { context: 'prod' })

/** a directory that reads as the cluster with `files` applied over it: the example first, then the files (the last object of a kind/namespace/name wins) */
function applied(files: string): string {
  cpSync('examples/three-tier', join(dir.path(), 'applied', 'a'), { recursive: true })
  cpSync(files, join(dir.path(), 'applied', 'b'), { recursive: true })
  return join(dir.path(), 'applied')
}

test.each([['text'], ['json'], ['md']])('v2 applied over the cluster (-o %s): as diffing the example against itself with v2 applied over it', async (o) => {
  const live = await runCli(['diff', '--live', '-f', 'examples/three-tier-v2/policies/', '-o', o, '--kubeconfig', kubeconfig()])
  const files = await runCli(['diff', 'examples/three-tier/', applied('examples/three-tier-v2/policies/'), '-o', o])
  expect(live.out).toContain('database/postgres-from-api')
  expect(live).toEqual(files)
})

test('nothing is deleted: a policy that v2 no longer has stays in force', async () => {
  const plain = await runCli(['diff', 'examples/three-tier/', 'examples/three-tier-v2/'])
  const live = await runCli(['diff', '--live', '-f', 'examples/three-tier-v2/policies/', '--kubeconfig', kubeconfig()])
  expect(plain.out).toContain('- database/allow-scrape')
  expect(live.out).not.toContain('allow-scrape')
})

test('nothing is deleted: applying one unchanged file changes nothing, the policies it leaves out stay', async () => {
  const r = await runCli(['diff', '--live', '-f', 'examples/three-tier/policies/database.yaml', '--fail-on', 'any', '--kubeconfig', kubeconfig()])
  expect(r.code).toBe(0)
  expect(r).toEqual(await runCli(['diff', 'examples/three-tier/', 'examples/three-tier/', '--fail-on', 'any']))
})

test('a new object is added; --fail-on and -n as for any diff', async () => {
  const deny = dir.write('deny.yaml', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-egress, namespace: monitoring}\nspec: {podSelector: {}, policyTypes: [Egress]}\n')
  const all = await runCli(['diff', '--live', '-f', deny, '--fail-on', 'removed', '-o', 'json', '--kubeconfig', kubeconfig()])
  expect(all.code).toBe(1)
  const changes = (JSON.parse(all.out) as { changes: { change: string }[] }).changes
  expect(changes.length).toBeGreaterThan(0)
  expect(changes.every((c) => c.change === 'denied')).toBe(true)
  expect(changes.length).toBe(5)
  // prometheus scrapes every namespace; -n database shows the one change that ends there, and no policy of monitoring
  const db = await runCli(['diff', '--live', '-f', deny, '--fail-on', 'removed', '-n', 'database', '-o', 'json', '--kubeconfig', kubeconfig()])
  expect(db.code).toBe(1)
  const shown = JSON.parse(db.out) as { changes: unknown[]; policies: unknown[] }
  expect({ changes: shown.changes.length, policies: shown.policies }).toEqual({ changes: 1, policies: [] })
})

test.each([
  [['diff', '--live'], 'error: diff --live: name the manifests to apply over the cluster with -f PATH (file, directory or -); repeatable\n'],
  [['diff', '--live', 'a', 'b', '-f', 'x'], 'error: diff --live compares the cluster with the -f manifests: give no OLD/NEW paths\n'],
  [['diff', '--live', '--git', 'HEAD', '-f', 'x'], 'error: diff: give --live or --git, not both\n'],
  [['diff', 'a', 'b', '--kubeconfig', 'k'], 'error: diff reads the cluster only with --live (--kubeconfig was given)\n'],
  [['diff', '--live', '-f', 'x', '--cluster', 'c'], 'error: diff --live reads the pods and namespaces from the cluster: give no --cluster\n'],
])('%j', async (argv, err) => {
  expect(await runCli(argv)).toEqual({ code: 2, out: '', err })
})

test('on a terminal, a progress line while the cluster is read, erased before the output; none in a pipe', async () => {
  const capture = (tty: boolean) => {
    const stream = Object.assign(new PassThrough(), { isTTY: tty })
    let text = ''
    stream.on('data', (c: Buffer) => (text += c.toString()))
    return { stream, text: () => text }
  }
  const out = capture(false)
  const err = capture(true)
  const code = await run(['matrix', '--kubeconfig', kubeconfig()], { stdout: out.stream, stderr: err.stream, readStdin: async () => '' })
  expect(code).toBe(0)
  // each page rewrites the line in place; the last one is erased
  expect(err.text()).toMatch(/^(\rreading cluster prod: [\d,]+ objects…\x1b\[K)+\r\x1b\[K$/)
  expect(err.text()).toContain(`reading cluster prod: ${dumpList(api.server).items.length} objects…`)
  expect(out.text()).toBe((await runCli(['matrix', '--kubeconfig', kubeconfig()])).out)
  const piped = capture(false)
  await run(['matrix', '--kubeconfig', kubeconfig()], { stdout: capture(false).stream, stderr: piped.stream, readStdin: async () => '' })
  expect(piped.text()).toBe('')
})
