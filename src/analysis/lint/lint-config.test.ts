import { expect, test } from 'vitest'
import { CHECKS } from './index.js'
import { findCheck, parseLintConfig } from './lint-config.js'

test.each([
  { name: 'empty file', input: null, want: { disable: [], severity: {} } },
  {
    name: 'ignore entries: id or slug, object forms, reason',
    input: { ignore: [{ check: 'np003', object: 'shop/api' }, { check: 'missing-default-deny', object: 'shop', reason: 'r' }, { check: 'NP004', object: 'Deployment shop/web' }] },
    want: {
      disable: [],
      severity: {},
      ignore: [
        { check: 'NP003', object: { namespace: 'shop', name: 'api' } },
        { check: 'NP001', object: { kind: 'Namespace', name: 'shop' }, reason: 'r' },
        { check: 'NP004', object: { kind: 'Deployment', namespace: 'shop', name: 'web' } },
      ],
    },
  },
  { name: 'ids and slugs, any case', input: { disable: ['np001', 'host-network-selected'], severity: { 'redundant-rule': 'warning', NP002: 'warning' }, minSeverity: 'warning' }, want: { disable: ['NP001', 'NP012'], severity: { NP010: 'warning', NP002: 'warning' }, minSeverity: 'warning' } },
])('valid: $name', ({ input, want }) => {
  expect(parseLintConfig(input, CHECKS)).toEqual({ ok: true, value: want })
})

test.each([
  { name: 'not a map', input: ['NP001'], want: [{ code: 'not_an_object', path: [] }] },
  { name: 'an unknown field', input: { disabled: ['NP001'] }, want: [{ code: 'unknown_field', path: ['disabled'] }] },
  { name: 'disable is not a list', input: { disable: 'NP001' }, want: [{ code: 'wrong_type', path: ['disable'] }] },
  { name: 'an unknown check, with suggestions', input: { disable: ['NP099', 'default-deny'] }, want: [{ code: 'unknown_check', path: ['disable', 0] }, { code: 'unknown_check', path: ['disable', 1], suggestions: ['NP001 missing-default-deny'] }] },
  { name: 'a bad severity', input: { severity: { NP001: 'fatal' }, minSeverity: 'low' }, want: [{ code: 'unknown_severity', path: ['severity', 'NP001'] }, { code: 'unknown_severity', path: ['minSeverity'] }] },
  { name: 'ignore is not a list', input: { ignore: 'NP001' }, want: [{ code: 'wrong_type', path: ['ignore'] }] },
  {
    name: 'ignore entries with problems',
    input: { ignore: [{ check: 'NP099', object: 'shop/x' }, { check: 'NP001' }, { check: 'NP001', object: 'Namespace shop/x' }, { check: 'NP001', object: 'shop', why: 'x' }] },
    want: [
      { code: 'unknown_check', path: ['ignore', 0, 'check'] },
      { code: 'wrong_type', path: ['ignore', 1, 'object'] },
      { code: 'bad_object', path: ['ignore', 2, 'object'] },
      { code: 'unknown_field', path: ['ignore', 3, 'why'] },
    ],
  },
])('invalid: $name', ({ input, want }) => {
  const r = parseLintConfig(input, CHECKS)
  expect(r.ok).toBe(false)
  expect(r.ok ? [] : r.issues).toMatchObject(want)
})

test('every id and slug is unique and findable', () => {
  expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length)
  expect(new Set(CHECKS.map((c) => c.slug)).size).toBe(CHECKS.length)
  for (const c of CHECKS) {
    expect(c.id).toMatch(/^NP\d{3}$/)
    expect(findCheck(CHECKS, c.slug)).toBe(c)
    expect(findCheck(CHECKS, c.id.toLowerCase())).toBe(c)
  }
})
