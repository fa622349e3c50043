/**
 * CPU time spent in the kernel's nftables code, from `perf record -a -e cpu-clock` (a software clock: the VM has
 * no hardware counters, so no instruction count). The samples of the nf_tables functions (rule evaluation, set
 * lookups, expressions), divided by the connections made while sampling, give the ruleset's CPU per connection,
 * which the load of other processes on the machine does not change (unlike the connection rate). Root; used by
 * bench/conn-rate.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'

/** The functions of nf_tables: the ruleset's own cost per packet (conntrack, routing and the stack are not in it). */
export const NFT_SYMBOL = /^(__)?nft_|^nf_tables_|pipapo/

export const perfAvailable = (): boolean => spawnSync('perf', ['--version'], { encoding: 'utf8' }).status === 0

export interface KernelProfile {
  /** µs of CPU (all CPUs) in nf_tables functions */
  readonly nftUs: number
  /** the nf_tables functions with the most samples, with their µs */
  readonly top: readonly { readonly symbol: string; readonly us: number }[]
}

/** Samples every CPU at `hz` until the returned stop() resolves it. */
export function startProfile(file: string, hz = 4000): { stop(): Promise<KernelProfile | null> } {
  const child: ChildProcess = spawn('perf', ['record', '-q', '-a', '-e', 'cpu-clock', '-F', String(hz), '-o', file], { stdio: 'ignore' })
  return {
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          const out = spawnSync('perf', ['report', '-i', file, '--stdio', '-q', '-n', '--sort', 'sym', '--percent-limit', '0'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
          // the whole report stays beside the data, for a closer look
          writeFileSync(`${file}.txt`, out.stdout)
          rmSync(file, { force: true })
          rmSync(`${file}.old`, { force: true })
          resolve(out.status === 0 ? parseReport(out.stdout, hz) : null)
        })
        child.kill('SIGINT')
      }),
  }
}

/** `perf report -n --sort sym` lines: `  1.23%   456  [k] symbol`. */
export function parseReport(text: string, hz: number): KernelProfile {
  const bySymbol = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^\s*[\d.]+%\s+(\d+)\s+\[k\]\s+(\S+)/.exec(line)
    if (m === null || !NFT_SYMBOL.test(m[2]!)) continue
    bySymbol.set(m[2]!, (bySymbol.get(m[2]!) ?? 0) + Number(m[1]))
  }
  const us = (samples: number) => (samples * 1e6) / hz
  const total = [...bySymbol.values()].reduce((a, b) => a + b, 0)
  const top = [...bySymbol].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([symbol, n]) => ({ symbol, us: us(n) }))
  return { nftUs: us(total), top }
}

/**
 * CPU time (ns) that the threads of processes `pids` have run so far (`/proc/PID/task/TID/schedstat`), kernel
 * work included: the packets a process sends through veth are processed in its own softirq, so the client's and
 * the server's CPU per connection is the connection's cost, whatever else the machine is doing.
 */
export function cpuNs(pids: readonly number[]): number {
  let total = 0
  for (const pid of pids) {
    let tids: string[] = []
    try {
      tids = readdirSync(`/proc/${pid}/task`)
    } catch {
      continue
    }
    for (const tid of tids) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
      } catch {
        // the thread ended
      }
    }
  }
  return total
}
