import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { BUILT_CLI, PROJECT_ROOT } from '../cli/built-cli.js'

export interface Served {
  /** "http://127.0.0.1:PORT/" as `netpol serve` printed it */
  readonly url: string
  readonly child: ChildProcess
  /** SIGTERM, then waits for the process to end */
  stop(): Promise<void>
}

/** The built `netpol serve ARGS --port 0`, as a user starts it; resolves with the URL it prints. */
export function startServe(args: readonly string[], timeoutMs = 60_000): Promise<Served> {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run npm run build first`)
  const child = spawn(process.execPath, [BUILT_CLI, 'serve', ...args, '--port', '0'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  const ended = new Promise<void>((r) => child.once('close', () => r()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await ended
  }
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`netpol serve printed no URL in ${timeoutMs} ms; stdout: ${out} stderr: ${err}`))
    }, timeoutMs)
    child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')))
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8')
      const m = /(http:\/\/\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ url: m[1]!, child, stop })
      }
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      reject(new Error(`netpol serve ended (exit ${code}) before printing a URL; stderr: ${err}`))
    })
  })
}
