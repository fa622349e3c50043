import fc from 'fast-check'
import { expect, test } from 'vitest'
import { clusters, PORTS } from '../../../test/arbitraries.js'
import { computeReachability, podAllowed } from '../../analysis/reachability.js'
import { indexCluster } from '../../engine/cluster-index.js'
import { writeMatrixJson } from './matrix.js'
import { MatrixRows } from './matrix-rows.js'

test('row text built from class runs equals the matrix cell by cell, diagonal included', () => {
  fc.assert(
    fc.property(clusters, (c) => {
      const r = computeReachability(indexCluster(c), c.pods, PORTS, 4)
      for (const m of r.results) {
        const rows = new MatrixRows(r, m, '.', 'X', '')
        c.pods.forEach((_, i) => {
          const want = c.pods.map((__, j) => (podAllowed(r, m, i, j) ? '.' : 'X')).join('')
          expect(rows.row(i).toString()).toBe(want)
        })
      }
    }),
    { numRuns: 300 },
  )
})

test('the JSON contract parses and has allowed[i][j] = pods[i] → pods[j]', async () => {
  await fc.assert(
    fc.asyncProperty(clusters, async (c) => {
      const r = computeReachability(indexCluster(c), c.pods, PORTS, 4)
      let text = ''
      await writeMatrixJson(r, (s) => {
        text += typeof s === 'string' ? s : Buffer.from(s).toString()
      })
      const parsed = JSON.parse(text) as { pods: string[]; results: { port: number; protocol: string; allowed: boolean[][] }[] }
      expect(parsed.pods).toEqual(c.pods.map((p) => `${p.namespace}/${p.name}`))
      expect(parsed.results.map((x) => [x.port, x.protocol])).toEqual(PORTS.map((p) => [p.port, p.protocol]))
      parsed.results.forEach((res, k) => {
        expect(res.allowed).toEqual(c.pods.map((_, i) => c.pods.map((__, j) => podAllowed(r, r.results[k]!, i, j))))
      })
    }),
    { numRuns: 100 },
  )
})
