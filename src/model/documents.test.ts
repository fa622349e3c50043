import { describe, expect, test } from 'vitest'
import { splitDocuments } from './documents.js'

const summary = (text: string) =>
  splitDocuments('f.yaml', text).docs.map((d) => ({ doc: d.doc, prefix: d.pathPrefix, name: (d.value as { metadata?: { name?: string } }).metadata?.name }))

describe('splitting', () => {
  test.each([
    { name: 'one YAML document', text: 'kind: Pod\nmetadata: { name: a }\n', want: [{ doc: 0, prefix: [], name: 'a' }] },
    {
      name: 'empty documents are skipped but still counted',
      text: '---\nkind: Pod\nmetadata: { name: a }\n---\n# nothing\n---\nkind: Pod\nmetadata: { name: b }\n---\n',
      want: [{ doc: 0, prefix: [], name: 'a' }, { doc: 2, prefix: [], name: 'b' }],
    },
    {
      name: 'a YAML List is flattened into its items',
      text: 'kind: Pod\nmetadata: { name: a }\n---\napiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata: { name: b }\n- kind: Pod\n  metadata: { name: c }\n',
      want: [{ doc: 0, prefix: [], name: 'a' }, { doc: 1, prefix: ['items', 0], name: 'b' }, { doc: 1, prefix: ['items', 1], name: 'c' }],
    },
    { name: 'any *List with items', text: 'kind: PodList\nitems: [{ kind: Pod, metadata: { name: a } }]\n', want: [{ doc: 0, prefix: ['items', 0], name: 'a' }] },
    { name: 'an empty List has no objects', text: 'kind: List\nitems: []\n', want: [] },
    { name: 'a JSON object', text: ' {"kind": "Pod", "metadata": {"name": "a"}}', want: [{ doc: 0, prefix: [], name: 'a' }] },
    {
      name: 'a JSON List',
      text: '{"kind":"List","items":[{"kind":"Pod","metadata":{"name":"a"}},{"kind":"Pod","metadata":{"name":"b"}}]}',
      want: [{ doc: 0, prefix: ['items', 0], name: 'a' }, { doc: 0, prefix: ['items', 1], name: 'b' }],
    },
    { name: 'a top-level JSON array', text: '[{"kind":"Pod","metadata":{"name":"a"}}]', want: [{ doc: 0, prefix: [0], name: 'a' }] },
    { name: 'YAML flow text starting with { is not JSON but still read', text: '{kind: Pod, metadata: {name: a}}', want: [{ doc: 0, prefix: [], name: 'a' }] },
    { name: 'an empty file', text: '', want: [] },
    { name: 'a byte order mark before JSON', text: '\ufeff{"kind":"Pod","metadata":{"name":"a"}}', want: [{ doc: 0, prefix: [], name: 'a' }] },
  ])('$name', ({ text, want }) => {
    expect(summary(text)).toEqual(want)
  })

  test('dates and YAML 1.1 words stay strings; merge keys work', () => {
    const [d] = splitDocuments('f.yaml', 'base: &b { x: "1" }\nm:\n  <<: *b\n  day: 2024-01-02\n  word: yes\n').docs
    expect(d!.value).toEqual({ base: { x: '1' }, m: { x: '1', day: '2024-01-02', word: 'yes' } })
  })
})

describe('syntax errors', () => {
  test.each([
    { name: 'a key indented under a scalar', text: 'kind: Pod\nmetadata:\n  name: a\n   labels: x\n', line: 3 },
    { name: 'unclosed flow map', text: 'kind: Pod\nmetadata: { name: a\n', line: 3 },
    { name: 'tab indentation', text: 'kind: Pod\nmetadata:\n\tname: a\n', line: 3 },
    { name: 'broken JSON', text: '{\n  "kind": "Pod",\n  "metadata": {"name" "a"}\n}\n', line: 3 },
    { name: 'JSON missing its closing brace', text: '{\n  "kind": "Pod",\n  "metadata": {"name": "a"}\n', line: 4 },
  ])('$name: reported as yaml_syntax with its line', ({ text, line }) => {
    const { issues } = splitDocuments('f.yaml', text)
    expect(issues.length).toBeGreaterThan(0)
    expect(issues[0]!.issue.code).toBe('yaml_syntax')
    expect(issues[0]!.line).toBe(line)
    expect(issues[0]!.column).toBeGreaterThan(0)
  })

  test.each([
    { name: 'at the top', text: 'kind: Pod\nkind: Service\n', line: 2, path: ['kind'] },
    { name: 'in a nested mapping inside a list', text: 'kind: Pod\nspec:\n  containers:\n    - name: a\n      name: b\n', line: 5, path: ['spec', 'containers', 0, 'name'] },
    { name: 'in a flow mapping', text: 'kind: Pod\nmetadata: { name: a, "name": b }\n', line: 2, path: ['metadata', 'name'] },
  ])('a duplicate key $name: duplicate_key with the key and its path', ({ text, line, path }) => {
    const { issues } = splitDocuments('f.yaml', text)
    expect(issues.map((i) => [i.issue, i.line])).toEqual([[{ code: 'duplicate_key', path, key: path[path.length - 1] }, line]])
  })

  test('a tag the core schema does not know is an error of its document only', () => {
    const { docs, issues } = splitDocuments('f.yaml', 'a: 1\n---\nkind: Pod\nd: !!timestamp 2020-01-01\n---\nb: 2\n')
    expect(docs.map((d) => d.doc)).toEqual([0, 2])
    expect(issues.map((i) => [i.issue.code, i.doc, i.line])).toEqual([['yaml_syntax', 1, 4]])
  })

  test('a broken document does not hide the others', () => {
    const text = 'kind: Pod\nmetadata: { name: a }\n---\nkind: Pod\nmetadata: { name: b\n---\nkind: Pod\nmetadata: { name: c }\n'
    const { docs, issues } = splitDocuments('f.yaml', text)
    expect(docs.map((d) => [d.doc, (d.value as { metadata: { name: string } }).metadata.name])).toEqual([[0, 'a'], [2, 'c']])
    expect(issues.map((i) => [i.issue.code, i.doc])).toEqual([['yaml_syntax', 1]])
  })
})
