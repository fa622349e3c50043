import { existsSync } from 'node:fs'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { runCli } from '../../../test/cli/cli-harness.js'
import { planLab } from '../../lab/lab-plan.js'
import { labTools } from './lab.js'

// this host lacks nftables and python3, whatever it really has: the lab must stop before it builds anything
const lacking = new Set(['nft', 'python3'])
vi.mock('../../agent/host-tools.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../agent/host-tools.js')>()
  return { ...real, missingTools: (tools: readonly string[]) => real.missingTools(tools as never, (t) => !lacking.has(t)) }
})

afterEach(() => vi.restoreAllMocks())
const asRoot = () => vi.spyOn(process as { getuid(): number }, 'getuid').mockReturnValue(0)

describe('what a lab needs on the host', () => {
  const withPods = planLab([{ namespace: 'x', name: 'a', ips: [], ports: [{ port: 80, protocol: 'TCP' }] }])
  test.each([
    { name: 'with the agent', agent: true, plan: withPods, want: ['ip', 'sysctl', 'nft', 'python3'] },
    { name: '--no-agent: no nft', agent: false, plan: withPods, want: ['ip', 'sysctl', 'python3'] },
    { name: 'no pod: no SCTP responder, no python3', agent: true, plan: planLab([]), want: ['ip', 'sysctl', 'nft'] },
  ])('$name', ({ agent, plan, want }) => expect(labTools(plan, agent)).toEqual(want))
})

describe('netpol lab checks before it builds', () => {
  test.each([
    { name: 'lab up', args: ['lab', 'up', '-f', 'examples/three-tier'] },
    { name: 'lab run', args: ['lab', 'run', '-f', 'examples/three-tier'] },
    { name: 'lab up --name', args: ['lab', 'up', '--name', 'ci-1', '-f', 'examples/three-tier'] },
  ])('$name: missing programs named with their Debian packages, exit 2, nothing built', async ({ args }) => {
    asRoot()
    const r = await runCli(args)
    expect(r.err).toBe(
      'error: netpol lab needs `nft` (the rules), `python3` (the SCTP responder): install the Debian packages nftables, python3 (apt-get install -y nftables python3)\n',
    )
    expect(r.code).toBe(2)
    expect(existsSync('/run/netns/npl.ci-1.node')).toBe(false)
    expect(existsSync('/run/netpol-lab.ci-1')).toBe(false)
  })

  test('--no-agent needs no nft', async () => {
    asRoot()
    const r = await runCli(['lab', 'up', '--no-agent', '--name', 'ci-1', '-f', 'examples/three-tier'])
    expect(r.err).toMatch(/^error: netpol lab needs `python3` \(the SCTP responder\): install the Debian package python3 \(apt-get install -y python3\)\n$/)
    expect(r.code).toBe(2)
  })

  test.each([['up', '-f', 'examples/three-tier'], ['probe'], ['down'], ['run', '-f', 'examples/three-tier']])('lab %s --name that cannot name a lab: usage error', async (sub, ...rest) => {
    asRoot()
    const r = await runCli(['lab', sub, '--name', 'No/Good', ...rest])
    expect(r.err).toBe("error: --name: \"No/Good\" is not a lab name: 1-32 characters of a-z, 0-9 and '-', starting and ending with a letter or digit\n")
    expect(r.code).toBe(2)
  })
})
