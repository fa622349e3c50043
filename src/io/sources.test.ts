import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { scratchDir } from '../../test/scratch-dir.js'
import { CHECKS, EMPTY_CONFIG, lintCluster } from '../analysis/lint/index.js'
import { placeFindings } from '../report/place-findings.js'
import { formatIssue } from '../cli/render/format-issue.js'
import type { Cluster } from '../model/cluster.js'
import { originOf, type Origin } from '../model/source.js'
import { loadSources, manifestSources } from './load-manifests.js'
import { diskReader, files, gitRevision, objects, stdin, type FileReader, type Source } from './sources.js'

const scratch = scratchDir('netpol-sources-')

const NS = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }
const POD = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] }, status: { podIP: '10.0.0.5' } }
const POLICY = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: {} } }
const yamlOf = (o: unknown) => JSON.stringify(o) + '\n' // JSON is YAML: one document per object
const ALL = [NS, POD, POLICY].map(yamlOf).join('---\n')

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, encoding: 'utf8' })
}

/** A repository at the scratch directory holding `files`, committed and tagged `v1`; the working tree is then emptied. */
function repo(filesAt: Record<string, string>): string {
  const dir = scratch.path()
  git(dir, 'init', '-q')
  for (const [rel, text] of Object.entries(filesAt)) scratch.write(rel, text)
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', 'v1')
  git(dir, 'tag', 'v1')
  git(dir, 'rm', '-q', '-r', '.')
  return dir
}

/** The cluster without where its objects came from: what must be equal whatever the source. */
function content(c: Cluster): unknown {
  const strip = <T extends { source?: unknown }>(xs: Iterable<T>) => [...xs].map(({ source: _, ...rest }) => rest)
  return { namespaces: strip(c.namespaces.values()), pods: strip(c.pods), policies: strip(c.policies), services: strip(c.services) }
}

const cluster = (kind: string, namespace: string | undefined, name: string): Origin => ({ kind: 'cluster', context: 'kind-dev', objectKind: kind, ...(namespace ? { namespace } : {}), name })

describe('every source gives the same cluster, each object with its origin', () => {
  // the expected origins are functions: the scratch directory exists only once a test runs
  const cases: { name: string; source: () => Source; pod: () => Origin; podName: () => string }[] = [
    { name: 'a file', source: () => files([scratch.write('all.yaml', ALL)]), pod: () => ({ kind: 'file', path: join(scratch.path(), 'all.yaml') }), podName: () => join(scratch.path(), 'all.yaml') },
    {
      name: 'a directory',
      source: () => {
        for (const [f, o] of [['ns.yaml', NS], ['sub/pod.json', POD], ['sub/policy.yml', POLICY]] as const) scratch.write(`d/${f}`, yamlOf(o))
        return files([join(scratch.path(), 'd')])
      },
      pod: () => ({ kind: 'file', path: join(scratch.path(), 'd/sub/pod.json') }),
      podName: () => join(scratch.path(), 'd/sub/pod.json'),
    },
    { name: 'stdin', source: () => stdin(async () => ALL), pod: () => ({ kind: 'stdin' }), podName: () => '<stdin>' },
    {
      name: 'a git revision',
      source: () => gitRevision('v1', ['k8s'], repo({ 'k8s/ns.yaml': yamlOf(NS), 'k8s/apps/pod.yaml': yamlOf(POD), 'k8s/policy.json': yamlOf(POLICY), 'k8s/.hidden.yaml': 'kind: [' })),
      pod: () => ({ kind: 'git', rev: 'v1', path: 'k8s/apps/pod.yaml' }),
      podName: () => 'v1:k8s/apps/pod.yaml',
    },
    {
      name: 'a live cluster',
      source: () => objects([NS, POD, POLICY].map((o) => ({ origin: cluster(o.kind, (o.metadata as { namespace?: string }).namespace, o.metadata.name), value: o }))),
      pod: () => cluster('Pod', 'shop', 'web'),
      podName: () => 'cluster kind-dev: Pod shop/web',
    },
  ]
  test.each(cases)('$name', async ({ source, pod, podName }) => {
    const want = content((await loadSources([files([scratch.write('want.yaml', ALL)])])).cluster)
    const r = await loadSources([source()])
    expect(r.issues).toEqual([])
    expect(content(r.cluster)).toEqual(want)
    const p = r.cluster.pods[0]!
    expect(p.source?.file).toBe(podName())
    expect(originOf(p.source!)).toEqual(pod())
  })
})

describe('errors and findings name where the object came from', () => {
  const BAD = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bad, namespace: db}\nspec:\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/33}\n'

  test('an error at a git revision is placed at REV:path:line:col', async () => {
    const dir = repo({ 'k8s/bad.yaml': BAD })
    const r = await loadSources([gitRevision('v1', ['k8s'], dir)])
    expect(r.issues.map(formatIssue)).toEqual(['v1:k8s/bad.yaml:7:23: NetworkPolicy db/bad: spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.0/33" is not a valid CIDR; expected an address and a prefix length such as 10.0.0.0/8 or fd00::/64'])
    expect(r.issues[0]!.origin).toEqual({ kind: 'git', rev: 'v1', path: 'k8s/bad.yaml' })
  })

  test('an error in a live object names the cluster, kind, namespace and name', async () => {
    const value = { ...POLICY, spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] } }
    const r = await loadSources([objects([{ origin: cluster('NetworkPolicy', 'shop', 'deny'), value }])])
    expect(formatIssue(r.issues[0]!)).toMatch(/^cluster kind-dev: NetworkPolicy shop\/deny: spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: /)
  })

  // the lint golden fixture, read from disk, stdin and git: the same findings at the same lines and columns
  const SHOP = readFileSync('test/fixtures/lint/shop.yaml', 'utf8')
  const lintPlaced = async (source: Source) => {
    const r = await loadSources([source], { keepText: true })
    expect(r.issues).toEqual([])
    const placed = await placeFindings(lintCluster(r.cluster, EMPTY_CONFIG), r.texts)
    return placed.findings.map((f) => `${f.id} ${f.object.name} ${f.object.source?.line}:${f.location?.line ?? ''}:${f.location?.column ?? ''}`)
  }
  test.each([
    { name: 'stdin', source: () => stdin(async () => SHOP) },
    { name: 'a git revision', source: () => gitRevision('v1', ['shop.yaml'], repo({ 'shop.yaml': SHOP })) },
  ])('a lint finding on $name is located as on disk', async ({ source }) => {
    const onDisk = await lintPlaced(files(['test/fixtures/lint/shop.yaml']))
    expect(onDisk.some((l) => /:\d+:\d+$/.test(l))).toBe(true)
    expect(CHECKS.length).toBeGreaterThan(0)
    expect(await lintPlaced(source())).toEqual(onDisk)
  })
})

describe('nothing is read twice', () => {
  test('a git revision is read with one ls-tree and one cat-file, whatever the number of files', async () => {
    const dir = repo({ 'k8s/ns.yaml': yamlOf(NS), 'k8s/apps/pod.yaml': yamlOf(POD), 'k8s/policy.json': yamlOf(POLICY) })
    // a git on PATH that logs its subcommand, then runs the real one
    const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim()
    const log = join(dir, '.calls')
    scratch.write('bin/git', `#!/bin/sh\necho "$1" >> ${log}\nexec ${real} "$@"\n`)
    execFileSync('chmod', ['+x', join(dir, 'bin/git')])
    const path = process.env.PATH
    process.env.PATH = `${join(dir, 'bin')}:${path}`
    try {
      const r = await loadSources([gitRevision('v1', ['k8s'], dir)])
      expect(r.cluster.pods).toHaveLength(1)
    } finally {
      process.env.PATH = path
    }
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['ls-tree', 'cat-file'])
  })

  test('loading and placing lint findings reads each file once, whatever the number of paths naming it', async () => {
    const reads = new Map<string, number>()
    const count = (f: string) => reads.set(f, (reads.get(f) ?? 0) + 1)
    const reader: FileReader = {
      version: diskReader.version,
      readText: (f) => (count(f), diskReader.readText(f)),
      chunks: (f, size) => (count(f), diskReader.chunks(f, size)),
    }
    const a = scratch.write('k8s/a.yaml', readFileSync('test/fixtures/lint/shop.yaml', 'utf8'))
    const b = scratch.write('k8s/b.json', readFileSync('test/fixtures/lint/list.json', 'utf8'))
    const r = await loadSources(manifestSources([join(scratch.path(), 'k8s'), a, b], { reader }), { keepText: true })
    expect(r.issues).toEqual([])
    const placed = await placeFindings(lintCluster(r.cluster, EMPTY_CONFIG), r.texts)
    expect(placed.findings.filter((f) => f.location !== undefined).length).toBeGreaterThan(0)
    expect(Object.fromEntries(reads)).toEqual({ [a]: 1, [b]: 1 })
  })
})

describe('a directory on disk and at a git revision give the same files, by the same rules', () => {
  const TREE: Record<string, string> = {
    'k8s/a.yaml': yamlOf(NS),
    'k8s/b.YML': yamlOf(POD),
    'k8s/notes.txt': 'not a manifest',
    'k8s/.hidden/x.yaml': 'kind: [',
    'k8s/.x.yaml': 'kind: [',
    'k8s/kustomization.yaml': 'resources: [a.yaml]\n',
    'k8s/values-prod.yaml': 'replicas: 2\n',
    'k8s/chart/Chart.yaml': 'name: c\n',
    'k8s/chart/templates/p.yaml': '{{ .Values.x }}\n',
    'k8s/sub/c.json': yamlOf(POLICY),
    'explicit.manifest': yamlOf({ ...POLICY, metadata: { name: 'other', namespace: 'shop' } }),
  }
  const shape = async (source: Source, prefix: string) => {
    const r = await loadSources([source])
    const rel = (f: string) => f.slice(prefix.length)
    return {
      issues: r.issues.map((i) => `${i.issue.code} ${rel(i.file)}`),
      notes: r.notes.map((n) => (n.code === 'tool_files_skipped' ? n.files.map((f) => `${f.tool} ${rel(f.file)}`) : n.code)),
      objects: [...r.cluster.namespaces.values(), ...r.cluster.pods, ...r.cluster.policies].map((o) => rel(o.source!.file)),
    }
  }
  test('disk and git agree', async () => {
    for (const [rel, text] of Object.entries(TREE)) scratch.write(`disk/${rel}`, text)
    const disk = await shape(files([join(scratch.path(), 'disk/k8s'), join(scratch.path(), 'disk/explicit.manifest')]), join(scratch.path(), 'disk/'))
    const dir = join(scratch.path(), 'repo')
    execFileSync('mkdir', ['-p', dir])
    git(dir, 'init', '-q')
    for (const [rel, text] of Object.entries(TREE)) scratch.write(`repo/${rel}`, text)
    git(dir, 'add', '-A')
    git(dir, 'commit', '-q', '-m', 'v1')
    const atRev = await shape(gitRevision('HEAD', ['k8s', 'explicit.manifest'], dir), 'HEAD:')
    expect(disk).toEqual({
      issues: ['helm_chart k8s/chart'],
      notes: [['kustomize k8s/kustomization.yaml', 'helm-values k8s/values-prod.yaml']],
      objects: ['k8s/a.yaml', 'k8s/b.YML', 'k8s/sub/c.json', 'explicit.manifest'],
    })
    expect(atRev).toEqual(disk)
  })
})

test('kept texts give the documents as written, from every source, without reading again', async () => {
  const live = objects([{ origin: cluster('NetworkPolicy', 'shop', 'deny'), value: POLICY }])
  const r = await loadSources([stdin(async () => ALL), live], { keepText: true })
  expect(r.texts.documents('<stdin>').map((d) => d.value)).toEqual([NS, POD, POLICY])
  expect(r.texts.documents('cluster kind-dev: NetworkPolicy shop/deny').map((d) => d.value)).toEqual([POLICY])
  expect((await loadSources([stdin(async () => ALL)])).texts.get('<stdin>')).toBeUndefined()
})
