import { expect, test, vi } from 'vitest'
import { runCli } from '../../../test/cli/cli-harness.js'

// this host lacks nftables, conntrack and ulogd2, whatever it really has: the agent must say so and stop
const lacking = new Set(['nft', 'conntrack', 'ulogd', 'ulogd-json'])
vi.mock('../../agent/host-tools.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../agent/host-tools.js')>()
  return { ...real, missingTools: (tools: readonly string[]) => real.missingTools(tools as never, (t) => !lacking.has(t)) }
})

test.each([
  {
    name: 'enforcing needs nft',
    args: ['-f', 'examples/three-tier', '--all-pods', '--once'],
    err: 'error: netpol agent needs `nft` (the rules): install the Debian package nftables (apt-get install -y nftables)\n',
  },
  {
    name: '--strict and --flow-log need conntrack and ulogd2 too',
    args: ['-f', 'examples/three-tier', '--all-pods', '--once', '--strict', '--flow-log', '-'],
    err:
      "error: netpol agent needs `nft` (the rules), `conntrack` (cutting denied connections), `ulogd` (the flow log), ulogd's JSON output plugin: " +
      'install the Debian packages nftables, conntrack, ulogd2, ulogd2-json (apt-get install -y nftables conntrack ulogd2 ulogd2-json)\n',
  },
  {
    name: '--uninstall needs nft',
    args: ['--uninstall'],
    err: 'error: netpol agent needs `nft` (the rules): install the Debian package nftables (apt-get install -y nftables)\n',
  },
])('$name: named with the Debian packages, exit 2, before anything is tried', async ({ args, err }) => {
  const r = await runCli(['agent', ...args])
  expect(r.err).toBe(err)
  expect(r.code).toBe(2)
})

test('a wrong command line is said first: it needs no package to fix', async () => {
  const r = await runCli(['agent', '-f', 'x.yaml', '--once'])
  expect(r.err).toBe('error: say which pods this node runs: --node-name NODE (or env NODE_NAME), --pod-cidr CIDR (repeatable), --node-ip IP, or --all-pods\n')
  expect(r.code).toBe(2)
})
