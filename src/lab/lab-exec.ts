import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** A lab step failed on the host: which step, the command, and what it printed. */
export class LabError extends Error {
  override name = 'LabError'
  constructor(
    readonly step: string,
    readonly detail: string,
    readonly stderr = '',
  ) {
    super(`${step}: ${detail}${stderr.trim() === '' ? '' : `\n${stderr.trim()}`}`)
  }
}

export interface RunResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs a program without a shell (arguments are never interpreted), feeding `input` on stdin.
 * Resolves with the exit code; never rejects for a non-zero exit (use `mustRun` for that).
 */
export function run(command: string, args: readonly string[], input?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 127
      resolve({ code, stdout, stderr: err !== null && stderr === '' ? err.message : stderr })
    })
    child.stdin?.on('error', () => {})
    child.stdin?.end(input ?? '')
  })
}

/** `run`, throwing a LabError named after `step` on a non-zero exit. */
export async function mustRun(step: string, command: string, args: readonly string[], input?: string): Promise<string> {
  const r = await run(command, args, input)
  if (r.code !== 0) throw new LabError(step, `${command} ${args.join(' ')} exited with ${r.code}`, r.stderr)
  return r.stdout
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

/** Resolves with the first line `child` prints on stdout; rejects if it exits first or after `timeoutMs`. */
export function firstLine(child: ChildProcess, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = ''
    const done = (fn: () => void): void => {
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      child.off('exit', onExit)
      child.off('error', onError)
      fn()
    }
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString('utf8')
      const nl = buf.indexOf('\n')
      if (nl >= 0) done(() => resolve(buf.slice(0, nl)))
    }
    const onExit = (code: number | null, signal: string | null): void =>
      done(() => reject(new LabError(what, `exited (${signal ?? code}) before it was ready`)))
    const onError = (err: Error): void => done(() => reject(new LabError(what, err.message)))
    const timer = setTimeout(() => done(() => reject(new LabError(what, `not ready after ${timeoutMs} ms`))), timeoutMs)
    child.stdout?.on('data', onData)
    child.once('exit', onExit)
    child.once('error', onError)
  })
}

export { spawn }

// ---------------------------------------------------------------------------------------------------------
// Where the lab's helper programs are. From dist/ the compiled .js entry points run with plain node. From
// src/ (tests, development) they are bundled once per process with esbuild into a temporary directory:
// a node start-up costs ~0.1 s of CPU that way against ~0.45 s through tsx, and a lab starts one node
// per pod and per probing source. Without esbuild the .ts sources run through tsx. tsc does not copy
// sctp_raw.py to dist/, so it is looked up beside this module first and in src/lab/ second.

const here = new URL('.', import.meta.url)
const fromSource = import.meta.url.endsWith('.ts')
const ENTRIES = ['pod-server', 'pod-prober'] as const
export type LabEntry = (typeof ENTRIES)[number]

/** The project root (holds node_modules), used as the working directory of helper processes. */
export const projectRoot = fileURLToPath(new URL('../../', here))

let bundled: Promise<string | null> | null = null

/** Bundles the entry points into one fixed directory, each file replaced atomically (rename), so runs share it safely. */
async function bundleEntries(): Promise<string | null> {
  try {
    const name = 'esbuild' // not a declared dependency: present in development through tsx and vitest
    const esbuild = (await import(name)) as { build(o: Record<string, unknown>): Promise<{ outputFiles: { path: string; contents: Uint8Array }[] }> }
    const dir = join(tmpdir(), `netpol-lab-entries-${process.getuid?.() ?? 0}`)
    mkdirSync(dir, { recursive: true })
    const result = await esbuild.build({
      entryPoints: ENTRIES.map((e) => fileURLToPath(new URL(`${e}.ts`, here))),
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    })
    for (const f of result.outputFiles) {
      const tmp = `${f.path}.${process.pid}.tmp`
      writeFileSync(tmp, f.contents)
      renameSync(tmp, f.path)
    }
    return dir
  } catch {
    return null
  }
}

/** Arguments for `node` that start a lab entry point. */
export async function nodeEntryArgs(entry: LabEntry): Promise<string[]> {
  if (!fromSource) return [fileURLToPath(new URL(`${entry}.js`, here))]
  bundled ??= bundleEntries()
  const dir = await bundled
  return dir === null ? ['--import', 'tsx', fileURLToPath(new URL(`${entry}.ts`, here))] : [join(dir, `${entry}.mjs`)]
}

export function sctpHelperPath(): string {
  const beside = fileURLToPath(new URL('sctp_raw.py', here))
  if (existsSync(beside)) return beside
  return fileURLToPath(new URL('../../src/lab/sctp_raw.py', here))
}

/** The system python3 starts faster than version-manager shims; any python3 ≥ 3.8 on PATH works. */
export function pythonCommand(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'
}

/** The node binary running this process, so helpers run on the same version. */
export const nodeCommand = process.execPath
