import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { readFlows } from '../../src/flows/read-flows.js'
import { resolveFlows } from '../../src/flows/resolve-flows.js'
import { scratchDir } from '../scratch-dir.js'
import { run } from '../../src/cli/cli.js'
import { runCli } from './cli-harness.js'

test.each([
  ['no --flows', ['generate', '-f', 'examples/three-tier/'], /--flows FILE/],
  ['a --merge-cidrs that is no prefix length', ['generate', '--flows', 'x.csv', '-f', 'examples/three-tier/', '--merge-cidrs', '/40'], /--merge-cidrs \/40: expected a prefix length/],
])('netpol generate with %s: exit 2 and what was expected', async (_, argv, message) => {
  const r = await runCli(argv)
  expect(r.code).toBe(2)
  expect(r.err).toMatch(message)
})

// These run the whole command: read the CSV flows, resolve them against the cluster, generate, verify. They
// wait on readFlows and resolveFlows (src/flows/read-flows.ts, resolve-flows.ts), and run once those are in.
const implemented = await Promise.all([
  readFlows([]).then(() => true, (e: unknown) => !String(e).includes('not implemented')),
  Promise.resolve().then(() => resolveFlows({ namespaces: new Map(), pods: [], policies: [], services: [], clusterPolicies: [], nodes: [] }, [])).then(() => true, (e: unknown) => !String(e).includes('not implemented')),
]).then((both) => both.every(Boolean))

describe.skipIf(!implemented)('netpol generate end to end [waits on the flow readers and resolver]', () => {
  const scratch = scratchDir('netpol-generate-')
  test('the bundled example: the golden YAML on stdout, the verification on stderr', async () => {
    const r = await runCli(['generate', '--flows', 'examples/flows/generate-input.csv', '-f', 'examples/three-tier/'])
    expect(r.err).toContain('verified: all 14 observed connections ALLOWED')
    expect(r.code).toBe(0)
    expect(r.out).toBe(readFileSync('src/flows/__golden__/three-tier.yaml', 'utf8'))
  })

  test('-o DIR: one file per namespace, the summary on stdout', async () => {
    const dir = join(scratch.path(), 'out')
    const r = await runCli(['generate', '--flows', 'examples/flows/generate-input.csv', '-f', 'examples/three-tier/', '-o', dir])
    expect(r.code).toBe(0)
    expect(readdirSync(dir).sort()).toEqual(['backend.yaml', 'database.yaml', 'frontend.yaml', 'monitoring.yaml'])
    expect(readFileSync(join(dir, 'database.yaml'), 'utf8')).toContain('name: postgres-ingress')
    expect(r.out).toContain('verified: all 14 observed connections ALLOWED')
  })

  test('--flows - reads stdin as a stream (gzip, pieces cut mid-line), never whole', async () => {
    const gz = gzipSync(readFileSync('examples/flows/generate-input.csv'))
    const pieces = [gz.subarray(0, 7), gz.subarray(7, 100), gz.subarray(100)]
    let pulled = 0
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    let out = ''
    let err = ''
    stdout.on('data', (c: Buffer) => (out += c.toString()))
    stderr.on('data', (c: Buffer) => (err += c.toString()))
    const io = {
      stdout,
      stderr,
      readStdin: async (): Promise<string> => {
        throw new Error('stdin read whole')
      },
      stdinStream: () => Readable.from((function* () { for (const p of pieces) { pulled++; yield p } })()),
    }
    const code = await run(['generate', '--flows', '-', '-f', 'examples/three-tier/'], io)
    await new Promise((r) => setImmediate(r))
    expect(err).toContain('verified: all 14 observed connections ALLOWED')
    expect(code).toBe(0)
    expect(pulled).toBe(3)
    expect(out).toBe(readFileSync('src/flows/__golden__/three-tier.yaml', 'utf8'))
  })

  test.skipIf(!existsSync('examples/flows/observed.csv'))('the shared example flows generate policies that verify', async () => {
    const r = await runCli(['generate', '--flows', 'examples/flows/observed.csv', '-f', 'examples/three-tier/', '--no-baseline'])
    expect(r.err).toMatch(/verified: all \d+ observed connections? ALLOWED/)
    expect(r.code).toBe(0)
  })
})
