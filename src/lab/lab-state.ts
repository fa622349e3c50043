import { mkdir, readdir, readFile, readlink, rename, rm, stat, writeFile } from 'node:fs/promises'
import type { LabPlan } from './lab-plan.js'

/**
 * What `labUp` leaves behind for `labDown`/`labStatus`/`probeAll` in other processes: the namespaces it
 * created and the processes it started. Everything else `labDown` needs it can rediscover (namespace
 * prefixes, processes inside lab namespaces), so a missing or damaged file never blocks a teardown.
 */
export const LAB_RUN_DIR = '/run/netpol-lab'
export const LAB_STATE_FILE = `${LAB_RUN_DIR}/state.json`
export const LAB_LOG_DIR = `${LAB_RUN_DIR}/logs`

export type LabProcessRole = 'pod-server' | 'sctp-responder'

export interface LabProcess {
  readonly pid: number
  /** /proc/PID/stat starttime: tells our process from a later one that reused the PID */
  readonly startTime: string
  readonly netns: string
  readonly role: LabProcessRole
}

export interface LabState {
  readonly version: 1
  readonly createdAt: string
  /** `up` while labUp runs, `ready` once every server answered */
  readonly phase: 'up' | 'ready'
  readonly namespaces: readonly string[]
  readonly processes: readonly LabProcess[]
  readonly plan: LabPlan
}

export async function readLabState(): Promise<LabState | null> {
  try {
    const s = JSON.parse(await readFile(LAB_STATE_FILE, 'utf8')) as Partial<LabState>
    return s.version === 1 && Array.isArray(s.namespaces) && Array.isArray(s.processes) ? (s as LabState) : null
  } catch {
    return null
  }
}

/** Written atomically (temporary file + rename). */
export async function writeLabState(state: LabState): Promise<void> {
  await mkdir(LAB_RUN_DIR, { recursive: true })
  const tmp = `${LAB_STATE_FILE}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(state))
  await rename(tmp, LAB_STATE_FILE)
}

export async function removeLabState(): Promise<void> {
  await rm(LAB_STATE_FILE, { force: true })
  await rm(LAB_LOG_DIR, { recursive: true, force: true })
}

/** Field 22 of /proc/PID/stat, or null when the process does not exist. */
export async function procStartTime(pid: number): Promise<string | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8')
    // the command name (field 2) may contain spaces and parentheses: split after the last ')'
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}

/** The names of the namespaces in /run/netns that start with one of `prefixes`. */
export async function listNetns(prefixes: readonly string[]): Promise<string[]> {
  try {
    return (await readdir('/run/netns')).filter((n) => prefixes.some((p) => n.startsWith(p))).sort()
  } catch {
    return []
  }
}

/** PIDs of every process whose network namespace is one of the named ones (what `ip netns pids` does, in one pass). */
export async function pidsInNetns(names: readonly string[]): Promise<Map<number, string>> {
  const byInode = new Map<string, string>()
  for (const n of names) {
    try {
      byInode.set(`net:[${(await stat(`/run/netns/${n}`)).ino}]`, n)
    } catch {
      // not mounted (any more)
    }
  }
  const out = new Map<number, string>()
  if (byInode.size === 0) return out
  for (const entry of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      const ns = byInode.get(await readlink(`/proc/${entry}/ns/net`))
      if (ns !== undefined) out.set(Number(entry), ns)
    } catch {
      // exited meanwhile, or a kernel thread
    }
  }
  return out
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Sends SIGTERM to each process (and its process group: lab processes lead their own), waits up to
 * `graceMs`, then SIGKILLs what is left. Resolves once all are gone.
 */
export async function terminate(pids: readonly number[], graceMs = 1000): Promise<void> {
  const signal = (pid: number, sig: NodeJS.Signals): void => {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, sig)
      } catch {
        // no such process (group)
      }
    }
  }
  const alive = async (pid: number) => (await procStartTime(pid)) !== null && !(await isZombie(pid))
  for (const pid of pids) signal(pid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  let left = [...pids]
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(20)
    left = (await Promise.all(left.map(async (p) => ((await alive(p)) ? p : -1)))).filter((p) => p > 0)
  }
  for (const pid of left) signal(pid, 'SIGKILL')
  while (left.length > 0) {
    await sleep(10)
    left = (await Promise.all(left.map(async (p) => ((await alive(p)) ? p : -1)))).filter((p) => p > 0)
  }
}

async function isZombie(pid: number): Promise<boolean> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8')
    return text.slice(text.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return false
  }
}
