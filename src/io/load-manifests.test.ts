import { rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { formatIssue } from '../cli/render/format-issue.js'
import { buildCluster } from '../model/build-cluster.js'
import { splitDocuments } from '../model/documents.js'
import { toDotPath } from '../model/issues.js'
import { loadManifests, ManifestCache, STDIN_NAME } from './load-manifests.js'
import { createLocator } from '../model/positions.js'
import { diskReader, type FileReader } from './sources.js'
import { scratchDir } from '../../test/scratch-dir.js'

const scratch = scratchDir('netpol-load-')
const write = scratch.write

const GOOD = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels: { app: web }
status:
  podIP: 10.0.0.5
`

// errors on lines 9 (except) and 12 (port)
const BAD_POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-web, namespace: shop }
spec:
  ingress:
    - from:
        - ipBlock:
            cidr: 10.1.0.0/16
            except: [ 10.2.0.0/16 ]
      ports:
        - protocol: TCP
          port: "80"
`

// a pod without a name (line 4: the metadata key), and one with a bad podIP (line 12)
const BAD_PODS = `apiVersion: v1
kind: Pod
metadata:
  labels: { app: a }
---
apiVersion: v1
kind: Pod
metadata:
  name: b
  namespace: shop
status:
  podIP: 10.0.0.300
`

describe('a directory with errors in 2 of 3 files', () => {
  test('every error is reported with file:line:column', async () => {
    write('a-good.yaml', GOOD)
    const policy = write('b-policy.yaml', BAD_POLICY)
    const pods = write('c/pods.yml', BAD_PODS)
    const r = await loadManifests([scratch.path()])
    expect(r.issues.map((i) => [i.file, i.line, i.column, i.issue.code, toDotPath(i.issue.path)])).toEqual([
      [policy, 9, 23, 'except_outside_cidr', 'spec.ingress[0].from[0].ipBlock.except[0]'],
      [policy, 12, 17, 'invalid_port_name', 'spec.ingress[0].ports[0].port'],
      [pods, 3, 1, 'required', 'metadata.name'],
      [pods, 12, 10, 'invalid_ip', 'status.podIP'],
    ])
    expect(formatIssue(r.issues[0]!)).toBe(
      `${policy}:9:23: NetworkPolicy shop/allow-web: spec.ingress[0].from[0].ipBlock.except[0]: "10.2.0.0/16" must be a strict subset of cidr "10.1.0.0/16" (same family, longer prefix)`,
    )
    // the valid objects are still built
    expect(r.cluster.pods.map((p) => p.name)).toEqual(['web'])
  })
})

describe('paths', () => {
  test('directories are read recursively in sorted order; hidden entries and other extensions are skipped', async () => {
    write('z.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: { name: z }\n')
    write('a/b.json', '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b"}}')
    write('a/a.YML', 'apiVersion: v1\nkind: Pod\nmetadata: { name: a }\n')
    write('.git/x.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: { name: hidden }\n')
    write('.hidden.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: { name: hidden2 }\n')
    write('notes.txt', 'not: a manifest')
    const r = await loadManifests([scratch.path()])
    expect(r.issues).toEqual([])
    expect(r.cluster.pods.map((p) => [p.name, p.source?.file])).toEqual([
      ['a', join(scratch.path(), 'a/a.YML')],
      ['b', join(scratch.path(), 'a/b.json')],
      ['z', join(scratch.path(), 'z.yaml')],
    ])
  })

  test('a file named explicitly is read whatever its extension', async () => {
    const f = write('pods.txt', 'apiVersion: v1\nkind: Pod\nmetadata: { name: a }\n')
    expect((await loadManifests([f])).cluster.pods).toHaveLength(1)
  })

  test('a file reached twice is read once', async () => {
    const f = write('p.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: { name: a }\n')
    const r = await loadManifests([f, scratch.path()])
    expect(r.notes).toEqual([{ code: 'namespace_created', namespace: 'default', referencedBy: 'Pod default/a' }])
  })

  test('a symlink loop does not hang', async () => {
    write('sub/p.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: { name: a }\n')
    symlinkSync(scratch.path(), join(scratch.path(), 'sub', 'loop'))
    expect((await loadManifests([scratch.path()])).cluster.pods).toHaveLength(1)
  })

  test('a missing path is an issue, not an exception', async () => {
    const missing = join(scratch.path(), 'nope.yaml')
    const r = await loadManifests([missing])
    expect(r.issues).toEqual([{ file: missing, doc: 0, issue: { code: 'file_not_found', path: [], file: missing } }])
  })

  test('- reads stdin', async () => {
    const r = await loadManifests(['-'], { stdin: async () => 'apiVersion: v1\nkind: Pod\nmetadata: { name: a, labels: { "bad key": x } }\n' })
    expect(r.issues.map((i) => [i.file, i.line, i.issue.code])).toEqual([[STDIN_NAME, 3, 'invalid_label_key']])
  })
})

describe('positions', () => {
  test('JSON files are located too', async () => {
    const f = write('list.json', '{\n  "kind": "List",\n  "items": [\n    {"apiVersion": "v1", "kind": "Pod",\n     "metadata": {"name": "a"},\n     "status": {"podIP": "x"}}\n  ]\n}\n')
    const r = await loadManifests([f])
    expect(r.issues.map((i) => [i.line, i.column, i.issue.code, toDotPath(i.issue.path)])).toEqual([[6, 26, 'invalid_ip', 'items[0].status.podIP']])
  })

  test('a syntax error keeps its position and the other documents still load', async () => {
    const f = write('mixed.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: { name: a }\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: b\n')
    const r = await loadManifests([f])
    expect(r.issues.map((i) => [i.doc, i.line, i.issue.code])).toEqual([[1, 8, 'yaml_syntax']])
    expect(r.cluster.pods.map((p) => p.name)).toEqual(['a'])
  })
})

describe('large JSON files are parsed while they are read', () => {
  // past the size from which a JSON file is streamed (1 MiB)
  const bigList = (podIp: (i: number) => string) =>
    `${JSON.stringify(
      {
        apiVersion: 'v1',
        items: [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
          ...Array.from({ length: 2500 }, (_, i) => ({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: `web-${i}`, namespace: 'shop', labels: { app: 'web', shard: `s${i % 7}` }, annotations: { note: 'x'.repeat(200) } },
            spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }] },
            status: { phase: 'Running', hostIP: '172.18.0.2', podIP: podIp(i) },
          })),
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'skipped', namespace: 'shop' } },
        ],
        kind: 'List',
        metadata: { resourceVersion: '' },
      },
      null,
      4,
    )}\n`
  const ip = (i: number) => `10.244.${i >> 8}.${i & 255}`

  test('the same cluster and notes as from the whole text', async () => {
    const text = bigList(ip)
    expect(text.length).toBeGreaterThan(1 << 20)
    const f = write('cluster.json', text)
    const r = await loadManifests([f])
    const whole = buildCluster(splitDocuments(f, text).docs)
    expect(r.issues).toEqual([])
    expect(r.cluster.pods).toHaveLength(2500)
    expect(r.cluster).toEqual(whole.cluster)
    expect(r.notes).toEqual(whole.notes)
  })

  test('an issue deep in the file is placed at its line and column', async () => {
    const text = bigList((i) => (i === 2000 ? '10.0.0.300' : ip(i)))
    const f = write('cluster.json', text)
    const at = text.indexOf('"10.0.0.300"')
    const line = text.slice(0, at).split('\n').length
    const column = at - text.lastIndexOf('\n', at)
    const r = await loadManifests([f])
    expect(r.issues.map((i) => [i.line, i.column, i.issue.code, toDotPath(i.issue.path)])).toEqual([[line, column, 'invalid_ip', 'items[2001].status.podIP']])
    expect(r.cluster.pods).toHaveLength(2499)
  })

  test('many bad objects: every issue is placed where the whole-text parser places it, and the text is never read whole', async () => {
    const text = bigList((i) => (i % 100 === 7 ? `10.0.0.${300 + i}` : ip(i)))
    const f = write('cluster.json', text)
    let wholeReads = 0
    const reader: FileReader = { ...diskReader, readText: (file) => (wholeReads++, diskReader.readText(file)) }
    const r = await loadManifests([f], { reader })
    expect(wholeReads).toBe(0)
    expect(r.issues).toHaveLength(25)
    const locate = createLocator(text)
    expect(r.issues.map((i) => [i.line, i.column])).toEqual(r.issues.map((i) => { const p = locate(i.doc, i.issue.path)!; return [p.line, p.column] }))
  })

  test('a large file that is not JSON is read as YAML', async () => {
    const f = write('cluster.yaml', `# ${'x'.repeat(1 << 20)}\n${GOOD}`)
    const r = await loadManifests([f])
    expect(r.issues).toEqual([])
    expect(r.cluster.pods.map((p) => p.name)).toEqual(['web'])
  })
})

describe('positions from where the one parse found each object', () => {
  test('YAML kept for lint: every path is placed where the whole-text parser places it', async () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n- ${GOOD.split('---\n')[1]!.trimEnd().replaceAll('\n', '\n  ')}\n- ${BAD_POLICY.trimEnd().replaceAll('\n', '\n  ')}\n`
    const text = `${GOOD}---\n${list}---\n# a comment\n${BAD_POLICY}`
    const f = write('mixed.yaml', text)
    const r = await loadManifests([f], { keepText: true })
    const docs = splitDocuments(f, text).docs
    const wanted = docs.flatMap((d) => [[], ['metadata', 'name'], ['metadata', 'labels', 'app'], ['spec', 'ingress', 0, 'ports', 0, 'port'], ['spec', 'nope', 'deeper']].map((p) => ({ doc: d.doc, path: [...d.pathPrefix, ...p] })))
    const locate = createLocator(text)
    expect(await r.texts.placeAll(f, wanted)).toEqual(wanted.map((w) => locate(w.doc, w.path)))
    expect(r.issues.length).toBeGreaterThan(2)
    expect(r.issues.every((i) => i.line !== undefined)).toBe(true)
  })
})

describe('a cache across loads (the agent on every change)', () => {
  const pod = (name: string, ip: string) => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: shop, labels: { app: ${name} } }
status: { podIP: ${ip} }
`
  const podNamed = (r: Awaited<ReturnType<typeof loadManifests>>, name: string) => r.cluster.pods.find((p) => p.name === name)

  test('an unchanged file is not parsed again; a changed, added or removed one is', async () => {
    const cache = new ManifestCache()
    write('a.yaml', pod('a', '10.0.0.1'))
    const b = write('b.yaml', pod('b', '10.0.0.2'))
    const first = await loadManifests([scratch.path()], { cache })
    expect(cache.size).toBe(2)
    writeFileSync(b, pod('b', '10.0.0.3'))
    write('c.yaml', pod('c', '10.0.0.4'))
    const second = await loadManifests([scratch.path()], { cache })
    // the same objects where the file did not change: it was not read again
    expect(podNamed(second, 'a')).toBe(podNamed(first, 'a'))
    expect(podNamed(second, 'b')).not.toBe(podNamed(first, 'b'))
    expect(podNamed(second, 'b')!.ips.map((i) => i.value)).toEqual([0x0a000003n])
    expect(second.cluster.pods.map((p) => p.name)).toEqual(['a', 'b', 'c'])
    rmSync(b)
    const third = await loadManifests([scratch.path()], { cache })
    expect(third.cluster.pods.map((p) => p.name)).toEqual(['a', 'c'])
    expect(cache.size).toBe(2)
    // and what the cache gives equals a load without it
    expect(third.cluster).toEqual((await loadManifests([scratch.path()])).cluster)
  })

  test('a file with issues is never kept: its errors come back with their positions every time', async () => {
    const cache = new ManifestCache()
    write('bad.yaml', BAD_POLICY)
    write('good.yaml', GOOD)
    const first = await loadManifests([scratch.path()], { cache })
    const second = await loadManifests([scratch.path()], { cache })
    expect(first.issues.length).toBeGreaterThan(0)
    expect(second.issues).toEqual(first.issues)
    expect(second.issues.every((i) => i.line !== undefined)).toBe(true)
    expect(cache.size).toBe(1)
  })
})
