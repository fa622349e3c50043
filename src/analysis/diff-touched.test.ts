import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { clusters, PORTS } from '../../test/arbitraries.js'
import { cluster, namespace, pod, policy, podsPeer, rule, sel } from '../../test/builders.js'
import type { Cluster } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import type { NetworkPolicy } from '../model/policy.js'
import { diffClusters } from './diff.js'

/**
 * after: the same cluster with a few edits: some policies removed, changed (another's rules under the same
 * name), added; sometimes a pod's labels or a namespace's labels taken from the other cluster, a pod dropped.
 */
const edits = fc
  .tuple(clusters, clusters, fc.array(fc.nat(5), { minLength: 16, maxLength: 16 }), fc.constantFrom<Family>(4, 6))
  .map(([a, b, dice, family]) => {
    const policies = new Map<string, NetworkPolicy>(a.policies.map((p) => [`${p.namespace}/${p.name}`, p]))
    a.policies.forEach((p, i) => dice[i] === 0 && policies.delete(`${p.namespace}/${p.name}`))
    b.policies.forEach((q, i) => {
      const roll = dice[5 + i]!
      if (roll === 0) {
        // the same name with other rules or selector: a changed policy (or an added one)
        const p = a.policies[i]
        const name = p ? p.name : q.name
        const namespace = p ? p.namespace : q.namespace
        policies.set(`${namespace}/${name}`, { ...q, name, namespace })
      } else if (roll === 1) policies.set(`${q.namespace}/n${i}`, { ...q, name: `n${i}` })
    })
    const relabel = dice[10]! === 0 && b.pods.length > 0
    const pods = a.pods
      .filter((_, i) => dice[11]! !== 0 || i !== 0)
      .map((p, i) => (relabel && i === dice[12]! % a.pods.length ? { ...p, labels: b.pods[0]!.labels } : p))
    const nsFrom = dice[13]! === 0 ? b.namespaces : a.namespaces
    const after: Cluster = { ...a, pods, namespaces: nsFrom, policies: [...policies.values()] }
    return { before: a, after, family }
  })

describe('the focused diff (only the rows and columns a change touches) equals the full one', () => {
  test('random clusters and random policy edits, given ports and every port', () => {
    let changed = 0
    fc.assert(
      fc.property(edits, ({ before, after, family }) => {
        for (const opts of [{ ports: PORTS, family }, { family }]) {
          const focused = diffClusters(before, after, opts)
          expect(focused).toEqual(diffClusters(before, after, { ...opts, full: true }))
          if (focused.changes.length > 0) changed++
        }
      }),
      { numRuns: 500 },
    )
    // the generator must make real changes, not only identical sides
    expect(changed).toBeGreaterThan(100)
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
