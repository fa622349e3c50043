/**
 * Traffic in the lab for tests and benchmarks: a client worker and an accept-and-close server, each one Node
 * process inside a lab namespace, plus running a whole lab under the lab lock. Root only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { labDown, labUp, type LabPlan } from '../src/lab/index.js'
import { acquireLabLock } from './lab-lock.js'

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * The worker that runs inside a pod namespace. Commands, one JSON line each on stdin, one JSON line back:
 * - {op:'rate', port, ms, conc}: connect + reset in `conc` loops for `ms`; → {ok, err, ms}
 * - {op:'probe', port, timeoutMs}: one connection; → {result: 'ok' | 'timeout' | error code}
 * - {op:'stream', port, intervalMs, timeoutMs}: a new connection every intervalMs until {op:'stop'}; for each
 *   finished probe a line `S <start ns, process.hrtime (CLOCK_MONOTONIC, shared by all processes)> <1|0> <result>`
 */
const WORKER = String.raw`
import net from 'node:net'
import { createInterface } from 'node:readline'
const host = process.argv[1]
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
const attempt = (port, timeoutMs, cb) => {
  const s = net.connect({ host, port })
  let done = false
  const finish = (r) => { if (done) return; done = true; clearTimeout(t); cb(r) }
  const t = setTimeout(() => { s.destroy(); finish('timeout') }, timeoutMs)
  s.on('connect', () => { s.resetAndDestroy(); finish('ok') })
  s.on('error', (e) => { s.destroy(); finish(e.code ?? 'error') })
}
let streamTimer = null
createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line)
  if (c.op === 'probe') attempt(c.port, c.timeoutMs, (result) => out({ result }))
  else if (c.op === 'rate') {
    let ok = 0, err = 0, live = c.conc
    const t0 = performance.now(), end = t0 + c.ms
    const loop = () => {
      if (performance.now() >= end) { if (--live === 0) out({ ok, err, ms: performance.now() - t0 }); return }
      attempt(c.port, 1000, (r) => { if (r === 'ok') ok++; else err++; loop() })
    }
    for (let i = 0; i < c.conc; i++) loop()
  } else if (c.op === 'stream') {
    let buf = ''
    streamTimer = setInterval(() => {
      const start = process.hrtime.bigint()
      attempt(c.port, c.timeoutMs, (r) => { buf += 'S ' + start + ' ' + (r === 'ok' ? 1 : 0) + ' ' + r + '\n' })
      if (buf !== '') { process.stdout.write(buf); buf = '' }
    }, c.intervalMs)
    out({ streaming: true })
  } else if (c.op === 'stop') { clearInterval(streamTimer); streamTimer = null; setTimeout(() => out({ stopped: true }), c.drainMs ?? 0) }
})
out({ ready: true })
`

/** accepts on every address and port given and closes at once */
const SERVER = String.raw`
import net from 'node:net'
const [host, ...ports] = process.argv.slice(1)
let up = 0
for (const port of ports) {
  const srv = net.createServer((s) => { s.on('error', () => {}); s.destroy() })
  srv.listen({ host, port: Number(port), backlog: 4096 }, () => { if (++up === ports.length) process.stdout.write(JSON.stringify({ ready: true }) + '\n') })
}
`

export interface Worker {
  readonly child: ChildProcess
  /** sends one command and resolves with the next JSON line */
  call<T>(cmd: object): Promise<T>
  /** `S` lines of a stream go here */
  /** `result`: ok, timeout, or the socket error code (ECONNREFUSED, …) */
  onSample: ((startNs: bigint, ok: boolean, result: string) => void) | null
  stop(): void
}

function startIn(netns: string, code: string, args: string[]): { child: ChildProcess; lines: AsyncIterator<string> & { next(): Promise<IteratorResult<string>> } } {
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '--input-type=module', '-e', code, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  return { child, lines }
}

/** Starts the worker in `netns`, aimed at `host`; resolves once it is ready. */
export async function startWorker(netns: string, host: string): Promise<Worker> {
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '--input-type=module', '-e', WORKER, host], { stdio: ['pipe', 'pipe', 'inherit'] })
  const waiting: ((line: string) => void)[] = []
  const w: Worker = {
    child,
    onSample: null,
    call: <T>(cmd: object) =>
      new Promise<T>((resolve) => {
        waiting.push((line) => resolve(JSON.parse(line) as T))
        child.stdin!.write(JSON.stringify(cmd) + '\n')
      }),
    stop: () => stopChild(child),
  }
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker in ${netns} exited (${code})`)))
    waiting.push(() => resolve())
  })
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('S ')) {
      const [, s, ok, result] = line.split(' ')
      w.onSample?.(BigInt(s!), ok === '1', result ?? '')
    } else waiting.shift()?.(line)
  })
  await ready
  return w
}

/** Starts the accept-and-close server in `netns` on `host`:`ports`. */
export async function startServer(netns: string, host: string, ports: readonly number[]): Promise<ChildProcess> {
  const { child, lines } = startIn(netns, SERVER, [host, ...ports.map(String)])
  const first = await lines.next()
  if (first.done || !String(first.value).includes('ready')) throw new Error(`server in ${netns} did not start`)
  return child
}

/** Ends a process this bench started (by its PID: `ip netns exec` execs node, so the PID is node's). */
export function stopChild(child: ChildProcess): void {
  if (child.exitCode === null && child.pid !== undefined) {
    try {
      process.kill(child.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}

/** Runs a command inside a namespace; throws with its stderr on failure unless `mayFail`. */
export function inNetns(netns: string, argv: string[], input?: string, mayFail = false): string {
  const r = spawnSync('ip', ['netns', 'exec', netns, ...argv], { input: input ?? '', encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  if (r.status !== 0 && !mayFail) throw new Error(`${argv.join(' ')} in ${netns} exited ${r.status}: ${r.stderr}`)
  return r.stdout
}

/** The client namespace must not run out of ports: every connection is reset, and the range is widened. */
export function tuneClient(netns: string): void {
  inNetns(netns, ['sysctl', '-q', '-w', 'net.ipv4.ip_local_port_range=1024 65000', 'net.ipv4.tcp_tw_reuse=1'])
}

/** Takes the lab lock, runs `body`, and always removes the lab and releases the lock (also on Ctrl-C). */
export async function withLab<T>(plan: LabPlan, body: () => Promise<T>): Promise<T> {
  const release = await acquireLabLock()
  let cleaned = false
  const cleanup = async () => {
    if (cleaned) return
    cleaned = true
    await labDown().catch((e) => console.error('labDown failed:', e))
    release()
  }
  const onSignal = () => void cleanup().then(() => process.exit(130))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    await labUp(plan)
    return await body()
  } finally {
    await cleanup()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/** A TCP connection from a pod, kept open; each `echo()` sends a byte and waits up to 0.5 s for it to come back. */
export class HeldConnection {
  private readonly child: ChildProcess
  private readonly lines: string[] = []
  private waiters: ((line: string) => void)[] = []
  readonly opened: Promise<string>
  constructor(ns: string, ip: string, portNo: number) {
    this.child = spawn('ip', ['netns', 'exec', ns, 'python3', '-u', '-c', HOLD, ip, String(portNo)], { stdio: ['pipe', 'pipe', 'ignore'] })
    let buf = ''
    this.child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString()
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        const w = this.waiters.shift()
        if (w) w(line)
        else this.lines.push(line)
      }
    })
    this.opened = this.next()
  }
  private next(): Promise<string> {
    const l = this.lines.shift()
    return l !== undefined ? Promise.resolve(l) : new Promise((r) => this.waiters.push(r))
  }
  echo(): Promise<string> {
    this.child.stdin!.write('go\n')
    return this.next()
  }
  close() {
    this.child.kill()
  }
}

const HOLD = `
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
print('connected')
for _ in sys.stdin:
    try:
        s.settimeout(0.5); s.send(b'x'); print('echo' if s.recv(1) == b'x' else 'closed')
    except socket.timeout: print('timeout')
    except OSError as e: print('error', e)
`
const ECHO_SERVER = `
import socket, sys, threading, time
def echo(c):
    try:
        while True:
            d = c.recv(64)
            if not d: break
            c.sendall(d)
    except OSError: pass
    c.close()
def serve(p):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', p)); s.listen(64)
    while True:
        c, _ = s.accept(); threading.Thread(target=echo, args=(c,), daemon=True).start()
for p in sys.argv[1:]: threading.Thread(target=serve, args=(int(p),), daemon=True).start()
time.sleep(3600)
`

/** A TCP echo server on every address of `netns`, one thread per connection (for connections held open). */
export const startEchoServer = (netns: string, ports: readonly number[]): ChildProcess =>
  spawn('ip', ['netns', 'exec', netns, 'python3', '-c', ECHO_SERVER, ...ports.map(String)], { stdio: 'ignore' })
