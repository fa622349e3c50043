import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { clusters } from '../../test/arbitraries.js'
import { computeIdentities, subsetIdentities } from './identities.js'

describe('the identities of some of the pods', () => {
  test('made from those of all the pods are those computed for the picked pods alone', () => {
    fc.assert(
      fc.property(clusters, fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }), (c, mask) => {
        for (const family of [4, 6] as const) {
          const all = computeIdentities(c.pods, c.policies, family)
          const keep = (p: (typeof c.pods)[number]) => mask[c.pods.indexOf(p) % mask.length]!
          const sub = subsetIdentities(all, c.pods, keep)
          const pods = c.pods.filter(keep)
          expect(sub.pods).toEqual(pods)
          expect(sub.ids).toEqual(computeIdentities(pods, c.policies, family))
        }
      }),
      { numRuns: 300 },
    )
  })
})
