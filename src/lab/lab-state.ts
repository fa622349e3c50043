import { link, mkdir, readdir, readFile, readlink, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises'
import type { LabPlan } from './lab-plan.js'
import { labNames, type LabNames } from './lab-names.js'

/**
 * What `labUp` leaves behind for `labDown`/`labStatus`/`probeAll` in other processes: the namespaces it
 * created and the processes it started. Everything else `labDown` needs it can rediscover (namespace
 * prefixes, processes inside lab namespaces), so a missing or damaged file never blocks a teardown.
 */
export const LAB_RUN_DIR = labNames().runDir
export const LAB_STATE_FILE = `${LAB_RUN_DIR}/state.json`
export const LAB_LOG_DIR = `${LAB_RUN_DIR}/logs`

export const stateFile = (lab: LabNames): string => `${lab.runDir}/state.json`
export const logDir = (lab: LabNames): string => `${lab.runDir}/logs`

/** `agent`: the long-running agent of a live lab (`lab up --kubeconfig`), in the host's namespace applying into the node's */
export type LabProcessRole = 'pod-server' | 'sctp-responder' | 'agent'

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
  /** the process that brought the lab up (`netpol lab up` or `lab run`); absent in a state of an older netpol */
  readonly owner?: { readonly pid: number; readonly startTime: string }
}

export async function readLabState(lab: LabNames = labNames()): Promise<LabState | null> {
  try {
    const s = JSON.parse(await readFile(stateFile(lab), 'utf8')) as Partial<LabState>
    return s.version === 1 && Array.isArray(s.namespaces) && Array.isArray(s.processes) ? (s as LabState) : null
  } catch {
    return null
  }
}

/** Written atomically (temporary file + rename). */
export async function writeLabState(state: LabState, lab: LabNames = labNames()): Promise<void> {
  await mkdir(lab.runDir, { recursive: true })
  const tmp = `${stateFile(lab)}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(state))
  await rename(tmp, stateFile(lab))
}

/**
 * Adds a process the lab owns from now on (`labDown` ends it, `labStatus` checks it runs) to the state of a
 * lab that is up; false when the lab has no state (it was removed meanwhile).
 */
export async function addLabProcess(lab: LabNames, p: LabProcess): Promise<boolean> {
  const state = await readLabState(lab)
  if (state === null) return false
  await writeLabState({ ...state, processes: [...state.processes, p] }, lab)
  return true
}

/**
 * Writes `state` only if the lab has no state file: true when this call created it. Exclusive and whole at
 * once (a complete temporary file hard-linked to the name, which fails when the name exists), so two
 * processes bringing up the same lab cannot both win, and a reader never sees half a file.
 */
export async function claimLabState(state: LabState, lab: LabNames): Promise<boolean> {
  const tmp = `${stateFile(lab)}.${process.pid}.claim`
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(lab.runDir, { recursive: true })
      await writeFile(tmp, JSON.stringify(state))
      break
    } catch (err) {
      // the directory was removed by a teardown between mkdir and writeFile
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw err
    }
  }
  try {
    await link(tmp, stateFile(lab))
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  } finally {
    await rm(tmp, { force: true })
  }
}

/** What the host shows of a lab whose state file exists. */
export interface LabFacts {
  /** the process that brought it up still runs (it is building, or it is a `lab run`) */
  readonly ownerAlive: boolean
  readonly deadProcesses: readonly string[]
  readonly missingNamespaces: readonly string[]
}

export type LabLiveness = { readonly kind: 'live' } | { readonly kind: 'stale'; readonly why: string }

/**
 * A lab is live while the process that brings it up runs, and afterwards while it is ready with every
 * namespace and every server of it. Anything else is stale: a crashed `lab up`, a lab whose servers were
 * killed (a reboot empties /run anyway). A stale lab is no one's: `lab up` replaces it, `lab down` removes it.
 */
export function judgeLab(state: Pick<LabState, 'phase'>, facts: LabFacts): LabLiveness {
  if (facts.ownerAlive) return { kind: 'live' }
  const why = [
    ...(state.phase !== 'ready' ? ['it was never finished and the process that built it is gone'] : []),
    ...(facts.deadProcesses.length > 0 ? [`not running: ${facts.deadProcesses.join(', ')}`] : []),
    ...(facts.missingNamespaces.length > 0 ? [`missing namespaces: ${facts.missingNamespaces.join(', ')}`] : []),
  ]
  return why.length === 0 ? { kind: 'live' } : { kind: 'stale', why: why.join('; ') }
}

/** `judgeLab` on what the host shows now. */
export async function labLiveness(state: LabState): Promise<LabLiveness> {
  const ownerAlive = state.owner !== undefined && (await runs(state.owner))
  const deadProcesses: string[] = []
  for (const p of state.processes) if (!(await runs(p))) deadProcesses.push(`${p.role} in ${p.netns}`)
  const present = new Set(await listNetns(state.namespaces))
  return judgeLab(state, { ownerAlive, deadProcesses, missingNamespaces: state.namespaces.filter((n) => !present.has(n)) })
}

/** Removes the state, the servers' logs and the CLI's record of the lab (the directory, when it is then empty). */
export async function removeLabState(lab: LabNames = labNames()): Promise<void> {
  await rm(`${lab.runDir}/cli`, { recursive: true, force: true })
  await rm(logDir(lab), { recursive: true, force: true })
  await rm(stateFile(lab), { force: true })
  await rmdir(lab.runDir).catch(() => undefined)
}

/** The process still runs: same PID and start time, and not a zombie (a killed server nobody reaped yet). */
export async function runs(p: { readonly pid: number; readonly startTime: string }): Promise<boolean> {
  return (await procStartTime(p.pid)) === p.startTime && !(await isZombie(p.pid))
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
