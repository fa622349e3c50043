import { expect, test } from 'vitest'
import type { Path } from '../model/issues.js'
import { SourceTexts } from '../io/source-texts.js'
import { jsonOffsets, placeFindings } from './place-findings.js'
import type { Finding } from '../analysis/lint/finding.js'
import { loadManifests } from '../io/load-manifests.js'
import { scratchDir } from '../../test/scratch-dir.js'

const scratch = scratchDir('netpol-place-')

const text = '{"items": [\n  {"kind": "A", "x": {"k\\"ey": [1, {"deep": true}]}},\n  {"kind": "B"}\n]}'
const key = (p: Path) => p.map((s) => `\u0000${s}`).join('')

test.each([
  { name: 'the root', path: [], want: 0 },
  { name: 'a key is placed at the key', path: ['items'], want: 1 },
  { name: 'an array element at its first character', path: ['items', 1], want: text.indexOf('{"kind": "B"') },
  { name: 'an escaped key', path: ['items', 0, 'x', 'k"ey'], want: text.indexOf('"k\\"ey') },
  { name: 'deep inside arrays', path: ['items', 0, 'x', 'k"ey', 1, 'deep'], want: text.indexOf('"deep"') },
])('jsonOffsets: $name', ({ path, want }) => {
  expect(jsonOffsets(text, [path])!.get(key(path))).toBe(want)
})

test.each([
  { name: 'a missing path is left out, its ancestors are not', path: ['items', 0, 'nope'], has: [['items', 0]], lacks: [['items', 0, 'nope']] },
  { name: 'siblings off the way are not recorded', path: ['items', 1, 'kind'], has: [['items', 1, 'kind']], lacks: [['items', 0, 'kind']] },
])('jsonOffsets: $name', ({ path, has, lacks }) => {
  const r = jsonOffsets(text, [path])!
  for (const p of has) expect(r.has(key(p))).toBe(true)
  for (const p of lacks) expect(r.has(key(p))).toBe(false)
})

test.each(['{"a": ', '{"a" 1}', '{"a": 1} x', '[1, 2'])('jsonOffsets: malformed %j → null', (bad) => expect(jsonOffsets(bad, [['a']])).toBeNull())

test('placeFindings: YAML documents, a path that does not exist falls back to its deepest ancestor, stdin is placed, text not kept is not', async () => {
  const yaml = 'kind: Namespace\nmetadata: {name: x}\n---\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: x\nspec:\n  podSelector: {}\n'
  const texts = new SourceTexts(new Map([['a.yaml', yaml], ['<stdin>', yaml]]))
  const f = (doc: number, path: Path, file = 'a.yaml'): Finding => ({
    id: 'NP001',
    slug: 's',
    severity: 'info',
    object: { kind: 'NetworkPolicy', namespace: 'x', name: 'p', source: { file, doc } },
    path,
    message: [],
  })
  const r = await placeFindings({ findings: [f(1, ['spec', 'podSelector']), f(1, ['spec', 'egress']), f(1, ['spec'], '<stdin>'), f(0, [], 'cluster kind: NetworkPolicy x/p')], suppressed: [], skipped: [], ran: [] }, texts)
  expect(r.findings.map((x) => [x.object.source?.line, x.location?.line])).toEqual([
    [4, 9],
    [4, 8],
    [4, 8],
    [undefined, undefined],
  ])
})

test('placeFindings: a JSON List parsed while read is placed item by item as the whole kept text places it', async () => {
  const policy = (i: number) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `p-${i}`, namespace: 'x', labels: { note: 'ü'.repeat(300) } }, spec: { podSelector: { matchLabels: { app: `a${i}` } }, ingress: [{ ports: [{ port: 80 }] }] } })
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: Array.from({ length: 2000 }, (_, i) => policy(i)) }, null, 4)
  expect(text.length).toBeGreaterThan(1 << 20)
  const file = scratch.write('big.json', text)
  const loaded = await loadManifests([file], { keepText: true })
  expect(loaded.texts.streamed(file)).toBe(true)
  const f = (i: number, path: Path): Finding => ({ id: 'NP001', slug: 's', severity: 'info', object: { kind: 'NetworkPolicy', namespace: 'x', name: `p-${i}`, source: { file, doc: 0, at: ['items', i] } }, path, message: [] })
  const findings = [f(0, []), f(7, ['spec', 'podSelector', 'matchLabels', 'app']), f(1500, ['spec', 'ingress', 0, 'ports', 0, 'port']), f(1999, ['spec', 'egress']), f(3, ['metadata', 'labels', 'note'])]
  const result = { findings, suppressed: [], skipped: [], ran: [] }
  const whole = new SourceTexts(new Map([[file, text]]))
  const placed = await placeFindings(result, loaded.texts)
  expect(placed).toEqual(await placeFindings(result, whole))
  expect(placed.findings.map((x) => x.object.source?.line !== undefined && (x.path.length === 0 || x.location !== undefined))).toEqual(findings.map(() => true))
})
