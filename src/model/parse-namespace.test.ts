import { expect, test } from 'vitest'
import { toDotPath } from './issues.js'
import { parseNamespace } from './parse-namespace.js'

const ns = (metadata: unknown) => ({ apiVersion: 'v1', kind: 'Namespace', metadata })

test.each([
  { name: 'name label added', input: ns({ name: 'shop', labels: { team: 'a' } }), labels: { team: 'a', 'kubernetes.io/metadata.name': 'shop' } },
  { name: 'user value of the name label is overridden', input: ns({ name: 'shop', labels: { 'kubernetes.io/metadata.name': 'other' } }), labels: { 'kubernetes.io/metadata.name': 'shop' } },
  { name: 'no labels', input: ns({ name: 'shop' }), labels: { 'kubernetes.io/metadata.name': 'shop' } },
])('$name', ({ input, labels }) => {
  const r = parseNamespace(input)
  expect(r.ok && r.value).toEqual({ name: 'shop', labels, implicit: false })
})

test.each([
  { name: 'name with a dot (DNS label, not subdomain)', input: ns({ name: 'shop.prod' }), want: [['invalid_name', 'metadata.name']] },
  { name: 'name too long', input: ns({ name: 'n'.repeat(64) }), want: [['invalid_name', 'metadata.name']] },
  { name: 'name missing', input: ns({}), want: [['required', 'metadata.name']] },
  { name: 'label value invalid', input: ns({ name: 'shop', labels: { team: '-a' } }), want: [['invalid_label_value', 'metadata.labels.team']] },
  { name: 'metadata not an object', input: ns('shop'), want: [['wrong_type', 'metadata']] },
])('rejects: $name', ({ input, want }) => {
  const r = parseNamespace(input)
  expect(r.ok ? [] : r.issues.map((i) => [i.code, toDotPath(i.path)])).toEqual(want)
})
