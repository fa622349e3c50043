import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { edits } from '../../test/diff-edits.js'
import { PORTS } from '../../test/arbitraries.js'
import { indexCluster } from '../engine/cluster-index.js'
import { distinctIpBlocks } from '../engine/identities.js'
import { DiffBase } from '../analysis/diff-base.js'
import { foldEdges } from './graph-edges.js'
import { foldEdgesAfter } from './graph-edges-change.js'
import { graphEdgeFold, graphReport, type GraphOptions } from './graph-report.js'
import type { GraphLevel } from './graph-types.js'

describe('the fold of the node pairs a change flips equals the whole fold of the graph after', () => {
  test('random clusters and policy edits; one port and every port; every level; small edge limits; a namespace filter', () => {
    const seen = { changedPairs: 0, limited: 0 }
    fc.assert(
      fc.property(
        edits,
        fc.constantFrom<GraphOptions['port']>(PORTS[0]!, 'any'),
        fc.constantFrom<GraphLevel>('namespace', 'class', 'workload', 'pod'),
        fc.option(fc.nat(6), { nil: undefined }),
        fc.boolean(),
        ({ before, after, family }, port, level, maxEdges, filtered) => {
          const ns = before.pods[0]?.namespace
          const opts: GraphOptions = { port, level, family, ...(maxEdges !== undefined ? { maxEdges } : {}), ...(filtered && ns !== undefined ? { namespaces: [ns] } : {}) }
          // as a server: the graph before from the kept classes, then the side after the change reusing them
          const base = new DiffBase(before)
          const classes = base.classes(before.pods, family)
          const was = graphReport(before, opts, base.index, undefined, classes.sides)
          const sides = base.after(classes, after, indexCluster(after), after.pods).sides
          const blocks = distinctIpBlocks(before.policies)
          const now = graphReport(after, opts, sides.index, blocks, sides, was)
          expect(now).toEqual(graphReport(after, opts, indexCluster(after), blocks))
          // where the side after keeps the classes, the fold of the changed pairs is the one taken (on one port: with
          // "any", a port counts toward the destinations policies name it for, which a change may move), and
          // equals the whole
          if (sides.ids !== classes.ids) return
          const input = graphEdgeFold(now)!.folder.input
          const changed = foldEdgesAfter(graphEdgeFold(was)!, input)
          if (port === 'any' && changed === null) return
          expect(changed).not.toBeNull()
          expect(changed!.found).toEqual(foldEdges(input))
          seen.changedPairs++
          if (graphEdgeFold(was)!.found.omitted > 0 || changed!.found.omitted > 0) seen.limited++
        },
      ),
      { numRuns: 800 },
    )
    // the property held on folds of changed pairs, and on some whose edge limit left edges out
    expect(seen.changedPairs).toBeGreaterThan(100)
    expect(seen.limited).toBeGreaterThan(20)
  })
})
