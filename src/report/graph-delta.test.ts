import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { edits } from '../../test/diff-edits.js'
import { PORTS } from '../../test/arbitraries.js'
import { indexCluster } from '../engine/cluster-index.js'
import { distinctIpBlocks } from '../engine/identities.js'
import { graphChange } from './graph-change.js'
import { applyGraphDelta, graphChangeDelta, graphDelta } from './graph-delta.js'
import { graphReport, type GraphOptions } from './graph-report.js'
import type { GraphLevel, GraphReport } from './graph-types.js'

/** A graph with its lists in id order (a graph made again from a delta lists its additions last). */
const sorted = (g: GraphReport) => {
  const byId = <T extends { id: string }>(xs: readonly T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return { ...g, groups: byId(g.groups), nodes: byId(g.nodes), edges: byId(g.edges) }
}

describe('a what-if graph as what differs from the graph before', () => {
  test('graphChangeDelta is graphDelta of graphChange, and applied to the graph before makes graphChange again', () => {
    fc.assert(
      fc.property(
        edits,
        fc.constantFrom<GraphOptions['port']>(PORTS[0]!, 'any'),
        fc.constantFrom<GraphLevel>('namespace', 'workload', 'pod'),
        fc.option(fc.nat(8), { nil: undefined }),
        ({ before, after, family }, port, level, maxEdges) => {
          const opts: GraphOptions = { port, level, family, ...(maxEdges !== undefined ? { maxEdges } : {}) }
          const blocks = [...new Map([...distinctIpBlocks(before.policies), ...distinctIpBlocks(after.policies)].map((b) => [b.key, b])).values()]
          const was = graphReport(before, opts, indexCluster(before), blocks)
          const now = graphReport(after, opts, indexCluster(after), blocks)
          const whole = graphChange(was, now)
          const delta = graphChangeDelta(was, now)
          expect(delta).toEqual(graphDelta(was, whole))
          expect(sorted(applyGraphDelta(was, delta))).toEqual(sorted(whole))
        },
      ),
      { numRuns: 200 },
    )
  })
})
