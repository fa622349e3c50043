import fc from 'fast-check'
import { expect, test } from 'vitest'
import { clusters, NAMESPACES } from '../../../test/arbitraries.js'
import { createContext } from './context.js'
import { tallyLabels } from './suggest-labels.js'

test('the label tally of some namespaces, made from selector classes, is the tally of their pods\' labels', () => {
  fc.assert(
    fc.property(clusters, fc.subarray(NAMESPACES), (c, namespaces) => {
      const ctx = createContext(c)
      const pods = namespaces.flatMap((ns) => ctx.podsIn(ns))
      expect(ctx.podLabels(namespaces)).toEqual(tallyLabels(pods.map((p) => p.labels)))
    }),
    { numRuns: 300 },
  )
})
