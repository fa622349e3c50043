import { PodRows, type ClassMatrix, type Reachability } from '../analysis/reachability.js'

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
  private readonly yesText: string
  private readonly noText: string
  /** the text of eight consecutive cells, indexed by their bits (cell k = bit k) */
  private readonly octets: string[]
  private readonly columns: Int32Array | undefined

  /** `columns`: the destination pods (indexes into r.pods), when they are not all the pods in order. */
  constructor(r: Reachability, m: ClassMatrix, yes: string, no: string, sep: string, columns?: readonly number[]) {
    const square = columns === undefined || (columns.length === r.pods.length && columns.every((j, k) => j === k))
    this.columns = square ? undefined : Int32Array.from(columns)
    this.cells = new Uint8Array(this.columns?.length ?? r.pods.length)
    this.yes = Buffer.from(yes + sep)
    this.no = Buffer.from(no + sep)
    const single = this.yes.length === 1 && this.no.length === 1
    this.rows = single ? new PodRows(r, m, this.yes[0]!, this.no[0]!) : new PodRows(r, m)
    this.yesText = yes + sep
    this.noText = no + sep
    this.octets = Array.from({ length: 256 }, (_, bits) => Array.from({ length: 8 }, (__, k) => ((bits >> k) & 1 ? this.yesText : this.noText)).join(''))
    this.buf = Buffer.alloc(this.cells.length * Math.max(this.yes.length, this.no.length))
  }

  /** Row `i` (source pod i) as its encoded cells; the buffer is reused by the next call, so write it first. */
  row(i: number): Buffer {
    const { yes, no, buf, cells } = this
    if (yes.length === 1 && no.length === 1) {
      // one byte per cell: the row is written straight into the output buffer
      this.rows.fill(i, buf, this.columns)
      return buf.subarray(0, cells.length)
    }
    // several bytes per cell: eight cells at a time from a table of their 256 texts, joined natively
    this.rows.fill(i, cells, this.columns)
    const table = this.octets
    let text = ''
    const whole = cells.length & ~7
    for (let j = 0; j < whole; j += 8) {
      text += table[cells[j]! | (cells[j + 1]! << 1) | (cells[j + 2]! << 2) | (cells[j + 3]! << 3) | (cells[j + 4]! << 4) | (cells[j + 5]! << 5) | (cells[j + 6]! << 6) | (cells[j + 7]! << 7)]!
    }
    for (let j = whole; j < cells.length; j++) text += cells[j] ? this.yesText : this.noText
    const at = buf.write(text, 0, 'latin1')
    return buf.subarray(0, at)
  }
}

