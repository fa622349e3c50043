import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { edits } from '../../test/diff-edits.js'
import { PORTS } from '../../test/arbitraries.js'
import { indexCluster } from '../engine/cluster-index.js'
import { distinctIpBlocks } from '../engine/identities.js'
import { diffClusters } from '../analysis/diff.js'
import { DiffBase } from '../analysis/diff-base.js'
import { graphReport, type GraphOptions } from './graph-report.js'
import { graphChangeDelta } from './graph-delta.js'
import type { Cluster } from '../model/cluster.js'

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

  test('several what-ifs in a row on one served cluster (sides, rows, external verdicts and edges kept from graph to graph) each equal the graph drawn anew, and so do their deltas', () => {
    fc.assert(
      fc.property(edits, fc.constantFrom<GraphOptions['port']>(PORTS[0]!, 'any'), fc.constantFrom('class', 'workload', 'pod') as fc.Arbitrary<'class' | 'workload' | 'pod'>, fc.constantFrom(undefined, 5), ({ before, after, family }, port, level, maxEdges) => {
        const opts: GraphOptions = { port, level, family, ...(maxEdges !== undefined ? { maxEdges } : {}) }
        const base = new DiffBase(before)
        const classes = base.classes(before.pods, family)
        const served = graphReport(before, opts, base.index, undefined, classes.sides)
        // the edit, the first policy deleted, the edit again (a new list: nothing kept for it but by content)
        const afters: Cluster[] = [after, { ...before, policies: before.policies.slice(1) }, { ...after, policies: [...after.policies] }]
        const blocks = distinctIpBlocks(before.policies)
        for (const a of afters) {
          diffClusters(before, a, { family, base, ...(port === 'any' ? {} : { ports: [port] }) })
          const sides = base.after(classes, a, indexCluster(a), a.pods).sides
          const reused = graphReport(a, opts, sides.index, blocks, sides, served)
          const anew = graphReport(a, opts, indexCluster(a), blocks)
          expect(reused).toEqual(anew)
          expect(graphChangeDelta(served, reused)).toEqual(graphChangeDelta(served, anew))
        }
      }),
      { numRuns: 200 },
    )
  })
})
