import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { Cluster } from '../model/cluster.js'
import { PORTS } from '../../test/arbitraries.js'
import { edits } from '../../test/diff-edits.js'
import { diffClusters, policyStatuses } from './diff.js'
import { DiffBase } from './diff-base.js'
import { changedPolicies } from './policy-changes.js'

/** The same cluster with no object shared: every policy and pod copied, so nothing is known by identity. */
const copied = (c: Cluster): Cluster => ({ ...c, pods: c.pods.map((p) => ({ ...p })), policies: c.policies.map((p) => ({ ...p })) })

describe('what a what-if keeps as the same objects is read as unchanged, and the answer is the one of copies', () => {
  test('changedPolicies is policyStatuses without the unchanged ones, with the objects of each side', () => {
    fc.assert(
      fc.property(edits, ({ before, after }) => {
        const want = [...policyStatuses(before.policies, after.policies)].filter(([, s]) => s !== 'unchanged')
        const got = changedPolicies(before.policies, after.policies)
        expect([...got].map(([key, c]) => [key, c.status])).toEqual(want)
        const ref = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`
        for (const [key, c] of got) {
          expect(c.before).toBe(c.status === 'added' ? undefined : before.policies.find((p) => ref(p) === key))
          expect(c.after).toBe(c.status === 'removed' ? undefined : after.policies.find((p) => ref(p) === key))
        }
        // the same lists again: the same answer (kept), and copies of them: the same statuses
        expect(changedPolicies(before.policies, after.policies)).toBe(got)
        expect([...changedPolicies(copied(before).policies, copied(after).policies)].map(([key, c]) => [key, c.status])).toEqual(want)
      }),
      { numRuns: 300 },
    )
  })

  test('the diff of a what-if (untouched policies and pods the same objects) equals the diff against copies', () => {
    fc.assert(
      fc.property(edits, ({ before, after, family }) => {
        const base = new DiffBase(before)
        for (const opts of [{ ports: PORTS, family }, { family }]) {
          expect(diffClusters(before, after, { ...opts, base })).toEqual(diffClusters(before, copied(after), { ...opts, full: true }))
        }
      }),
      { numRuns: 300 },
    )
  })
})
