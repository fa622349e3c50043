import type { Reachability } from '../../analysis/reachability.js'
import { MatrixRows } from './matrix-rows.js'

export type Sink = (chunk: string | Uint8Array) => Promise<void> | void

const podName = (r: Reachability, i: number) => `${r.pods[i]!.namespace}/${r.pods[i]!.name}`

/**
 * `{"pods": [...], "results": [{"port": 80, "protocol": "TCP", "allowed": [[...], ...]}]}` — the stable
 * contract; allowed[i][j] is pods[i] → pods[j]. Written row by row.
 */
export async function writeMatrixJson(r: Reachability, write: Sink): Promise<void> {
  await write(`{"pods": ${JSON.stringify(r.pods.map((_, i) => podName(r, i)))},\n "results": [`)
  for (let k = 0; k < r.results.length; k++) {
    const m = r.results[k]!
    await write(`${k ? ',' : ''}\n  {"port": ${m.port}, "protocol": "${m.protocol}", "allowed": [`)
    const rows = new MatrixRows(r, m, 'true', 'false', ',')
    for (let i = 0; i < r.pods.length; i++) {
      const cells = rows.row(i)
      await write(`${i ? ',' : ''}\n   [`)
      await write(cells.subarray(0, cells.length - 1))
      await write(']')
    }
    await write(`${r.pods.length ? '\n  ' : ''}]}`)
  }
  await write(`${r.results.length ? '\n ' : ''}]}\n`)
}

/** CSV: one block per port; header `port,protocol,from,<pod>...`, cells 1 (allowed) or 0 (denied). */
export async function writeMatrixCsv(r: Reachability, write: Sink): Promise<void> {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)
  await write(`port,protocol,from,${r.pods.map((_, i) => q(podName(r, i))).join(',')}\n`)
  for (const m of r.results) {
    const rows = new MatrixRows(r, m, '1', '0', ',')
    for (let i = 0; i < r.pods.length; i++) {
      const cells = rows.row(i)
      cells[cells.length - 1] = 0x0a // the last separator becomes the line end
      await write(`${m.port},${m.protocol},${q(podName(r, i))},`)
      await write(cells)
    }
  }
}

/**
 * The e2e-style truth table: rows are sources, columns destinations, `.` allowed, `X` denied. Columns are
 * numbered (digits written downwards when there are more than 9) and the row labels carry the same numbers,
 * so it stays readable at 9×9 and usable at hundreds of pods.
 */
export async function writeMatrixTable(r: Reachability, write: Sink): Promise<void> {
  const n = r.pods.length
  const width = String(n).length
  const names = r.pods.map((_, i) => abbreviate(podName(r, i), 48))
  const nameWidth = Math.max(4, ...names.map((s) => s.length))
  const spaced = n <= 60
  const sep = spaced ? ' ' : ''
  const lead = ' '.repeat(width + 1 + nameWidth + 2)
  for (let k = 0; k < r.results.length; k++) {
    const m = r.results[k]!
    await write(`${k ? '\n' : ''}port ${m.port}/${m.protocol}   (rows: from, columns: to; . allowed, X denied)\n\n`)
    for (let d = width - 1; d >= 0; d--) {
      const digits = r.pods.map((_, j) => {
        const num = String(j + 1)
        return num.length > d ? num[num.length - 1 - d]! : ' '
      })
      await write(`${lead}${digits.join(sep)}\n`)
    }
    const rows = new MatrixRows(r, m, '.', 'X', sep)
    for (let i = 0; i < n; i++) {
      const cells = rows.row(i)
      await write(`${String(i + 1).padStart(width)} ${names[i]!.padEnd(nameWidth)}  `)
      await write(spaced ? cells.subarray(0, cells.length - 1) : cells)
      await write('\n')
    }
  }
}

/** Markdown: one table per port with numbered columns, and the legend of numbers. */
export async function writeMatrixMarkdown(r: Reachability, write: Sink): Promise<void> {
  const n = r.pods.length
  for (let k = 0; k < r.results.length; k++) {
    const m = r.results[k]!
    await write(`${k ? '\n' : ''}### Port ${m.port}/${m.protocol}\n\nRows: from; columns: to; \`.\` allowed, \`X\` denied.\n\n`)
    await write(`| # | from \\ to | ${r.pods.map((_, j) => j + 1).join(' | ')} |\n|---|---|${'---|'.repeat(n)}\n`)
    const rows = new MatrixRows(r, m, '.', 'X', '|')
    for (let i = 0; i < n; i++) {
      await write(`| ${i + 1} | \`${podName(r, i)}\` |`)
      await write(rows.row(i))
      await write('\n')
    }
  }
}

function abbreviate(s: string, max: number): string {
  if (s.length <= max) return s
  const keep = max - 1
  return `${s.slice(0, Math.ceil(keep / 2))}…${s.slice(s.length - Math.floor(keep / 2))}`
}
