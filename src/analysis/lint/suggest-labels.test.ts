import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { makeSelector, requirementHolds, selectorMatches, type LabelSelector, type Requirement } from '../../model/label-selector.js'
import type { Labels } from '../../model/labels.js'
import { sel } from '../../../test/builders.js'
import { msg, partsText, ref } from './finding.js'
import { emptySelectorHint, mergeTallies, nearestLabels, NAMESPACE, POD, tallyLabels, typoDistance, type LabelCount } from './suggest-labels.js'

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

describe('hints from tallies', () => {
  const KEYS = ['app', 'tier', 'ap', 'tiers']
  const VALUES = ['web', 'wbe', 'api', 'frontend', 'fronted', 'frontends', 'fr', '']
  const labels = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 3 })
  const requirement = fc.record({
    key: fc.constantFrom(...KEYS),
    operator: fc.constantFrom('In' as const, 'NotIn' as const, 'Exists' as const, 'DoesNotExist' as const),
    values: fc.array(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 3 }),
  }).map((r) => (r.operator === 'Exists' || r.operator === 'DoesNotExist' ? { ...r, values: [] } : r))
  const groups = fc.array(fc.array(labels, { maxLength: 6 }), { minLength: 1, maxLength: 4 })

  /** The hint as it was made from the pods' labels themselves: every count by going through every pod. */
  function reference(s: LabelSelector, candidates: readonly Labels[]): string | null {
    if (candidates.some((l) => selectorMatches(s, l))) return null
    const counts = new Map<string, LabelCount>()
    for (const l of candidates) for (const [key, value] of Object.entries(l)) counts.set(`${key}\n${value}`, { key, value, count: (counts.get(`${key}\n${value}`)?.count ?? 0) + 1 })
    const holds = s.requirements.map((r) => candidates.filter((l) => requirementHolds(r, l)).length)
    return JSON.stringify({ holds, counts: [...counts.values()] })
  }

  /** The nearest labels with every distance computed (no length bound, no key distance kept). */
  function nearestReference(r: Requirement, counts: readonly LabelCount[]): LabelCount[] {
    const near = (d: number, x: string) => d <= Math.max(1, Math.floor(x.length / 3))
    const scored: { l: LabelCount; d: number }[] = []
    for (const l of counts) {
      const kd = typoDistance(r.key, l.key)
      if (r.operator === 'Exists') {
        if (kd > 0 && near(kd, r.key)) scored.push({ l, d: kd })
        continue
      }
      if (r.operator !== 'In') continue
      let best = Infinity
      for (const v of r.values) {
        const vd = typoDistance(v, l.value)
        if (kd + vd === 0) continue
        if ((near(kd, r.key) && near(vd, v)) || (vd === 0 && v.length >= 3 && !l.key.includes('/')) || (kd === 0 && near(vd, v))) best = Math.min(best, kd + vd)
      }
      if (best < Infinity) scored.push({ l, d: best })
    }
    return scored.sort((a, b) => a.d - b.d || b.l.count - a.l.count || (a.l.key + a.l.value < b.l.key + b.l.value ? -1 : 1)).slice(0, 2).map((x) => x.l)
  }

  test('a tally merged from groups is the tally of the groups\' candidates one after another', () => {
    fc.assert(
      fc.property(groups, (gs) => {
        expect(mergeTallies(gs.map((g) => tallyLabels(g)))).toEqual(tallyLabels(gs.flat()))
      }),
    )
  })

  test('the hint from merged tallies is the hint from the candidates, and reads the same counts', () => {
    fc.assert(
      fc.property(groups, fc.array(requirement, { minLength: 1, maxLength: 3 }), (gs, reqs) => {
        const s = makeSelector(reqs)
        const candidates = gs.flat()
        const ref = reference(s, candidates)
        if (ref === null) return
        const tally = mergeTallies(gs.map((g) => tallyLabels(g)))
        expect(JSON.stringify({ holds: s.requirements.map((r) => candidates.filter((l) => requirementHolds(r, l)).length), counts: tally.counts })).toBe(ref)
        expect(partsText(emptySelectorHint(s, tally, POD, []))).toBe(partsText(emptySelectorHint(s, candidates, POD, [])))
        for (const r of reqs) expect(nearestLabels(r, tally)).toEqual(nearestReference(r, tally.counts))
      }),
      { numRuns: 500 },
    )
  })
})
