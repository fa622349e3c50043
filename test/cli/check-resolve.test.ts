import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { runCli } from './cli-harness.js'

const EX = 'examples/three-tier'

describe('netpol check --resolve, --resolve-file', () => {
  test('a domain name as --to takes its addresses from --resolve', async () => {
    const r = await runCli(['check', '-f', EX, '--from', 'frontend/web-7d9', '--to', 'example.com:443', '--resolve', 'example.com=203.0.113.9'])
    expect(r.err).toBe('')
    expect(r.out.split('\n')[0]).toMatch(/^(ALLOWED|DENIED) {2}frontend\/web-7d9 → example\.com {2}port 443\/TCP {2}\(10\.\S+ → 203\.0\.113\.9\)$/)
  })
  test('and from --resolve-file; mistakes name file:line:col, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpol-resolve-'))
    const good = join(dir, 'hosts')
    writeFileSync(good, '# names\nexample.com 203.0.113.9\n')
    const ok = await runCli(['check', '-f', EX, '--from', 'frontend/web-7d9', '--to', 'example.com:443', '--resolve-file', good])
    expect(ok.err).toBe('')
    const bad = join(dir, 'bad')
    writeFileSync(bad, 'example.com 203.0.113\n')
    const r = await runCli(['check', '-f', EX, '--from', 'frontend/web-7d9', '--to', 'example.com:443', '--resolve-file', bad])
    expect([r.code, r.err]).toEqual([2, `error: ${bad}:1:13: "203.0.113" is not an IP address\n`])
  })
  test('a name without a resolution is exit 2 with what to give', async () => {
    const r = await runCli(['check', '-f', EX, '--from', 'frontend/web-7d9', '--to', 'example.com:443'])
    expect([r.code, r.err]).toEqual([2, "error: --to example.com:443: netpol does not look names up; give the name's addresses with --resolve example.com=IP[,IP] or --resolve-file\n"])
  })
})
