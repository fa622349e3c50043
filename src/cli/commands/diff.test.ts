import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { runCli } from '../../../test/cli/cli-harness.js'
import { expectGolden } from '../../../test/golden.js'

const BEFORE = 'test/fixtures/diff/before'
const AFTER = 'test/fixtures/diff/after'
const GOLDEN = 'test/fixtures/diff/golden'

describe('netpol diff OLD NEW: golden output', () => {
  test.each([
    { output: 'text', golden: 'diff.txt' },
    { output: 'json', golden: 'diff.json' },
    { output: 'md', golden: 'diff.md' },
  ])('-o $output', async ({ output, golden }) => {
    const r = await runCli(['diff', BEFORE, AFTER, '-o', output])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expectGolden(r.out, `${GOLDEN}/${golden}`)
  })

  test('the reverse diff swaps allowed and denied', async () => {
    const fwd = JSON.parse((await runCli(['diff', BEFORE, AFTER, '-o', 'json'])).out)
    const rev = JSON.parse((await runCli(['diff', AFTER, BEFORE, '-o', 'json'])).out)
    expect(rev.summary).toEqual({ allowed: fwd.summary.denied, denied: fwd.summary.allowed })
  })

  test('no change between a directory and itself', async () => {
    const r = await runCli(['diff', BEFORE, BEFORE, '--fail-on', 'any'])
    expect(r.code).toBe(0)
    expect(r.out).toContain('No connection between pods present on both sides changes.')
  })

  test('--cluster: manifests shared by both sides, under the two policy files', async () => {
    const r = await runCli(['diff', `${BEFORE}/policies.yaml`, `${AFTER}/policies.yaml`, '--cluster', `${BEFORE}/cluster.yaml`, '-o', 'json'])
    expect(r.code).toBe(0)
    const j = JSON.parse(r.out)
    expect(j.pods).toEqual({ added: [], removed: [], relabeled: [] })
    expect(j.policies).toEqual([
      { policy: 'api/allow-web-metrics', status: 'added' },
      { policy: 'db/allow-api', status: 'changed' },
      { policy: 'web/egress', status: 'removed' },
    ])
    // web/frontend-b is on both sides now, in the class of web/frontend-a
    expect(j.classes.find((c: { namespace: string }) => c.namespace === 'web').pods).toEqual(['web/frontend-a', 'web/frontend-b'])
  })

  test('--port limits the comparison', async () => {
    const r = JSON.parse((await runCli(['diff', BEFORE, AFTER, '--port', '5432', '-o', 'json'])).out)
    expect(r.ports).toEqual(['5432/TCP'])
    expect(r.changes.map((c: { change: string; ports: string[] }) => `${c.change} ${c.ports}`)).toEqual(['allowed 5432/TCP', 'denied 5432/TCP'])
  })
})

describe('--fail-on gates CI', () => {
  test.each([
    { failOn: 'added', code: 1 },
    { failOn: 'removed', code: 1 },
    { failOn: 'any', code: 1 },
  ])('$failOn when both kinds exist → exit $code', async ({ failOn, code }) => {
    expect((await runCli(['diff', BEFORE, AFTER, '--fail-on', failOn])).code).toBe(code)
  })
  test.each([
    { failOn: 'added', code: 0 },
    { failOn: 'removed', code: 1 },
  ])('only newly denied connections (after → before on 9090): --fail-on $failOn exits $code', async ({ failOn, code }) => {
    // on 9090 connections only become allowed going forward, so going backward they only become denied
    expect((await runCli(['diff', AFTER, BEFORE, '--port', '9090', '--fail-on', failOn])).code).toBe(code)
  })
})

describe('bad command lines exit 2', () => {
  test.each([
    { name: 'one side only', args: ['diff', BEFORE], err: 'error: diff: give OLD and NEW (files or directories), or --git REV..REV -f PATH\n' },
    { name: '-f without --git', args: ['diff', BEFORE, AFTER, '-f', BEFORE], err: 'error: -f names the paths to read at git revisions: use it with --git (for manifests shared by both sides, use --cluster)\n' },
    { name: '--git with paths', args: ['diff', '--git', 'HEAD', BEFORE, '-f', BEFORE], err: 'error: diff --git reads the -f paths at the revisions: give no OLD/NEW paths\n' },
    { name: 'an unknown --fail-on', args: ['diff', BEFORE, AFTER, '--fail-on', 'some'], err: /argument 'some' is invalid/ },
  ])('$name', async ({ args, err }) => {
    const r = await runCli(args)
    expect(r.code).toBe(2)
    if (typeof err === 'string') expect(r.err).toBe(err)
    else expect(r.err).toMatch(err)
  })
})

describe('netpol diff --git', () => {
  let repo = ''
  const cwd = process.cwd()
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } })
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'netpol-diff-'))
    git('init', '-q', '-b', 'main')
    cpSync(resolve(BEFORE), join(repo, 'k8s'), { recursive: true })
    writeFileSync(join(repo, 'k8s', 'NOTES.txt'), 'not a manifest\n')
    git('add', '.')
    git('commit', '-q', '-m', 'before')
    git('checkout', '-q', '-b', 'change')
    rmSync(join(repo, 'k8s'), { recursive: true })
    cpSync(resolve(AFTER), join(repo, 'k8s'), { recursive: true })
    git('add', '-A')
    git('commit', '-q', '-m', 'after')
    git('tag', 'after')
    process.chdir(repo)
  })
  afterAll(() => {
    process.chdir(cwd)
    rmSync(repo, { recursive: true, force: true })
  })

  test('REV..REV reads both sides from git and equals the diff of the two directories', async () => {
    const fromGit = await runCli(['diff', '--git', 'main..change', '-f', 'k8s', '-o', 'json'])
    process.chdir(cwd)
    const fromDirs = await runCli(['diff', BEFORE, AFTER, '-o', 'json'])
    process.chdir(repo)
    expect(fromGit.err).toBe('')
    expect(fromGit.code).toBe(0)
    expect(JSON.parse(fromGit.out)).toEqual(JSON.parse(fromDirs.out))
  })

  test('REV...REV starts at the merge base; an empty side is HEAD', async () => {
    const a = await runCli(['diff', '--git', 'main...', '-f', 'k8s/', '-o', 'json'])
    const b = await runCli(['diff', '--git', 'main..change', '-f', './k8s', '-o', 'json'])
    expect(a.code).toBe(0)
    expect(JSON.parse(a.out)).toEqual(JSON.parse(b.out))
  })

  test('REV alone compares with the working tree', async () => {
    // an uncommitted edit: every policy is gone
    writeFileSync(join(repo, 'k8s', 'policies.yaml'), '')
    const r = await runCli(['diff', '--git', 'after', '-f', 'k8s', '-o', 'json'])
    git('reset', '-q', '--hard', 'after')
    expect(r.code).toBe(0)
    const j = JSON.parse(r.out)
    expect(j.policies.map((p: { policy: string; status: string }) => `${p.policy} ${p.status}`)).toEqual(['api/allow-frontend removed', 'api/allow-web-metrics removed', 'api/default-deny removed', 'db/allow-api removed'])
    expect(j.summary.denied.groups).toBe(0)
    expect(j.summary.allowed.groups).toBeGreaterThan(0)
  })

  test('a single file path is read whatever its extension; a path missing on one side is read as empty', async () => {
    writeFileSync(join(repo, 'extra.manifest'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: db}\nspec: {podSelector: {}}\n')
    git('add', 'extra.manifest')
    git('commit', '-q', '-m', 'extra')
    const r = await runCli(['diff', '--git', 'after..HEAD', '-f', 'k8s', '-f', 'extra.manifest', '-o', 'json'])
    git('reset', '-q', '--hard', 'after')
    expect(r.err).toBe('note: extra.manifest does not exist at after; read as empty\n')
    expect(JSON.parse(r.out).policies).toEqual([{ policy: 'db/deny', status: 'added' }])
  })

  test.each([
    { name: 'an unknown revision', args: ['--git', 'nope..change', '-f', 'k8s'], err: /^error: --git: unknown revision "nope"/ },
    { name: 'a path at neither revision', args: ['--git', 'main..change', '-f', 'nothing-here'], err: /^error: -f nothing-here: no such path at main nor at change/ },
    { name: 'no -f', args: ['--git', 'main..change'], err: /^error: diff --git: name the manifests to compare with -f PATH/ },
  ])('$name exits 2', async ({ args, err }) => {
    const r = await runCli(['diff', ...args])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(err)
  })

  test('a broken manifest at a revision is reported at REV:path:line:column', async () => {
    writeFileSync(join(repo, 'k8s', 'policies.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bad, namespace: db}\nspec:\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/33}\n')
    git('commit', '-q', '-am', 'broken')
    const r = await runCli(['diff', '--git', 'after..HEAD', '-f', 'k8s'])
    git('reset', '-q', '--hard', 'after')
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/^error: HEAD:k8s\/policies\.yaml:7:\d+: NetworkPolicy db\/bad: spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: /)
    expect(r.err).toMatch(/1 error in the input at HEAD; nothing was compared\n$/)
  })
})
