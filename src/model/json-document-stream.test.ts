import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { splitDocuments, type ManifestDoc } from './documents.js'
import { JsonDocumentStream } from './json-document-stream.js'

/** Feeds `bytes` in chunks of `size`; the documents, or null when the stream gave up. */
function stream(bytes: Uint8Array, size: number): ManifestDoc[] | null {
  const docs: ManifestDoc[] = []
  const s = new JsonDocumentStream('f.json', (d) => docs.push(d))
  for (let at = 0; at < bytes.length; at += size) if (!s.write(bytes.subarray(at, at + size))) return null
  return s.end() ? docs : null
}

const utf8 = (text: string) => new TextEncoder().encode(text)
const CHUNKS = [1, 2, 3, 7, 64, 1 << 20]

/** Every chunking gives the documents `splitDocuments` gives, or gives up. */
function expectSameOrGiveUp(text: string): 'same' | 'gave up' {
  const bytes = utf8(text)
  const want = splitDocuments('f.json', text).docs
  const results = CHUNKS.map((n) => stream(bytes, n))
  for (const r of results) if (r !== null) expect(r).toEqual(want)
  // the outcome does not depend on where the chunks end
  expect(new Set(results.map((r) => r === null)).size).toBe(1)
  return results[0] === null ? 'gave up' : 'same'
}

const pod = (name: string) => `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"${name}"}}`

describe('the shapes it streams give the documents splitDocuments gives', () => {
  test.each([
    { name: 'a List', text: `{"apiVersion":"v1","kind":"List","items":[${pod('a')},${pod('b')}],"metadata":{"resourceVersion":""}}` },
    { name: 'items before kind, as kubectl prints them', text: `{\n    "apiVersion": "v1",\n    "items": [\n        ${pod('a')},\n        ${pod('b')}\n    ],\n    "kind": "List"\n}\n` },
    { name: 'any *List', text: `{"kind":"PodList","items":[${pod('a')}]}` },
    { name: 'an empty List', text: '{"kind":"List","items":[ ]}' },
    { name: 'a List in a List', text: `{"kind":"List","items":[{"kind":"List","items":[${pod('a')}]},${pod('b')}]}` },
    { name: 'null items are skipped', text: `{"kind":"List","items":[null,${pod('a')},null]}` },
    { name: 'a top-level array, nested arrays and nulls', text: `[${pod('a')},[${pod('b')},null],null]` },
    { name: 'an empty top-level array', text: ' [ ] ' },
    { name: 'a single object', text: pod('a') },
    { name: 'an object whose items is not an array', text: '{"kind":"List","items":{"a":1}}' },
    { name: 'items deeper than the top object are left alone', text: `{"kind":"Pod","spec":{"items":[1,2]},"metadata":{"name":"a"}}` },
    { name: 'a byte order mark and whitespace first', text: `\ufeff \n\t{"kind":"List","items":[${pod('a')}]}` },
    { name: 'an escaped items key', text: `{"kind":"List","\\u0069tems":[${pod('a')}]}` },
    { name: 'brackets, quotes and backslashes in strings', text: `{"kind":"List","x":"items\\"[","items":[{"kind":"Pod","metadata":{"name":"a","labels":{"k":"]},\\\\\\"["}}}]}` },
    { name: 'multi-byte characters', text: `{"kind":"List","items":[{"kind":"Pod","metadata":{"name":"é","labels":{"ü":"日本語 🎉"}}}]}` },
    { name: 'scalars as items', text: '{"kind":"List","items":[1, "x", true, -2.5e3]}' },
    { name: 'one indented element', text: '[\n  {\n    "kind": "Pod"\n  }\n]' },
    { name: 'indented elements among others', text: `{"kind":"List","items":[\n  {\n    "kind": "Pod",\n    "metadata": {"name": "a"}\n  }, ${pod('b')}, null,\n  {\n  }\n]}` },
    { name: 'an inner object closing at the indentation of the element', text: '[\n  {\n    "a": {\n  }\n  }\n]' },
    { name: 'an element with a brace at its indentation inside a string', text: '[\n  {\n    "a": "\\n  }",\n    "b": 1\n  }\n]' },
  ])('$name', ({ text }) => {
    expect(expectSameOrGiveUp(text)).toBe('same')
  })
})

describe('anything else makes it give up, so that splitDocuments decides', () => {
  test.each([
    { name: 'YAML', text: 'apiVersion: v1\nkind: Pod\n' },
    { name: 'YAML flow syntax', text: '{kind: List, items: [{kind: Pod}]}' },
    { name: 'an empty file', text: '' },
    { name: 'only whitespace', text: ' \n ' },
    { name: 'a trailing comma in the items', text: `{"kind":"List","items":[${pod('a')},]}` },
    { name: 'a missing comma between items', text: `{"kind":"List","items":[${pod('a')} ${pod('b')}]}` },
    { name: 'an empty item', text: `{"kind":"List","items":[,${pod('a')}]}` },
    { name: 'text after the top value', text: `{"kind":"List","items":[]} {}` },
    { name: 'a bracket after the top value', text: `[${pod('a')}]]` },
    { name: 'a truncated file', text: `{"kind":"List","items":[${pod('a')}` },
    { name: 'a truncated string', text: '{"kind":"List","items":["abc' },
    { name: 'an object with items that is not a List', text: `{"kind":"Pod","items":[${pod('a')}]}` },
    { name: 'items given twice', text: `{"kind":"List","items":[${pod('a')}],"items":[${pod('b')}]}` },
    { name: 'a byte order mark after whitespace', text: ` \ufeff{"kind":"List","items":[]}` },
    { name: 'a syntax error outside the items', text: `{"kind":"List" "items":[${pod('a')}]}` },
    { name: 'a control character in a string', text: '{"kind":"List","items":["a\tb"]}' },
    { name: 'text after an indented element', text: '[\n  {\n  }\n  x\n]' },
    { name: 'two indented elements without a comma', text: '[\n  {\n  } {\n  }\n]' },
    { name: 'text before an indented element', text: '[ x\n  {\n  }\n]' },
  ])('$name', ({ text }) => {
    expect(expectSameOrGiveUp(text)).toBe('gave up')
  })
})

describe('properties', () => {
  const chunk = fc.integer({ min: 1, max: 40 })

  test('a List of any JSON values is streamed, whatever the chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.jsonValue(), fc.integer({ min: 0, max: 4 }), fc.oneof(chunk, fc.constant(1 << 20)), (items, meta, indent, size) => {
        const text = JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: meta }, null, indent)
        expect(stream(utf8(text), size)).toEqual(splitDocuments('f.json', text).docs)
      }),
    )
  })

  test('any text gives the documents splitDocuments gives, or gives up', () => {
    const texts = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      // a List, indented or not, with one byte cut out or doubled: mostly not JSON any more
      fc.tuple(fc.array(fc.jsonValue(), { minLength: 1 }), fc.integer({ min: 0, max: 4 }), fc.nat(), fc.boolean()).map(([items, indent, at, cut]) => {
        const t = JSON.stringify({ kind: 'List', items }, null, indent)
        const i = at % t.length
        return cut ? t.slice(0, i) + t.slice(i + 1) : t.slice(0, i + 1) + t.slice(i)
      }),
    )
    fc.assert(
      fc.property(texts, fc.oneof(chunk, fc.constant(1 << 20)), (text, size) => {
        const got = stream(utf8(text), size)
        if (got !== null) expect(got).toEqual(splitDocuments('f.json', text).docs)
      }),
    )
  })
})
