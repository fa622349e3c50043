/** `netpol serve` as a user runs it: the built CLI in a process of its own, until the test stops it. */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { BUILT_CLI, PROJECT_ROOT } from '../cli/built-cli.js'

export interface ServeProcess {
  readonly url: string
  readonly child: ChildProcess
  /** everything written so far */
  out(): string
  err(): string
  /** sends `signal` and resolves with the exit code */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** Starts `netpol serve ARGS` and resolves once it printed its URL; rejects if it exits first. */
export function startServe(args: readonly string[]): Promise<ServeProcess> {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run npm run build first`)
  const child = spawn(process.execPath, [BUILT_CLI, 'serve', ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')))
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8')
      const m = /netpol serve: (http:\S+)\n/.exec(out)
      if (m) resolve({ url: m[1]!, child, out: () => out, err: () => err, stop: (signal = 'SIGTERM') => (child.kill(signal), exited) })
    })
    void exited.then((code) => reject(new Error(`netpol serve exited with ${code} before it listened: ${err}`)))
  })
}

/** An event stream of the server: the events received so far, and a wait for the next one named `event`. */
export function openEvents(url: string): { events: { event: string; data: string }[]; comments: string[]; next(event: string, timeoutMs?: number): Promise<{ event: string; data: string }>; close(): void } {
  const events: { event: string; data: string }[] = []
  const comments: string[] = []
  const waiters: { event: string; resolve: (e: { event: string; data: string }) => void }[] = []
  const u = new URL('/api/events', url)
  const req = httpRequest({ host: u.hostname, port: u.port, path: u.pathname, headers: { Accept: 'text/event-stream' } }, (res) => {
    let buf = ''
    res.on('data', (c: Buffer) => {
      buf += c.toString('utf8')
      let end: number
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end)
        buf = buf.slice(end + 2)
        let event = 'message'
        const data: string[] = []
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments.push(line.slice(1).trim())
          else if (line.startsWith('event: ')) event = line.slice(7)
          else if (line.startsWith('data: ')) data.push(line.slice(6))
        }
        if (data.length === 0) continue
        const e = { event, data: data.join('\n') }
        events.push(e)
        for (const w of waiters.filter((x) => x.event === event)) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(e)
        }
      }
    })
  })
  req.on('error', () => undefined)
  req.end()
  return {
    events,
    comments,
    next: (event, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no "${event}" event within ${timeoutMs} ms`)), timeoutMs)
        waiters.push({ event, resolve: (e) => (clearTimeout(t), resolve(e)) })
      }),
    close: () => req.destroy(),
  }
}
