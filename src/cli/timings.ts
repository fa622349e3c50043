/**
 * Phase timings for benchmarks: with NETPOL_TIMINGS=1 each phase's wall time, the CPU time and the peak RSS are printed on
 * stderr as one JSON line when the process exits. Costs nothing otherwise.
 */
const enabled = process.env.NETPOL_TIMINGS === '1'
const phases: Record<string, number> = {}
let last = performance.now()

export function phase(name: string): void {
  if (!enabled) return
  const now = performance.now()
  phases[name] = (phases[name] ?? 0) + (now - last)
  last = now
}

if (enabled) {
  process.on('exit', () => {
    phase('write')
    const ms = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)]))
    const u = process.resourceUsage()
    // CPU time (all threads, the collector's included) tells the process's own cost apart on a shared machine
    const cpuMs = Math.round((u.userCPUTime + u.systemCPUTime) / 1000)
    process.stderr.write(`NETPOL_TIMINGS ${JSON.stringify({ uptimeMs: Math.round(performance.now()), phasesMs: ms, cpuMs, maxRssMB: Math.round(u.maxRSS / 1024) })}\n`)
  })
}
