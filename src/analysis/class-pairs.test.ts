import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { clusters, PORTS } from '../../test/arbitraries.js'
import { cluster, ipPeer, pod, podsPeer, policy, port, rule, sel } from '../../test/builders.js'
import { indexCluster } from '../engine/cluster-index.js'
import { classPairs } from './class-pairs.js'
import { computeReachability } from './reachability.js'

/** The pairs of class numbers the groups name, as "from>to" strings. */
function expand(groups: readonly { from: number[]; to: Int32Array }[]): Set<string> {
  const out = new Set<string>()
  for (const g of groups) {
    for (const f of g.from) for (let i = 0; i < g.to.length; i += 2) for (let t = g.to[i]!; t <= g.to[i + 1]!; t++) out.add(`${f}>${t}`)
  }
  return out
}

describe('the matrix of classes', () => {
  test('names exactly the class pairs the class matrix allows, every class once, for both families', () => {
    fc.assert(
      fc.property(clusters, (c) => {
        for (const family of [4, 6] as const) {
          const r = computeReachability(indexCluster(c), c.pods, PORTS, family)
          const n = r.identities.classes.length
          const cp = classPairs(r)
          expect([...cp.order].sort((a, b) => a - b)).toEqual([...Array(n).keys()])
          cp.results.forEach((p, k) => {
            const m = r.results[k]!
            const want = new Set<string>()
            for (let s = 0; s < n; s++) for (let d = 0; d < n; d++) if (m.allowed(cp.order[s]!, cp.order[d]!)) want.add(`${s}>${d}`)
            expect(expand(p.groups)).toEqual(want)
            // runs are sorted, disjoint and not adjacent; groups have distinct destinations
            for (const g of p.groups) for (let i = 2; i < g.to.length; i += 2) expect(g.to[i]!).toBeGreaterThan(g.to[i - 1]! + 1)
            expect(new Set(p.groups.map((g) => g.to.join(','))).size).toBe(p.groups.length)
          })
        }
      }),
      { numRuns: 300 },
    )
  })

  test('rows and columns keep only the classes asked for', () => {
    fc.assert(
      fc.property(clusters, (c) => {
        const r = computeReachability(indexCluster(c), c.pods, PORTS.slice(0, 2), 4)
        const all = classPairs(r)
        const rows = (k: number) => k % 2 === 0
        const columns = (k: number) => k % 3 !== 0
        const part = classPairs(r, rows, columns)
        part.results.forEach((p, k) => {
          const want = [...expand(all.results[k]!.groups)].filter((x) => {
            const [f, t] = x.split('>').map(Number) as [number, number]
            return rows(all.order[f]!) && columns(all.order[t]!)
          })
          expect(expand(p.groups)).toEqual(new Set(want))
        })
      }),
      { numRuns: 200 },
    )
  })

  test('whole words of selector classes (more than 32 of them) become one run', () => {
    const pods = Array.from({ length: 100 }, (_, i) => pod(`ns/p${String(i).padStart(3, '0')}`, { app: `a${i}`, tier: i < 70 ? 'open' : 'closed' }, { ips: [`10.0.${i >> 4}.${i}`] }))
    const c = cluster({
      pods,
      policies: [
        policy('ns', 'closed', { podSelector: sel({ tier: 'closed' }), ingress: [rule([podsPeer(sel({ app: 'a3' })), ipPeer('10.0.1.0/24')], [port(80)])] }),
        policy('ns', 'out', { podSelector: sel({ app: 'a5' }), ingress: null, egress: [rule([ipPeer('10.0.2.0/24')], [port(80)])] }),
      ],
    })
    const r = computeReachability(indexCluster(c), c.pods, [{ port: 80, protocol: 'TCP' }], 4)
    const cp = classPairs(r)
    const n = r.identities.classes.length
    const want = new Set<string>()
    for (let s = 0; s < n; s++) for (let d = 0; d < n; d++) if (r.results[0]!.allowed(cp.order[s]!, cp.order[d]!)) want.add(`${s}>${d}`)
    expect(expand(cp.results[0]!.groups)).toEqual(want)
    // most sources reach the 70 open classes and the closed ones admitting them: few groups, few runs
    expect(cp.results[0]!.groups.length).toBeLessThan(10)
  })
})
