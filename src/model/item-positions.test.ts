import { dump } from 'js-yaml'
import { describe, expect, test } from 'vitest'
import { parseDocument } from './build-cluster.js'
import type { Path } from './issues.js'
import { placeInItems } from './item-positions.js'
import { JsonDocumentStream } from './json-document-stream.js'
import { createLocator } from './positions.js'
import { splitDocuments } from './documents.js'
import { placeInTextItems } from './text-item-positions.js'

const utf8 = (text: string) => new TextEncoder().encode(text)

/** The issues of `text` streamed in chunks of `size`, placed from the item spans, beside the whole-text parser's places. */
async function bothWays(text: string, size: number) {
  const bytes = utf8(text)
  const issues: { doc: number; path: Path }[] = []
  const s = new JsonDocumentStream('f.json', (d) => {
    for (const i of parseDocument(d).issues) issues.push({ doc: i.doc, path: i.issue.path })
  })
  for (let at = 0; at < bytes.length; at += size) expect(s.write(bytes.subarray(at, at + size))).toBe(true)
  expect(s.end()).toBe(true)
  const chunks = function* () {
    for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size)
  }
  const streamed = await placeInItems(s.spans(), chunks(), issues)
  const whole = createLocator(text)
  return { issues, streamed, whole: issues.map((i) => whole(i.doc, i.path)) }
}

const pod = (name: string, ip: string, extra = '') => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: 'wéb 🎉' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] }, status: { podIP: ip, podIPs: [{ ip }], phase: 'Running', extra } })
const pods = [pod('a', '10.0.0.1'), pod('b', '10.0.0.999'), pod('ü', '10.0.0.3', 'x'), pod('c', 'not-an-ip', '日本')]
const badPolicy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'default' }, spec: { podSelector: { matchLabels: { app: 7 } }, ingress: [{ ports: [{ port: 0 }] }] } }
const noName = { apiVersion: 'v1', kind: 'Pod', metadata: {}, status: { podIP: '1.2.3.4' } }
const list = (items: unknown[], indent?: number) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } }, null, indent)

describe('issues placed from the streaming parse are where the whole-text parser places them', () => {
  test.each([
    { name: 'a kubectl List, indented as kubectl prints it', text: list([...pods, badPolicy, noName], 4) },
    { name: 'a compact List on one line', text: list([...pods, badPolicy, noName]) },
    { name: 'a List indented with tabs, CRLF line ends and a BOM', text: `\ufeff${list([...pods, badPolicy], '\t' as unknown as number).replaceAll('\n', '\r\n')}` },
    { name: 'a top-level array', text: JSON.stringify([pods[1], badPolicy], null, 2) },
    { name: 'a List in a List', text: list([JSON.parse(list([pods[1]!], 2)), badPolicy], 2) },
  ])('$name', async ({ text }) => {
    for (const size of [1, 7, 64, 1 << 20]) {
      const { issues, streamed, whole } = await bothWays(text, size)
      expect(issues.length).toBeGreaterThan(2)
      expect(streamed).toEqual(whole)
      expect(streamed.every((p) => p !== undefined)).toBe(true)
    }
  })
})

/** The issues of YAML `text`, placed from the spans of the one js-yaml parse, beside the whole-text parser's places. */
function bothWaysYaml(text: string) {
  const split = splitDocuments('f.yaml', text)
  expect(split.issues).toEqual([])
  expect(split.spans).toBeDefined()
  const issues = split.docs.flatMap((d) => parseDocument(d).issues.map((i) => ({ doc: i.doc, path: i.issue.path })))
  const whole = createLocator(text)
  return { issues, streamed: placeInTextItems(text, split.docs, split.spans!, issues), whole: issues.map((i) => whole(i.doc, i.path)) }
}

const objects = [...pods, badPolicy, noName]
describe('issues placed from the one YAML parse are where the whole-text parser places them', () => {
  test.each([
    { name: 'multi-document YAML (one object per document)', text: objects.map((o) => dump(o)).join('---\n') },
    { name: 'multi-document YAML, comments, an empty document and a document start on the line', text: `# head\n${objects.map((o, i) => (i % 2 ? `--- ${JSON.stringify(o)}\n` : `---\n# c\n${dump(o, { flowLevel: i % 3 === 0 ? 2 : -1 })}`)).join('---\n\n')}` },
    { name: 'a kubectl List as YAML (items not indented)', text: dump({ apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } }, { noArrayIndent: true }) },
    { name: 'a List with indented items, CRLF line ends and a BOM', text: `\ufeff${dump({ apiVersion: 'v1', kind: 'List', items: objects }).replaceAll('\n', '\r\n')}` },
    { name: 'a List of flow objects', text: `kind: List\nitems:\n${objects.map((o) => `  - ${JSON.stringify(o)}\n`).join('  # between\n')}` },
    { name: 'a top-level sequence', text: `${dump([pods[1], badPolicy])}---\n${dump([noName])}` },
  ])('$name', ({ text }) => {
    const { issues, streamed, whole } = bothWaysYaml(text)
    expect(issues.length).toBeGreaterThan(2)
    expect(streamed).toEqual(whole)
    expect(streamed.every((p) => p !== undefined)).toBe(true)
  })
})
