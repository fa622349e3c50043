import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { PORTS } from '../../test/arbitraries.js'
import { edits } from '../../test/diff-edits.js'
import { tierEdits } from '../../test/tier-arbitraries.js'
import { cluster, namespace, pod, policy, podsPeer, rule, sel } from '../../test/builders.js'
import { diffClusters } from './diff.js'
import { DiffBase } from './diff-base.js'

describe('the focused diff (only the rows and columns a change touches) equals the full one', () => {
  test('random clusters and random policy edits, given ports and every port', () => {
    let changed = 0
    fc.assert(
      fc.property(edits, ({ before, after, family }) => {
        // one DiffBase for both questions, as a server keeps it for its cluster
        const base = new DiffBase(before)
        for (const opts of [{ ports: PORTS, family }, { family }]) {
          const focused = diffClusters(before, after, { ...opts, base })
          expect(focused).toEqual(diffClusters(before, after, { ...opts, full: true }))
          if (focused.changes.length > 0) changed++
        }
      }),
      { numRuns: 500 },
    )
    // the generator must make real changes, not only identical sides: 98–158 of the 1,000 questions change in
    // eight seeds measured, so the bound sits well under the spread of fast-check's random seeds
    expect(changed).toBeGreaterThan(50)
  })

  test('an edit to one policy compares only what it selects, and the answer is the full one', () => {
    const nss = [namespace('a', { team: 'a' }), namespace('b', { team: 'b' })]
    const pods = [pod('a/x', { app: 'x' }, { ips: ['10.0.0.1'] }), pod('a/y', { app: 'y' }, { ips: ['10.0.0.2'] }), pod('b/z', { app: 'z' }, { ips: ['10.0.0.3'] })]
    const allowX = policy('b', 'allow', { podSelector: sel({ app: 'z' }), ingress: [rule([podsPeer(sel({ app: 'x' }), sel({ team: 'a' }))])] })
    const allowY = policy('b', 'allow', { podSelector: sel({ app: 'z' }), ingress: [rule([podsPeer(sel({ app: 'y' }), sel({ team: 'a' }))])] })
    const before = cluster({ namespaces: nss, pods, policies: [allowX] })
    const after = cluster({ namespaces: nss, pods, policies: [allowY] })
    const port = { ports: [{ port: 80, protocol: 'TCP' as const }] }
    const d = diffClusters(before, after, port)
    expect(d).toEqual(diffClusters(before, after, { ...port, full: true }))
    expect(d.changes.map((c) => `${c.change} ${d.classes[c.from]!.pods} → ${d.classes[c.to]!.pods}`)).toEqual(['allowed a/y → b/z', 'denied a/x → b/z'])
  })
})

describe('with cluster policy tiers, the focused diff equals the full one', () => {
  test('random clusters with random NetworkPolicy and cluster policy edits (and Node edits), given ports and every port', () => {
    let changed = 0
    let byTier = 0
    fc.assert(
      fc.property(tierEdits, ({ before, after, family }) => {
        const base = new DiffBase(before)
        for (const opts of [{ ports: PORTS, family }, { family }]) {
          const focused = diffClusters(before, after, { ...opts, base })
          expect(focused).toEqual(diffClusters(before, after, { ...opts, full: true }))
          if (focused.changes.length > 0) changed++
          if (focused.changes.some((c) => c.causes.some((x) => x.code === 'tier-decides' || x.code === 'tier-decided'))) byTier++
        }
      }),
      { numRuns: 300 },
    )
    expect(changed).toBeGreaterThan(50)
    expect(byTier).toBeGreaterThan(20)
  })
})
