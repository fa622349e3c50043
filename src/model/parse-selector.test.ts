import { expect, test } from 'vitest'
import { toDotPath } from './issues.js'
import { selectorMatches } from './label-selector.js'
import { parseSelector, parseSelectorMap } from './parse-selector.js'

const issuesOf = (r: ReturnType<typeof parseSelector>): [string, string][] => (r.ok ? [] : r.issues.map((i) => [i.code, toDotPath(i.path)]))

test.each<{ name: string; input: unknown; want: [string, string][] }>([
  { name: 'matchLabels not a map', input: { matchLabels: ['a'] }, want: [['wrong_type', 'sel.matchLabels']] },
  { name: 'matchExpressions not a list', input: { matchExpressions: {} }, want: [['wrong_type', 'sel.matchExpressions']] },
  { name: 'expression not an object', input: { matchExpressions: ['a in (b)'] }, want: [['wrong_type', 'sel.matchExpressions[0]']] },
  { name: 'value not a string', input: { matchExpressions: [{ key: 'a', operator: 'In', values: [1] }] }, want: [['wrong_type', 'sel.matchExpressions[0].values[0]']] },
  { name: 'several problems in one expression', input: { matchExpressions: [{ key: '', operator: 'In', values: [] }] }, want: [['invalid_label_key', 'sel.matchExpressions[0].key'], ['values_required', 'sel.matchExpressions[0].values']] },
  { name: 'unknown requirement field', input: { matchExpressions: [{ key: 'a', operator: 'Exists', value: 'x' }] }, want: [['unknown_field', 'sel.matchExpressions[0].value']] },
  { name: 'a selector that is a string', input: 'app=web', want: [['wrong_type', 'sel']] },
])('rejects: $name', ({ input, want }) => {
  expect(issuesOf(parseSelector(input, ['sel']))).toEqual(want)
})

test.each<{ name: string; input: unknown; labels: Record<string, string>; want: boolean }>([
  { name: 'null is the empty selector', input: null, labels: { any: 'thing' }, want: true },
  { name: '{} matches everything', input: {}, labels: {}, want: true },
  { name: 'matchLabels', input: { matchLabels: { app: 'web' } }, labels: { app: 'web', x: 'y' }, want: true },
  { name: 'matchLabels and expressions are ANDed', input: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels: { app: 'web' }, want: false },
  { name: 'NotIn matches a missing key', input: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] }, labels: {}, want: true },
  { name: 'empty label value', input: { matchLabels: { flag: '' } }, labels: { flag: '' }, want: true },
  { name: 'null label value is empty', input: { matchLabels: { flag: null } }, labels: { flag: '' }, want: true },
])('accepts: $name', ({ input, labels, want }) => {
  const r = parseSelector(input, [])
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  expect(selectorMatches(r.value, labels)).toBe(want)
})

test('a plain label map selector (Service, ReplicationController)', () => {
  const r = parseSelectorMap({ app: 'web', tier: 'fe' }, ['spec', 'selector'])
  expect(r.ok && r.value.requirements.every((q) => q.operator === 'In' && q.fromMatchLabels)).toBe(true)
  expect(issuesOf(parseSelectorMap({ 'bad key': 'x' }, ['spec', 'selector']))).toEqual([['invalid_label_key', 'spec.selector["bad key"]']])
})
