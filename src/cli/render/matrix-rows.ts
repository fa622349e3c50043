import { PodRows, type ClassMatrix, type Reachability } from '../../analysis/reachability.js'

/**
 * Rows of a pod×pod matrix as bytes: each cell is `yes + sep` or `no + sep` (the caller drops the final
 * `sep`). Rows come from {@link PodRows} in O(pods) each and are encoded straight into one reused buffer,
 * so a 10k×10k matrix streams without building giant strings.
 */
export class MatrixRows {
  private readonly rows: PodRows
  private readonly cells: Uint8Array
  private readonly yes: Buffer
  private readonly no: Buffer
  private readonly buf: Buffer

  constructor(r: Reachability, m: ClassMatrix, yes: string, no: string, sep: string) {
    this.rows = new PodRows(r, m)
    this.cells = new Uint8Array(r.pods.length)
    this.yes = Buffer.from(yes + sep)
    this.no = Buffer.from(no + sep)
    this.buf = Buffer.alloc(r.pods.length * Math.max(this.yes.length, this.no.length))
  }

  /** Row `i` (source pod i) as its encoded cells; the buffer is reused by the next call, so write it first. */
  row(i: number): Buffer {
    this.rows.fill(i, this.cells)
    const { yes, no, buf, cells } = this
    // cells come in long runs (pods sort by namespace and workload): fill each run natively
    let at = 0
    let j = 0
    while (j < cells.length) {
      const v = cells[j]
      let k = j + 1
      while (k < cells.length && cells[k] === v) k++
      const cell = v ? yes : no
      const end = at + cell.length * (k - j)
      buf.fill(cell, at, end)
      at = end
      j = k
    }
    return buf.subarray(0, at)
  }
}
