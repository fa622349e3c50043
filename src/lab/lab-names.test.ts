import { describe, expect, test } from 'vitest'
import { checkLabName, labNames } from './lab-names.js'
import { planLab } from './lab-plan.js'
import { planNamespaces } from './lab-host.js'
import { judgeLab } from './lab-state.js'
import { LabBusyError } from './lab-host.js'

describe('lab names', () => {
  test.each([
    { name: 'ci', ok: true },
    { name: 'job-1234', ok: true },
    { name: 'a'.repeat(32), ok: true },
    { name: 'a'.repeat(33), ok: false },
    { name: '', ok: false },
    { name: '-x', ok: false },
    { name: 'x-', ok: false },
    { name: 'Upper', ok: false },
    { name: 'a.b', ok: false },
    { name: 'a/b', ok: false },
    { name: 'a b', ok: false },
  ])('$name: $ok', ({ name, ok }) => expect(checkLabName(name) === null).toBe(ok))

  test('a long bad name is cut in the message', () => {
    expect(checkLabName('X'.repeat(10_000))!.length).toBeLessThan(200)
  })

  test('the default lab keeps the names netpol always used', () => {
    const d = labNames()
    expect({ node: d.nodeNetns, ext: d.extNetns, pod: d.podNetns('0123456789'), prefixes: d.netnsPrefixes, dir: d.runDir }).toEqual({
      node: 'netpol-lab-node',
      ext: 'netpol-lab-ext',
      pod: 'npl-0123456789',
      prefixes: ['npl-', 'netpol-lab-'],
      dir: '/run/netpol-lab',
    })
    expect(labNames('default')).toMatchObject({ nodeNetns: 'netpol-lab-node' })
  })

  test("no lab's namespace starts with another lab's prefix", () => {
    const labs = ['default', 'a', 'a-b', 'ab', 'node', 'ext', 'npl', 'netpol', 'b'].map((n) => labNames(n))
    const pods = [{ namespace: 'x', name: 'p', ips: [], ports: [{ port: 80, protocol: 'TCP' as const }] }]
    for (const lab of labs) {
      const plan = planLab(pods, { name: lab.name, externalIps: ['192.0.2.1'] })
      const mine = planNamespaces(plan)
      expect(mine).toHaveLength(3)
      for (const n of mine) expect(lab.netnsPrefixes.some((p) => n.startsWith(p))).toBe(true)
      for (const other of labs) {
        if (other === lab) continue
        for (const n of mine) expect(other.netnsPrefixes.some((p) => n.startsWith(p)), `${n} of ${lab.name} vs ${other.name}`).toBe(false)
      }
      expect(new Set(labs.map((l) => l.runDir)).size).toBe(labs.length)
    }
  })

  test('a named plan: its namespaces and SCTP home carry the name; interfaces stay inside them', () => {
    const plan = planLab([{ namespace: 'x', name: 'p', ips: [], ports: [] }], { name: 'ci-7' })
    expect(plan).toMatchObject({ name: 'ci-7', nodeNetns: 'npl.ci-7.node', bridge: 'nplbr0', sctp: { home: 'npl.ci-7.node' } })
    expect(plan.pods[0]!.netns).toMatch(/^npl\.ci-7\.[0-9a-f]{10}$/)
    expect(plan.pods[0]!.hostVeth.length).toBeLessThanOrEqual(15)
  })
})

describe('live or stale', () => {
  const facts = { ownerAlive: false, deadProcesses: [], missingNamespaces: [] }
  test.each([
    { name: 'being built by a running lab up', phase: 'up' as const, f: { ...facts, ownerAlive: true }, want: 'live' },
    { name: 'ready, its `lab up` exited, servers run', phase: 'ready' as const, f: facts, want: 'live' },
    { name: 'a lab run in progress whose server died', phase: 'ready' as const, f: { ...facts, ownerAlive: true, deadProcesses: ['pod-server in npl-x'] }, want: 'live' },
    { name: 'lab up crashed while building', phase: 'up' as const, f: facts, want: 'stale' },
    { name: 'servers killed', phase: 'ready' as const, f: { ...facts, deadProcesses: ['pod-server in npl-x'] }, want: 'stale' },
    { name: 'a namespace deleted by hand', phase: 'ready' as const, f: { ...facts, missingNamespaces: ['npl-x'] }, want: 'stale' },
  ])('$name: $want', ({ phase, f, want }) => expect(judgeLab({ phase }, f).kind).toBe(want))

  test('why a lab is stale', () => {
    expect(judgeLab({ phase: 'ready' }, { ...facts, deadProcesses: ['pod-server in npl-x'], missingNamespaces: ['npl-y'] })).toEqual({
      kind: 'stale',
      why: 'not running: pod-server in npl-x; missing namespaces: npl-y',
    })
  })
})

test('the busy message says who and since when, and the two ways out', () => {
  expect(new LabBusyError('default', 4242, '2026-12-07T13:00:00.000Z').message).toBe(
    'a lab is already up (pid 4242, since 2026-12-07T13:00:00.000Z); `netpol lab down` or `--name`',
  )
  expect(new LabBusyError('ci', 7, '2026-12-07T13:00:00.000Z').message).toBe(
    'a lab named ci is already up (pid 7, since 2026-12-07T13:00:00.000Z); `netpol lab down --name ci` or another `--name`',
  )
})
