import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { runCli } from './cli-harness.js'

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version

describe('netpol --version', () => {
  test.each([['--version'], ['-V']])('%s prints the version of package.json and exits 0', async (flag) => {
    const r = await runCli([flag])
    expect(r.code).toBe(0)
    expect(r.out).toBe(`${version}\n`)
    expect(r.err).toBe('')
  })

  test('the help lists it', async () => {
    const r = await runCli(['--help'])
    expect(r.out).toMatch(/-V, --version/)
  })
})
