import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { labDown } from '../src/lab/lab-host.js'
import { DEFAULT_LAB_NAME } from '../src/lab/lab-names.js'

/**
 * One lab of a name at a time: labs of one name share their namespaces' names, so two test files (or two
 * test runs) that build the same lab at once would tear down each other's. Every test file that calls
 * labUp (or `netpol lab up|run`) takes the lock of that lab's name first; labs of different names
 * (`--name`, lab-names.ts) run at once. A directory is the lock (mkdir is atomic); it holds the owner's PID,
 * and a lock whose owner is gone is taken over. Whoever holds the lock owns the lab of that name: a lab
 * left behind by a crashed run is removed on taking it.
 */
export const LAB_TEST_LOCK = '/run/netpol-lab-test.lock'

export const labTestLock = (name: string = DEFAULT_LAB_NAME): string => (name === DEFAULT_LAB_NAME ? LAB_TEST_LOCK : `/run/netpol-lab-test.${name}.lock`)

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const statMs = (path: string): number | null => {
  try {
    return statSync(path).mtimeMs
  } catch {
    return null
  }
}

/** Resolves with the release function once this process holds the lock of lab `name`; rejects after `timeoutMs`. */
export async function acquireLabLock(opts: { name?: string; timeoutMs?: number } = {}): Promise<() => void> {
  const LAB_TEST_LOCK = labTestLock(opts.name)
  const timeoutMs = opts.timeoutMs ?? 30 * 60_000
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      mkdirSync(LAB_TEST_LOCK)
      writeFileSync(`${LAB_TEST_LOCK}/pid`, String(process.pid))
      await labDown(opts.name)
      return () => rmSync(LAB_TEST_LOCK, { recursive: true, force: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    let owner = NaN
    try {
      owner = Number(readFileSync(`${LAB_TEST_LOCK}/pid`, 'utf8'))
    } catch {
      // being created or removed right now
    }
    // no PID after 10 s: its owner died between mkdir and writing it
    const orphan = Number.isNaN(owner) && Date.now() - (statMs(LAB_TEST_LOCK) ?? Date.now()) > 10_000
    if ((Number.isInteger(owner) && owner > 0 && !alive(owner)) || orphan) rmSync(LAB_TEST_LOCK, { recursive: true, force: true })
    else if (Date.now() > deadline) throw new Error(`lab lock ${LAB_TEST_LOCK} still held by PID ${owner} after ${timeoutMs} ms`)
    else await new Promise((r) => setTimeout(r, 250))
  }
}
