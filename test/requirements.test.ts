import { describe, expect, test } from 'vitest'
import { missingTools, packageHint } from '../src/agent/host-tools.js'
import { browserDecision, hostDecision } from './requirements.js'

describe('which Debian packages a missing tool needs', () => {
  test.each([
    { missing: ['nft'] as const, want: 'Debian package nftables (apt-get install -y nftables)' },
    { missing: ['nft', 'conntrack'] as const, want: 'Debian packages nftables, conntrack (apt-get install -y nftables conntrack)' },
    { missing: ['ulogd', 'ulogd-json'] as const, want: 'Debian packages ulogd2, ulogd2-json (apt-get install -y ulogd2 ulogd2-json)' },
    { missing: ['ip', 'python3'] as const, want: 'Debian packages iproute2, python3 (apt-get install -y iproute2 python3)' },
  ])('$missing', ({ missing, want }) => expect(packageHint(missing)).toBe(want))

  test('missingTools keeps the order given and names each tool once', () => {
    expect(missingTools(['nft', 'ip', 'conntrack', 'nft'], (t) => t === 'ip')).toEqual(['nft', 'conntrack'])
  })
})

describe('run, skip with one line, or fail', () => {
  const what = 'the lab (x.test.ts)'
  test.each([
    { name: 'root, nothing missing', env: {}, uid: 0, missing: [], want: { kind: 'run' } },
    { name: 'root, CI, nothing missing', env: { CI: 'true' }, uid: 0, missing: [], want: { kind: 'run' } },
    { name: 'not root: skipped silently', env: {}, uid: 1000, missing: ['nft'], want: { kind: 'skip', message: null } },
    { name: 'not root under CI: skipped silently, as before', env: { CI: '1' }, uid: 1000, missing: [], want: { kind: 'skip', message: null } },
    {
      name: 'root, packages missing: one line',
      env: {},
      uid: 0,
      missing: ['nft', 'conntrack'],
      want: { kind: 'skip', message: 'skipped: the lab (x.test.ts) needs Debian packages nftables, conntrack (apt-get install -y nftables conntrack)' },
    },
    { name: 'CI=false is not CI', env: { CI: 'false' }, uid: 0, missing: ['nft'], want: { kind: 'skip' } },
    { name: 'CI=0 is not CI', env: { CI: '0' }, uid: 0, missing: ['nft'], want: { kind: 'skip' } },
    {
      name: 'root under CI, packages missing: fails',
      env: { CI: 'true' },
      uid: 0,
      missing: ['nft'],
      want: { kind: 'fail', message: 'the lab (x.test.ts) needs Debian package nftables (apt-get install -y nftables); CI is set, which requires these tests to run (tools: nft, ip)' },
    },
    {
      name: 'NETPOL_REQUIRE_LAB=1, packages missing: fails',
      env: { NETPOL_REQUIRE_LAB: '1' },
      uid: 0,
      missing: ['ulogd-json'],
      want: { kind: 'fail', message: expect.stringMatching(/^the lab \(x.test.ts\) needs Debian package ulogd2-json \(apt-get install -y ulogd2-json\); NETPOL_REQUIRE_LAB=1 requires/) },
    },
    { name: 'NETPOL_REQUIRE_LAB=1 without root: fails', env: { NETPOL_REQUIRE_LAB: '1' }, uid: 1000, missing: [], want: { kind: 'fail', message: expect.stringContaining('needs root') } },
  ])('$name', ({ env, uid, missing, want }) => {
    expect(hostDecision(what, ['nft', 'ip'], env, uid, missing as never)).toEqual(want.kind === 'skip' && !('message' in want) ? { kind: 'skip', message: expect.any(String) } : want)
  })
})

describe('the browser tests: Debian chromium, no root', () => {
  const what = 'the page (x.test.ts)'
  const need = 'the page (x.test.ts) needs Debian packages chromium, fonts-wqy-microhei (apt-get install -y chromium fonts-wqy-microhei)'
  test.each([
    { name: 'present', env: {}, present: true, want: { kind: 'run' } },
    { name: 'missing: one line', env: {}, present: false, want: { kind: 'skip', message: `skipped: ${need}` } },
    { name: 'missing under CI: fails', env: { CI: 'true' }, present: false, want: { kind: 'fail', message: `${need}; CI is set, which requires these tests to run` } },
  ])('$name', ({ env, present, want }) => expect(browserDecision(what, env, present)).toEqual(want))
})
