import type { ChildProcess } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { createInterface } from 'node:readline'
import type { Protocol } from '../model/port.js'
import { mapLimit, nodeCommand, nodeEntryArgs, projectRoot, pythonCommand, sctpHelperPath, spawn } from './lab-exec.js'
import { resolveLabSource, type LabPlan } from './lab-plan.js'

export interface ProbeTarget {
  readonly ip: string
  readonly port: number
  readonly protocol: Protocol
}

/**
 * ok: connected / echoed / INIT-ACK. refused: TCP RST, ICMP unreachable, SCTP ABORT. timeout: no answer
 * within the timeout (what a dropping firewall looks like). error: the probe could not be made (no source
 * address of that family, unknown source, prober failure); `error` says why.
 */
export type ProbeOutcome = 'ok' | 'refused' | 'timeout' | 'error'

export interface ProbeResult extends ProbeTarget {
  /** as given: a pod id (namespace/name) or an external address */
  readonly source: string
  readonly result: ProbeOutcome
  readonly ms: number
  readonly error?: string
}

export interface ProbeProgress {
  readonly done: number
  readonly total: number
}

export interface ProbeOptions {
  /** per probe, default 300 ms (pod↔pod RTT on the bridge is ~25 µs) */
  readonly timeoutMs?: number
  /** TCP/UDP probes in flight per source, default 64; SCTP probes in flight over all sources: 4× that */
  readonly inFlight?: number
  /** TCP/UDP source probers running at once, default twice the number of cores (a prober mostly waits) */
  readonly parallel?: number
  readonly onProgress?: (p: ProbeProgress) => void
}

interface Job {
  readonly source: string
  readonly netns: string
  readonly addresses: readonly string[]
  readonly targets: readonly ProbeTarget[]
}

/**
 * Probes every target from its source through real sockets and yields exactly one result per target,
 * as results arrive. A source is a pod id (namespace/name) or an external address of the plan.
 *   TCP, UDP: one pod-prober process per source inside the source's namespace, `parallel` at a time.
 *   SCTP: one sctp_raw.py process for all sources (it opens its raw sockets inside each source's
 *         namespace), so a source costs no extra process start.
 * Never throws for a bad source or a failing prober: those targets come back as `error`. Breaking out of
 * the loop stops the probers.
 */
export async function* probeAll(
  plan: LabPlan,
  targetsBySource: ReadonlyMap<string, readonly ProbeTarget[]> | Readonly<Record<string, readonly ProbeTarget[]>>,
  opts: ProbeOptions = {},
): AsyncIterable<ProbeResult> {
  const entries = [...(targetsBySource instanceof Map ? targetsBySource.entries() : Object.entries(targetsBySource))] as [string, readonly ProbeTarget[]][]
  const total = entries.reduce((n, [, ts]) => n + ts.length, 0)
  const timeoutMs = opts.timeoutMs ?? 300
  const inFlight = opts.inFlight ?? 64
  const queue: ProbeResult[] = []
  const children = new Set<ChildProcess>()
  let wake: (() => void) | null = null
  let done = 0
  let finished = false
  let stopped = false

  const push = (source: string, t: ProbeTarget, result: ProbeOutcome, ms: number, error?: string): void => {
    queue.push({ ip: t.ip, port: t.port, protocol: t.protocol, source, result, ms, ...(error === undefined ? {} : { error }) })
    done++
    opts.onProgress?.({ done, total })
    wake?.()
  }

  const sockets: Job[] = []
  const sctp: Job[] = []
  for (const [source, targets] of entries) {
    const where = resolveLabSource(plan, source)
    if (where === null) {
      for (const t of targets) push(source, t, 'error', 0, 'not a pod or external address of the lab')
      continue
    }
    const split = (p: (t: ProbeTarget) => boolean): Job => ({ source, netns: where.netns, addresses: where.addresses, targets: targets.filter(p) })
    sockets.push(split((t) => t.protocol !== 'SCTP'))
    sctp.push(split((t) => t.protocol === 'SCTP'))
  }

  /** Runs a helper, feeds it `input`, hands each JSON line to `onLine`; resolves with how it ended. */
  const runHelper = async (command: string, args: string[], input: string, onLine: (line: Record<string, unknown>) => void): Promise<string> => {
    if (stopped) return 'stopped'
    const child = spawn(command, args, { cwd: projectRoot, stdio: ['pipe', 'pipe', 'pipe'] })
    children.add(child)
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        onLine(JSON.parse(line) as Record<string, unknown>)
      } catch {
        // not a result line
      }
    })
    child.stdin?.on('error', () => {})
    child.stdin?.end(input)
    const how = await new Promise<string>((resolve) => {
      child.once('error', (err) => resolve(err.message))
      child.once('close', (code, sig) => resolve(`${code ?? sig}`))
    })
    children.delete(child)
    return `${command.split('/').pop()} exited (${how})${stderr.trim() === '' ? '' : `: ${stderr.trim().split('\n').pop()}`}`
  }

  /** Reports every target `reported` lacks as an error (a helper died or was stopped). */
  const fillIn = (job: Job, reported: ReadonlySet<number>, why: string): void =>
    job.targets.forEach((t, i) => reported.has(i) || push(job.source, t, 'error', 0, why))

  const runSockets = async (job: Job): Promise<void> => {
    if (job.targets.length === 0) return
    const reported = new Set<number>()
    const spec = { sources: job.addresses, timeoutMs, inFlight, targets: job.targets.map((t) => ({ ip: t.ip, port: t.port, protocol: t.protocol })) }
    const how = await runHelper('ip', ['netns', 'exec', job.netns, nodeCommand, ...(await proberArgs)], JSON.stringify(spec), (r) => {
      const i = r.i as number
      const t = job.targets[i]
      if (t === undefined || reported.has(i)) return
      reported.add(i)
      push(job.source, t, r.result as ProbeOutcome, r.ms as number, r.error as string | undefined)
    })
    fillIn(job, reported, how)
  }

  const runSctp = async (): Promise<void> => {
    const jobs = sctp.filter((j) => j.targets.length > 0)
    if (jobs.length === 0) return
    const reported = jobs.map(() => new Set<number>())
    const spec = {
      timeoutMs,
      inFlight: 4 * inFlight,
      sources: jobs.map((j) => ({ netns: j.netns, addresses: j.addresses, targets: j.targets.map((t) => ({ ip: t.ip, port: t.port })) })),
    }
    const how = await runHelper(pythonCommand(), [sctpHelperPath(), 'probe'], JSON.stringify(spec), (r) => {
      const s = r.s as number
      const i = r.i as number
      const t = jobs[s]?.targets[i]
      if (t === undefined || reported[s]!.has(i)) return
      reported[s]!.add(i)
      push(jobs[s]!.source, t, r.result as ProbeOutcome, r.ms as number, r.error as string | undefined)
    })
    jobs.forEach((j, s) => fillIn(j, reported[s]!, how))
  }

  const proberArgs = nodeEntryArgs('pod-prober')
  const work = Promise.all([runSctp(), mapLimit(sockets, opts.parallel ?? 2 * availableParallelism(), runSockets)]).finally(() => {
    finished = true
    wake?.()
  })
  work.catch(() => {})
  try {
    for (;;) {
      if (queue.length > 0) {
        yield* queue.splice(0)
        continue
      }
      if (finished) break
      await new Promise<void>((r) => (wake = r))
      wake = null
    }
    await work
  } finally {
    stopped = true
    for (const c of children) c.kill('SIGKILL')
  }
}
