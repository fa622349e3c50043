import { expect, test } from 'vitest'
import { jsonItemSpans } from './json-spans.js'

const slices = (text: string) => {
  const spans = jsonItemSpans(text)
  return spans === null ? null : Object.fromEntries([...spans].map(([k, [a, b]]) => [k.replace('\u0000', '.'), text.slice(a, b)]))
}

test.each([
  ['a List', '{"apiVersion": "v1", "items": [ {"a": "}]\\"x"}, {"b": [1, {"c": null}]} ], "kind": "List"}', { 'items.0': '{"a": "}]\\"x"}', 'items.1': '{"b": [1, {"c": null}]}' }],
  ['an array', '\uFEFF[{"a":1},\n  {"b":2}]', { '0': '{"a":1}', '1': '{"b":2}' }],
  ['an empty List', '{"items": []}', {}],
  ['one object', '{"kind": "NetworkPolicy", "spec": {"items": [1]}}', {}],
])('the items of %s', (_, text, expected) => {
  expect(slices(text)).toEqual(expected)
})

test.each(['{"items": [1, 2', '{"items" [1]}', 'items: [1]', '{"a": tru'])('%s is not such JSON', (text) => {
  expect(jsonItemSpans(text)).toBeNull()
})
