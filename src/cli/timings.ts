/**
 * Phase timings for benchmarks: with NETPOL_TIMINGS=1 each phase's wall time and CPU time (all threads), the
 * process's CPU time and the peak RSS are printed on stderr as one JSON line when the process exits. Costs
 * nothing otherwise.
 */
const enabled = process.env.NETPOL_TIMINGS === '1'
const phases: Record<string, number> = {}
const cpuPhases: Record<string, number> = {}
let last = performance.now()
let lastCpu = enabled ? cpuNow() : 0

function cpuNow(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

export function phase(name: string): void {
  if (!enabled) return
  const now = performance.now()
  const cpu = cpuNow()
  phases[name] = (phases[name] ?? 0) + (now - last)
  cpuPhases[name] = (cpuPhases[name] ?? 0) + (cpu - lastCpu)
  last = now
  lastCpu = cpu
}

const rounded = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v)]))

if (enabled) {
  process.on('exit', () => {
    phase('write')
    const u = process.resourceUsage()
    // CPU time (all threads, the collector's included) tells the process's own cost apart on a shared machine
    const cpuMs = Math.round((u.userCPUTime + u.systemCPUTime) / 1000)
    process.stderr.write(`NETPOL_TIMINGS ${JSON.stringify({ uptimeMs: Math.round(performance.now()), phasesMs: rounded(phases), phasesCpuMs: rounded(cpuPhases), cpuMs, maxRssMB: Math.round(u.maxRSS / 1024) })}\n`)
  })
}
