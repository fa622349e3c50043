import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { generateCluster, renderCluster } from '../../bench/generate-cluster.js'

/**
 * What netpol prints must be the same bytes whether its reader keeps up or not. A pipe holds 64 KiB; once it is
 * full, a write is queued in the process and handed to the kernel later, so an output buffer that netpol reused
 * before then would show up in the reader's copy as a mix of two rows.
 */
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js')
const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'three-tier')

// reads in 4 KiB pieces with a pause after each, so the pipe stays full for most of the run
const SLOW_READER = `
import sys, time
src, dst = sys.stdin.buffer, sys.stdout.buffer
while True:
    b = src.read1(4096)
    if not b: break
    dst.write(b)
    time.sleep(0.0005)
`

let dir = ''
let big = ''
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'netpol-slow-'))
  big = join(dir, 'cluster.json')
  writeFileSync(big, renderCluster(generateCluster({ seed: 3, pods: 1500, namespaces: 20, policies: 50 }), 'json'))
  writeFileSync(join(dir, 'slow.py'), SLOW_READER)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

/** The command's output written straight to a file: what a reader must see. */
function reference(args: string[]): Buffer {
  const r = spawnSync(process.execPath, [CLI, ...args], { maxBuffer: 1 << 30 })
  expect(r.stderr.toString()).not.toMatch(/internal error/)
  return r.stdout
}

/** The same command through `| READER > file`. */
function throughPipe(args: string[], reader: string): Buffer {
  const out = join(dir, 'out')
  execFileSync('sh', ['-c', `${q(process.execPath)} ${q(CLI)} ${args.map(q).join(' ')} | ${reader} > ${q(out)}; exit 0`])
  return readFileSync(out)
}

const readers = {
  'a reader that starts after 1 s (the 64 KiB pipe filled first)': '(sleep 1; cat)',
  'a child process reading 4 KiB at a time with pauses': `python3 ${'SLOW_PY'}`,
}

const commands: { name: string; args: () => string[]; json?: boolean }[] = [
  { name: 'matrix -o json, 1,500 pods', args: () => ['matrix', '-f', big, '--port', '80/TCP', '-o', 'json'], json: true },
  { name: 'matrix -o csv, 1,500 pods', args: () => ['matrix', '-f', big, '--port', '80/TCP', '-o', 'csv'] },
  { name: 'matrix -o md, 1,500 pods', args: () => ['matrix', '-f', big, '--port', '80/TCP', '-o', 'md'] },
  { name: 'matrix table, 1,500 pods', args: () => ['matrix', '-f', big, '--port', '80/TCP'] },
  { name: 'describe -o json, 1,500 pods', args: () => ['describe', '-f', big, '-o', 'json'], json: true },
  { name: 'lint -o json, 1,500 pods', args: () => ['lint', '-f', big, '-o', 'json'], json: true },
  { name: 'check -o json on the example', args: () => ['check', '-f', EXAMPLE, '--from', 'backend/api-5c4', '--to', 'database/postgres-0', '--port', '5432', '-o', 'json'], json: true },
]

describe.each(Object.entries(readers))('through %s, every byte arrives as written', (_, readerTemplate) => {
  test.each(commands)('$name', ({ args, json }) => {
    const reader = readerTemplate.replace('SLOW_PY', q(join(dir, 'slow.py')))
    const want = reference(args())
    expect(want.length).toBeGreaterThan(0)
    const got = throughPipe(args(), reader)
    if (json) expect(() => JSON.parse(got.toString('utf8'))).not.toThrow()
    // compared as booleans first so that a failure does not print megabytes
    expect(got.length).toBe(want.length)
    expect(got.equals(want)).toBe(true)
  }, 60_000)
})
