import { LabCell, type LabComparison } from '../../analysis/lab-compare.js'
import type { Sink } from './matrix.js'

const SYMBOL: Record<LabCell, string> = { [LabCell.notProbed]: '-', [LabCell.allowed]: '.', [LabCell.denied]: 'X', [LabCell.failed]: '!' }

/**
 * The measured truth table, laid out like `netpol matrix`'s (rows: from, columns: to, numbered): `.` the
 * connection was made, `X` nothing answered (dropped), `-` not probed (a pod to itself, a port the destination
 * does not serve, an end without an address of the family), `!` the probe failed.
 */
export async function writeLabTable(cmp: LabComparison, write: Sink): Promise<void> {
  const n = cmp.pods.length
  const width = String(n).length
  const names = cmp.pods.map((p) => abbreviate(`${p.namespace}/${p.name}`, 48))
  const nameWidth = Math.max(4, ...names.map((s) => s.length))
  const sep = n <= 60 ? ' ' : ''
  const lead = ' '.repeat(width + 1 + nameWidth + 2)
  for (let k = 0; k < cmp.ports.length; k++) {
    const { port, protocol } = cmp.ports[k]!
    const cells = cmp.cells[k]!
    await write(`${k ? '\n' : ''}port ${port}/${protocol}   (rows: from, columns: to; . connected, X no answer, - not probed, ! probe failed)\n\n`)
    for (let d = width - 1; d >= 0; d--) {
      const digits = cmp.pods.map((_, j) => {
        const num = String(j + 1)
        return num.length > d ? num[num.length - 1 - d]! : ' '
      })
      await write(`${lead}${digits.join(sep)}\n`)
    }
    for (let i = 0; i < n; i++) {
      const row = Array.from(cells.subarray(i * n, (i + 1) * n), (c) => SYMBOL[c as LabCell]).join(sep)
      await write(`${String(i + 1).padStart(width)} ${names[i]!.padEnd(nameWidth)}  ${row}\n`)
    }
  }
}

function abbreviate(s: string, max: number): string {
  if (s.length <= max) return s
  const keep = max - 1
  return `${s.slice(0, Math.ceil(keep / 2))}…${s.slice(s.length - Math.floor(keep / 2))}`
}
