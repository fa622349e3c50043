import fc from 'fast-check'
import { expect, test } from 'vitest'
import { clusters, PORTS } from '../../../test/arbitraries.js'
import { computeReachability, podAllowed } from '../../analysis/reachability.js'
import { indexCluster } from '../../engine/cluster-index.js'
import { writeMatrixCsv, writeMatrixMarkdown, writeMatrixTable } from './matrix.js'
import { writeMatrixReport } from '../../report/matrix-report.js'
import { MatrixRows } from '../../report/matrix-rows.js'

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
      await writeMatrixReport(r, (s) => {
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

/** A random split of the pods into rows and columns (each pod in neither, one or both). */
const axesOf = (n: number, seed: number) => {
  const from: number[] = []
  const to: number[] = []
  for (let i = 0; i < n; i++) {
    const k = (seed >> (i % 24)) & 3
    if (k & 1) from.push(i)
    if (k & 2) to.push(i)
  }
  return { from, to }
}

test('with other columns than rows, every format gives from[i] → to[j] cell by cell', async () => {
  await fc.assert(
    fc.asyncProperty(clusters, fc.integer({ min: 0, max: 0xffffff }), async (c, seed) => {
      const r = computeReachability(indexCluster(c), c.pods, PORTS, 4)
      const axes = axesOf(c.pods.length, seed)
      const name = (i: number) => `${c.pods[i]!.namespace}/${c.pods[i]!.name}`
      const want = (k: number) => axes.from.map((i) => axes.to.map((j) => podAllowed(r, r.results[k]!, i, j)))
      let json = ''
      await writeMatrixReport(r, (s) => void (json += typeof s === 'string' ? s : Buffer.from(s).toString()), axes)
      const parsed = JSON.parse(json) as { pods?: string[]; from?: string[]; to?: string[]; results: { allowed: boolean[][] }[] }
      const square = axes.from.length === axes.to.length && axes.from.every((x, i) => x === axes.to[i])
      if (square) expect(parsed.pods).toEqual(axes.from.map(name))
      else expect([parsed.pods, parsed.from, parsed.to]).toEqual([undefined, axes.from.map(name), axes.to.map(name)])
      parsed.results.forEach((res, k) => expect(res.allowed).toEqual(want(k)))
      let csv = ''
      await writeMatrixCsv(r, (s) => void (csv += typeof s === 'string' ? s : Buffer.from(s).toString()), axes)
      const lines = csv.trimEnd().split('\n')
      expect(lines[0]).toBe(`port,protocol,from,${axes.to.map(name).join(',')}`)
      const cells = lines.slice(1).map((l) => l.split(',').slice(3).filter((x) => x !== '').map((x) => x === '1'))
      expect(cells).toEqual(r.results.flatMap((_, k) => want(k)))
      let table = ''
      await writeMatrixTable(r, (s) => void (table += typeof s === 'string' ? s : Buffer.from(s).toString()), axes)
      const tableCells = table.split('\n').filter((l) => /^\s*(\d+ )?\S+\/\S+\s{2,}[.X ]*$/.test(l) && !/^\s+\d+ \S+$/.test(l))
      expect(tableCells.map((l) => l.replace(/^.*?\s{2,}/, '').replace(/ /g, '').split('').map((x) => x === '.'))).toEqual(r.results.flatMap((_, k) => want(k)))
      let md = ''
      await writeMatrixMarkdown(r, (s) => void (md += typeof s === 'string' ? s : Buffer.from(s).toString()), axes)
      const mdRows = md.split('\n').filter((l) => /^\| (\d+ \| )?`/.test(l))
      expect(mdRows.map((l) => l.split('|').slice(square ? 3 : 2, -1).map((x) => x === '.'))).toEqual(r.results.flatMap((_, k) => want(k)))
    }),
    { numRuns: 150 },
  )
})
