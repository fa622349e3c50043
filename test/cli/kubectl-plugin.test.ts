/**
 * `kubectl netpol …`: kubectl runs the first executable file named `kubectl-netpol` on PATH (exec.LookPath) and
 * passes it the arguments after `netpol`. kubectl is not installed here, so the test does what kubectl does: it
 * finds the file on PATH by name and runs it by name, as npm's bin link installs it. Needs `npm run build`.
 */
import { spawnSync } from 'node:child_process'
import { accessSync, constants, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { delimiter, dirname, join, resolve } from 'node:path'
import { describe, expect, test } from 'vitest'
import { scratchDir } from '../scratch-dir.js'

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; bin: Record<string, string> }
const plugin = resolve(pkg.bin['kubectl-netpol'] ?? 'missing')

/** The first `kubectl-NAME` on `path` that is an executable file, as kubectl's plugin handler looks it up. */
function lookPath(name: string, path: string): string | null {
  for (const dir of path.split(delimiter)) {
    const file = join(dir, `kubectl-${name}`)
    try {
      if (!statSync(file).isFile()) continue
      accessSync(file, constants.X_OK)
      return file
    } catch {
      continue
    }
  }
  return null
}

const run = (args: string[]) => spawnSync(process.execPath, [plugin, ...args], { encoding: 'utf8' })

describe('the kubectl-netpol bin', () => {
  test('package.json installs it beside netpol, from the build output, as a node script', () => {
    expect(pkg.bin).toEqual({ netpol: 'dist/cli/main.js', 'kubectl-netpol': 'dist/cli/kubectl-netpol.js' })
    expect(readFileSync(plugin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  test('--version prints the version of package.json', () => {
    const r = run(['--version'])
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(`${pkg.version}\n`)
  })

  test.each([
    [['--help'], 'Usage: kubectl netpol [options] [command]'],
    [['check', '--help'], 'Usage: kubectl netpol check [options]'],
    [['lab', 'up', '--help'], 'Usage: kubectl netpol lab up [options]'],
  ])('%j says `kubectl netpol` in its usage', (args, usage) => {
    const r = run(args)
    expect(r.status).toBe(0)
    expect(r.stdout.split('\n')[0]).toBe(usage)
  })

  test('a mistake in the command line names the program as the user typed it', () => {
    const r = run(['chek'])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/unknown command 'chek'/)
  })

  test('it runs a command the same as netpol does', () => {
    const args = ['check', '-f', 'examples/three-tier/', '--from', 'frontend/web-7d9', '--to', 'backend/api-5c4', '--port', '8080']
    const a = run(args)
    const b = spawnSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8' })
    expect(a.stdout).not.toBe('')
    expect([a.status, a.stdout, a.stderr]).toEqual([b.status, b.stdout, b.stderr])
  })
})

describe('kubectl finds it on PATH', () => {
  const scratch = scratchDir('netpol-kubectl-plugin-')

  test('the build output is executable, so the link npm puts on PATH can be run by name', () => {
    expect(statSync(plugin).mode & 0o111).not.toBe(0)
    const bin = join(scratch.path(), 'bin')
    mkdirSync(bin)
    // what `npm install -g` does: PREFIX/bin/kubectl-netpol → the package's dist/cli/kubectl-netpol.js
    symlinkSync(plugin, join(bin, 'kubectl-netpol'))
    // a file of that name that is not executable is passed over, as exec.LookPath does
    const earlier = join(scratch.path(), 'earlier')
    mkdirSync(earlier)
    writeFileSync(join(earlier, 'kubectl-netpol'), '#!/bin/sh\necho wrong\n', { mode: 0o644 })
    const path = [earlier, bin, dirname(process.execPath)].join(delimiter)

    expect(lookPath('netpol', path)).toBe(join(bin, 'kubectl-netpol'))
    const r = spawnSync('kubectl-netpol', ['--version'], { encoding: 'utf8', env: { PATH: path } })
    expect(r.error).toBeUndefined()
    expect(r.stdout).toBe(`${pkg.version}\n`)
  })
})
