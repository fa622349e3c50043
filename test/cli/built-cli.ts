import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The project's top directory, and the built CLI (`npm run build`) as a user runs it. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const BUILT_CLI = join(PROJECT_ROOT, 'dist/cli/main.js')

export interface BuiltCliRun {
  readonly code: number | null
  readonly out: string
  readonly err: string
  readonly ms: number
}

/** `node dist/cli/main.js ARGS` in a process of its own, from the project's top directory: each call a new owner, as from a shell. */
export function runBuiltCli(args: readonly string[]): Promise<BuiltCliRun> {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run npm run build first`)
  const t0 = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUILT_CLI, ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')))
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, out, err, ms: performance.now() - t0 }))
  })
}
