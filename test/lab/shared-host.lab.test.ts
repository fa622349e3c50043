/**
 * Two labs on one host: `netpol lab up|probe|down --name` in separate processes, as two users or two CI jobs
 * would run them. A lab that is up is never torn down by another `lab up` of the same name, and labs of
 * different names do not see each other. Root and the lab's programs (test/requirements.ts); runs the built
 * CLI (`npm run build` first, as `npm test` does).
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { labDown } from '../../src/lab/lab-host.js'
import { labNames } from '../../src/lab/lab-names.js'
import { listNetns, type LabState } from '../../src/lab/lab-state.js'
import { acquireLabLock } from '../lab-lock.js'
import { hostSupports } from '../requirements.js'
import { PROJECT_ROOT, runBuiltCli } from '../cli/built-cli.js'

const canRun = hostSupports('two labs on one host (shared-host.lab.test.ts)', ['ip', 'sysctl', 'nft', 'python3'])
const root = PROJECT_ROOT
const EX = join(root, 'examples/three-tier')
const A = 'shared-a'
const B = 'shared-b'

const netpol = runBuiltCli

const namespacesOf = (name: string) => listNetns(labNames(name).netnsPrefixes)
const stateOf = (name: string) => JSON.parse(readFileSync(`${labNames(name).runDir}/state.json`, 'utf8')) as LabState
const tablesIn = (name: string) => netpolIn(name, ['nft', 'list', 'tables'])
const netpolIn = async (name: string, argv: string[]) => {
  const r = await new Promise<string>((resolve) => {
    const child = spawn('ip', ['netns', 'exec', labNames(name).nodeNetns, ...argv], { stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('close', () => resolve(out))
  })
  return r
}

describe.runIf(canRun).sequential('two labs of different names on one host', () => {
  const releases: (() => void)[] = []
  beforeAll(async () => {
    releases.push(await acquireLabLock({ name: A }), await acquireLabLock({ name: B }))
  })
  afterAll(async () => {
    await labDown(A)
    await labDown(B)
    for (const r of releases) r()
    expect(await listNetns(['npl.shared-'])).toEqual([])
  })

  test('both come up at once, each with its own namespaces and its own agent table', async () => {
    const [a, b] = await Promise.all([netpol(['lab', 'up', '--name', A, '-f', EX]), netpol(['lab', 'up', '--name', B, '-f', EX])])
    expect(a.err).toBe('')
    expect(b.err).toBe('')
    expect(a.out).toContain(`in namespace npl.${A}.node`)
    expect(b.out).toContain(`agent (enforce): rules applied to table inet netpol in npl.${B}.node`)
    expect([a.code, b.code]).toEqual([0, 0])
    const [nsA, nsB] = [await namespacesOf(A), await namespacesOf(B)]
    // 8 pods, the node and the outside hosts of the example's ipBlocks, each lab its own
    expect(nsA).toHaveLength(10)
    expect(nsB).toHaveLength(10)
    expect(nsA).toContain(`npl.${A}.ext`)
    expect(nsA.filter((n) => nsB.includes(n))).toEqual([])
    expect(await tablesIn(A)).toContain('table inet netpol')
    expect(await tablesIn(B)).toContain('table inet netpol')
  }, 120_000)

  test('lab up of a name that is up: exit 2, who and since when, the running lab untouched', async () => {
    const before = stateOf(A)
    const nsBefore = await namespacesOf(A)
    const r = await netpol(['lab', 'up', '--name', A, '-f', EX])
    expect(r.err).toBe(`error: a lab named ${A} is already up (pid ${before.owner!.pid}, since ${before.createdAt}); \`netpol lab down --name ${A}\` or another \`--name\`\n`)
    expect(r.code).toBe(2)
    expect(stateOf(A)).toEqual(before)
    expect(await namespacesOf(A)).toEqual(nsBefore)
    // a lab run of that name changes nothing either, and removes nothing on its way out
    const run = await netpol(['lab', 'run', '--name', A, '-f', EX])
    expect(run.code).toBe(2)
    expect(run.err).toContain(`a lab named ${A} is already up`)
    expect(stateOf(A)).toEqual(before)
  }, 60_000)

  test('both probed at once: every cell agrees in each', async () => {
    const [a, b] = await Promise.all([netpol(['lab', 'probe', '--name', A]), netpol(['lab', 'probe', '--name', B])])
    expect(a.out).toMatch(/\d+ cells measured, (\d+) agree, 0 disagree, 0 failed/)
    expect(b.out).toMatch(/\d+ cells measured, (\d+) agree, 0 disagree, 0 failed/)
    expect([a.code, b.code]).toEqual([0, 0])
  }, 120_000)

  test('lab down of one leaves the other working', async () => {
    const down = await netpol(['lab', 'down', '--name', A])
    expect(down.out).toMatch(new RegExp(`^lab down ${A}: removed 10 namespaces, ended \\d+ processes\n$`))
    expect(down.code).toBe(0)
    expect(await namespacesOf(A)).toEqual([])
    expect(await namespacesOf(B)).toHaveLength(10)
    const probe = await netpol(['lab', 'probe', '--name', B])
    expect(probe.out).toMatch(/0 disagree, 0 failed/)
    expect(probe.code).toBe(0)
    expect(await netpol(['lab', 'probe', '--name', A])).toMatchObject({ code: 2, err: `error: no lab named ${A} is up: run \`netpol lab up --name ${A} -f PATH...\` first\n` })
  }, 120_000)

  test('a lab whose servers are gone is stale: lab up replaces it with a note; lab down says it removed a stale lab', async () => {
    const killServers = (name: string) => {
      for (const p of stateOf(name).processes) process.kill(-p.pid, 'SIGKILL')
    }
    killServers(B)
    await new Promise((r) => setTimeout(r, 200))
    const old = stateOf(B)
    const up = await netpol(['lab', 'up', '--name', B, '-f', EX])
    expect(up.err).toMatch(new RegExp(`^note: removing a stale lab \\(pid ${old.owner!.pid}, since ${old.createdAt.replace(/\./g, '\\.')}\\): not running: `))
    expect(up.code).toBe(0)
    expect(stateOf(B).createdAt).not.toBe(old.createdAt)

    killServers(B)
    await new Promise((r) => setTimeout(r, 200))
    const down = await netpol(['lab', 'down', '--name', B])
    expect(down.out).toMatch(new RegExp(`^lab down ${B}: removed a stale lab \\(pid \\d+, since .*; not running: .*\\): 10 namespaces, ended \\d+ processes\\n$`))
    expect(down.code).toBe(0)
    expect(await namespacesOf(B)).toEqual([])
  }, 120_000)
})
