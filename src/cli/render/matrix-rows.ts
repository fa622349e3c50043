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
  private readonly yesWords: number[]
  private readonly noWords: number[]
  private readonly view: DataView

  constructor(r: Reachability, m: ClassMatrix, yes: string, no: string, sep: string) {
    this.cells = new Uint8Array(r.pods.length)
    this.yes = Buffer.from(yes + sep)
    this.no = Buffer.from(no + sep)
    const single = this.yes.length === 1 && this.no.length === 1
    this.rows = single ? new PodRows(r, m, this.yes[0]!, this.no[0]!) : new PodRows(r, m)
    this.yesWords = words(this.yes)
    this.noWords = words(this.no)
    this.buf = Buffer.alloc(r.pods.length * Math.max(this.yes.length, this.no.length))
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length)
  }

  /** Row `i` (source pod i) as its encoded cells; the buffer is reused by the next call, so write it first. */
  row(i: number): Buffer {
    const { yes, no, buf, cells } = this
    if (yes.length === 1 && no.length === 1) {
      // one byte per cell: the row is written straight into the output buffer
      this.rows.fill(i, buf)
      return buf.subarray(0, cells.length)
    }
    // several bytes per cell: whole words at a time (a cell is at most a few words)
    this.rows.fill(i, cells)
    const view = this.view
    const yesW = this.yesWords
    const noW = this.noWords
    let at = 0
    for (let j = 0; j < cells.length; j++) {
      const words = cells[j] ? yesW : noW
      for (let k = 0; k < words.length; k += 2) {
        const size = words[k]!
        const value = words[k + 1]!
        if (size === 4) view.setUint32(at, value, true)
        else if (size === 2) view.setUint16(at, value, true)
        else view.setUint8(at, value)
        at += size
      }
    }
    return buf.subarray(0, at)
  }
}

/** A cell's bytes as (size, little-endian value) pairs of 4, 2 and 1 bytes. */
function words(bytes: Buffer): number[] {
  const out: number[] = []
  let i = 0
  while (i < bytes.length) {
    const size = bytes.length - i >= 4 ? 4 : bytes.length - i >= 2 ? 2 : 1
    out.push(size, size === 4 ? bytes.readUInt32LE(i) : size === 2 ? bytes.readUInt16LE(i) : bytes[i]!)
    i += size
  }
  return out
}
