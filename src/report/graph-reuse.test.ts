import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { edits } from '../../test/diff-edits.js'
import { PORTS } from '../../test/arbitraries.js'
import { indexCluster } from '../engine/cluster-index.js'
import { distinctIpBlocks } from '../engine/identities.js'
import { diffClusters } from '../analysis/diff.js'
import { DiffBase } from '../analysis/diff-base.js'
import { graphReport, type GraphOptions } from './graph-report.js'

describe("a what-if's graph from the sides its diff kept equals the graph drawn anew", () => {
  test('random clusters and random policy edits, one port and every port', () => {
    fc.assert(
      fc.property(edits, fc.constantFrom<GraphOptions['port']>(PORTS[0]!, 'any'), fc.constantFrom('class', 'workload', 'pod') as fc.Arbitrary<'class' | 'workload' | 'pod'>, ({ before, after, family }, port, level) => {
        const opts: GraphOptions = { port, level, family }
        const base = new DiffBase(before)
        const classes = base.classes(before.pods, family)
        // the graph before (fills the kept sides and their class rows), then the diff, then the graph after
        // (rows of unchanged egress sides copied, changed ingress columns decided again): what a server does
        expect(graphReport(before, opts, base.index, undefined, classes.sides)).toEqual(graphReport(before, opts))
        diffClusters(before, after, { family, base, ...(port === 'any' ? {} : { ports: [port] }) })
        const sides = base.after(classes, after, indexCluster(after), after.pods).sides
        const blocks = distinctIpBlocks(before.policies)
        expect(graphReport(after, opts, sides.index, blocks, sides)).toEqual(graphReport(after, opts, indexCluster(after), blocks))
      }),
      { numRuns: 300 },
    )
  })
})
