import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { generateCluster, renderCluster } from '../../bench/generate-cluster.js'

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js')

test('a reader that closes early (`netpol matrix … | head`) ends netpol quietly with 141, not with a stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netpol-pipe-'))
  try {
    // a matrix of some megabytes, far more than a pipe holds
    const file = join(dir, 'cluster.json')
    writeFileSync(file, renderCluster(generateCluster({ seed: 3, pods: 1500, namespaces: 20, policies: 50 }), 'json'))
    const child = spawn(process.execPath, [CLI, 'matrix', '-f', file, '--port', '80/TCP'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let err = ''
    child.stderr.on('data', (b: Buffer) => (err += b.toString()))
    child.stdout.once('data', () => child.stdout.destroy())
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
    expect(err).not.toMatch(/Error|at /)
    expect(code).toBe(141)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 60_000)
