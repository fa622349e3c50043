import { podAllowed, type ClassMatrix, type Reachability } from '../../analysis/reachability.js'

/**
 * Rows of a pod×pod matrix as text, built per class from runs of equal classes along the columns and
 * reused for every pod of the class (pods of one workload sort next to each other, so runs are long and
 * consecutive rows share a class). Only the diagonal differs per pod: a pod may always reach itself.
 * Each cell is written as `cell + sep`; the caller drops the final `sep`.
 */
export class MatrixRows {
  private readonly runStart: number[] = []
  private readonly runClass: number[] = []
  private readonly runOf: Int32Array
  private cache = new Map<number, { text: string; offsets: Float64Array }>()

  constructor(
    private readonly r: Reachability,
    private readonly m: ClassMatrix,
    private readonly yes: string,
    private readonly no: string,
    private readonly sep: string,
  ) {
    const classOf = r.identities.classOf
    this.runOf = new Int32Array(classOf.length)
    for (let j = 0; j < classOf.length; j++) {
      if (j === 0 || classOf[j] !== classOf[j - 1]) {
        this.runStart.push(j)
        this.runClass.push(classOf[j]!)
      }
      this.runOf[j] = this.runStart.length - 1
    }
  }

  /** The text of row `i` (source pod i), each cell followed by `sep`. */
  row(i: number): string {
    const c = this.r.identities.classOf[i]!
    let entry = this.cache.get(c)
    if (entry === undefined) {
      entry = this.build(c)
      if (this.cache.size >= 8) this.cache.delete(this.cache.keys().next().value!)
      this.cache.set(c, entry)
    }
    if (this.m.rows[c]!.has(c)) return entry.text
    // the class may not reach itself, but the pod reaches itself: patch the diagonal cell
    const run = this.runOf[i]!
    const off = entry.offsets[run]! + (i - this.runStart[run]!) * (this.no.length + this.sep.length)
    return entry.text.slice(0, off) + this.yes + this.sep + entry.text.slice(off + this.no.length + this.sep.length)
  }

  private build(c: number): { text: string; offsets: Float64Array } {
    const n = this.r.identities.classOf.length
    const parts: string[] = []
    const offsets = new Float64Array(this.runStart.length)
    let at = 0
    const row = this.m.rows[c]!
    for (let k = 0; k < this.runStart.length; k++) {
      const len = (k + 1 < this.runStart.length ? this.runStart[k + 1]! : n) - this.runStart[k]!
      const cell = (row.has(this.runClass[k]!) ? this.yes : this.no) + this.sep
      offsets[k] = at
      parts.push(cell.repeat(len))
      at += cell.length * len
    }
    return { text: parts.join(''), offsets }
  }
}

/** Slow and obvious: one cell. For small tables and tests. */
export const cell = (r: Reachability, m: ClassMatrix, i: number, j: number): boolean => podAllowed(r, m, i, j)
