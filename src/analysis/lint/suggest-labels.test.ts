import { expect, test } from 'vitest'
import type { Labels } from '../../model/labels.js'
import { sel } from '../../../test/builders.js'
import { msg, partsText, ref } from './finding.js'
import { emptySelectorHint, nearestLabels, NAMESPACE, POD, typoDistance } from './suggest-labels.js'

const pods: Labels[] = [{ app: 'frontend', tier: 'web' }, { app: 'frontend', tier: 'web' }, { app: 'api', tier: 'backend' }, { role: 'db' }]

test.each<{ name: string; req: Labels; want: string }>([
  { name: 'a value typo', req: { app: 'fronted' }, want: 'no pod in shop has app=fronted; did you mean app=frontend (2 pods)?' },
  { name: 'a key typo', req: { tie: 'web' }, want: 'no pod in shop has tie=web; did you mean tier=web (2 pods)?' },
  { name: 'the same value under another key', req: { name: 'frontend' }, want: 'no pod in shop has name=frontend; did you mean app=frontend (2 pods)?' },
  { name: 'nothing near: the values of that key', req: { app: 'zzzzzzzz' }, want: 'no pod in shop has app=zzzzzzzz (pods carry app=frontend (2 pods) and app=api (1 pod))' },
  { name: 'an unknown key', req: { zone: 'eu' }, want: 'no pod in shop has zone=eu (no pod carries the key zone)' },
  { name: 'each holds, never together', req: { app: 'api', tier: 'web' }, want: 'no pod in shop matches all of app=api (1 pod) and tier=web (2 pods) at once' },
  { name: 'two dead requirements', req: { app: 'fronted', tier: 'wbe' }, want: 'no pod in shop has app=fronted; did you mean app=frontend (2 pods)?; no pod in shop has tier=wbe; did you mean tier=web (2 pods)?' },
])('$name', ({ req, want }) => {
  expect(partsText(emptySelectorHint(sel(req), pods, POD, msg` in ${ref('shop')}`))).toBe(want)
})

test.each([
  { name: 'Exists on a near key', exprs: [{ key: 'tiers', operator: 'Exists' as const, values: [] }], want: 'no pod has a label tiers; did you mean tier=web (2 pods) or tier=backend (1 pod)?' },
  { name: 'NotIn that every pod fails', exprs: [{ key: 'tier', operator: 'NotIn' as const, values: ['web', 'backend'] }], want: 'every pod fails tier notin (web, backend)' },
])('expressions: $name', ({ exprs, want }) => {
  expect(partsText(emptySelectorHint(sel({}, exprs), pods.slice(0, 3), POD, []))).toBe(want)
})

test.each([
  { a: 'web', b: 'wbe', want: 1 },
  { a: 'frontend', b: 'fronted', want: 1 },
  { a: 'abc', b: 'abc', want: 0 },
  { a: '', b: 'ab', want: 2 },
  { a: 'ca', b: 'abc', want: 3 },
])('typo distance $a → $b', ({ a, b, want }) => expect(typoDistance(a, b)).toBe(want))

test('namespaces are counted as namespaces', () => {
  const nss: Labels[] = [{ 'kubernetes.io/metadata.name': 'monitoring', purpose: 'monitoring' }, { 'kubernetes.io/metadata.name': 'shop' }]
  expect(partsText(emptySelectorHint(sel({ purpose: 'monitorin' }), nss, NAMESPACE, []))).toBe('no namespace has purpose=monitorin; did you mean purpose=monitoring (1 namespace)?')
})

test('nearest labels: closest first, at most two, exact matches never suggested', () => {
  const r = { key: 'app', operator: 'In' as const, values: ['frontend'] }
  expect(nearestLabels(r, pods).map((l) => `${l.key}=${l.value}`)).toEqual([])
  expect(nearestLabels({ ...r, values: ['frontent'] }, pods).map((l) => `${l.key}=${l.value}:${l.count}`)).toEqual(['app=frontend:2'])
})
