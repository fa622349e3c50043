import { afterEach, describe, expect, test, vi } from 'vitest'
import { parseCli } from '../../test/cli/cli-harness.js'

describe('agent --mode and NETPOL_MODE', () => {
  afterEach(() => vi.unstubAllEnvs())

  test.each([
    { env: undefined, args: [], mode: 'enforce' },
    { env: 'audit', args: [], mode: 'audit' },
    { env: 'enforce', args: [], mode: 'enforce' },
    // the command line wins over the environment
    { env: 'audit', args: ['--mode', 'enforce'], mode: 'enforce' },
    { env: 'enforce', args: ['--mode', 'audit'], mode: 'audit' },
  ])('NETPOL_MODE=$env, args $args: mode $mode', async ({ env, args, mode }) => {
    if (env === undefined) vi.stubEnv('NETPOL_MODE', undefined)
    else vi.stubEnv('NETPOL_MODE', env)
    const r = await parseCli(['agent', '--all-pods', ...args])
    expect(r.err).toBe('')
    expect(r.command).toEqual(['agent'])
    expect(r.opts?.mode).toBe(mode)
  })

  test('a value that is not a mode is refused, naming the variable', async () => {
    vi.stubEnv('NETPOL_MODE', 'Enforce')
    const r = await parseCli(['agent', '--all-pods'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/value 'Enforce' from env 'NETPOL_MODE' is invalid\. Allowed choices are enforce, audit\./)
  })

  test('the lab does not read it: its agent mode is its own flag', async () => {
    vi.stubEnv('NETPOL_MODE', 'audit')
    const r = await parseCli(['lab', 'up', '-f', 'x'])
    expect(r.command).toEqual(['lab', 'up'])
    expect(r.opts?.mode).toBe('enforce')
  })
})

describe('parseCli', () => {
  test('an unknown option is refused as `run` refuses it', async () => {
    const r = await parseCli(['agent', '--no-such-flag'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/unknown option '--no-such-flag'/)
  })
})
