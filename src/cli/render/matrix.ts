import type { Reachability } from '../../analysis/reachability.js'
import { MatrixRows } from '../../report/matrix-rows.js'
import { axesOf, podName, type MatrixAxes, type Sink } from '../../report/matrix-report.js'

export type { MatrixAxes, Sink }

/** CSV: one block per port; header `port,protocol,from,<destination pod>...`, cells 1 (allowed) or 0 (denied). */
export async function writeMatrixCsv(r: Reachability, write: Sink, axes?: MatrixAxes): Promise<void> {
  const a = axesOf(r, axes)
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)
  await write(`port,protocol,from,${a.to.map((j) => q(podName(r, j))).join(',')}\n`)
  for (const m of r.results) {
    const rows = new MatrixRows(r, m, '1', '0', ',', a.to)
    for (const i of a.from) {
      const cells = rows.row(i)
      await write(`${m.port},${m.protocol},${q(podName(r, i))},`)
      if (cells.length === 0) await write('\n')
      else {
        cells[cells.length - 1] = 0x0a // the last separator becomes the line end
        await write(cells)
      }
    }
  }
}

/**
 * The e2e-style truth table: rows are sources, columns destinations, `.` allowed, `X` denied. Columns are
 * numbered (digits written downwards when there are more than 9) and the row labels carry the same numbers,
 * so it stays readable at 9×9 and usable at hundreds of pods. When the columns are other pods than the rows,
 * the numbered list of columns comes first and rows are labelled by name alone.
 */
export async function writeMatrixTable(r: Reachability, write: Sink, axes?: MatrixAxes): Promise<void> {
  const a = axesOf(r, axes)
  const n = a.to.length
  const width = String(n).length
  const names = a.from.map((i) => abbreviate(podName(r, i), 48))
  const nameWidth = Math.max(4, ...names.map((s) => s.length))
  const spaced = n <= 60
  const sep = spaced ? ' ' : ''
  const label = (i: number) => (a.square ? `${String(i + 1).padStart(width)} ${names[i]!.padEnd(nameWidth)}  ` : `${names[i]!.padEnd(nameWidth)}  `)
  const lead = ' '.repeat(a.square ? width + 1 + nameWidth + 2 : nameWidth + 2)
  if (!a.square) {
    await write('columns (to):\n')
    for (let j = 0; j < n; j++) await write(`  ${String(j + 1).padStart(width)} ${podName(r, a.to[j]!)}\n`)
    await write('\n')
  }
  for (let k = 0; k < r.results.length; k++) {
    const m = r.results[k]!
    await write(`${k ? '\n' : ''}port ${m.port}/${m.protocol}   (rows: from, columns: to; . allowed, X denied)\n\n`)
    for (let d = width - 1; d >= 0; d--) {
      const digits = a.to.map((_, j) => {
        const num = String(j + 1)
        return num.length > d ? num[num.length - 1 - d]! : ' '
      })
      await write(`${lead}${digits.join(sep)}\n`)
    }
    const rows = new MatrixRows(r, m, '.', 'X', sep, a.to)
    for (let i = 0; i < a.from.length; i++) {
      const cells = rows.row(a.from[i]!)
      await write(label(i))
      await write(spaced ? cells.subarray(0, Math.max(0, cells.length - 1)) : cells)
      await write('\n')
    }
  }
}

/**
 * Markdown: one table per port with numbered columns, and the legend of numbers; when the columns are other
 * pods than the rows, the columns are headed by their names.
 */
export async function writeMatrixMarkdown(r: Reachability, write: Sink, axes?: MatrixAxes): Promise<void> {
  const a = axesOf(r, axes)
  const n = a.to.length
  for (let k = 0; k < r.results.length; k++) {
    const m = r.results[k]!
    await write(`${k ? '\n' : ''}### Port ${m.port}/${m.protocol}\n\nRows: from; columns: to; \`.\` allowed, \`X\` denied.\n\n`)
    if (a.square) await write(`| # | from \\ to | ${a.to.map((_, j) => j + 1).join(' | ')} |\n|---|---|${'---|'.repeat(n)}\n`)
    else await write(`| from \\ to | ${a.to.map((j) => `\`${podName(r, j)}\``).join(' | ')} |\n|---|${'---|'.repeat(n)}\n`)
    const rows = new MatrixRows(r, m, '.', 'X', '|', a.to)
    for (let i = 0; i < a.from.length; i++) {
      await write(a.square ? `| ${i + 1} | \`${podName(r, a.from[i]!)}\` |` : `| \`${podName(r, a.from[i]!)}\` |`)
      await write(rows.row(a.from[i]!))
      await write('\n')
    }
  }
}

function abbreviate(s: string, max: number): string {
  if (s.length <= max) return s
  const keep = max - 1
  return `${s.slice(0, Math.ceil(keep / 2))}…${s.slice(s.length - Math.floor(keep / 2))}`
}
