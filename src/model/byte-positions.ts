/**
 * Byte offsets in UTF-8 text → line and column, as the position parser counts them (1-based; the column in
 * UTF-16 code units, what a JavaScript string and most editors count). The text may come in chunks (a file read
 * again, piece by piece): lines are counted between consecutive offsets in one pass, never indexed for the whole
 * text, and the pass stops at the last offset asked for. The same pass copies out byte ranges (the objects whose
 * fields are then placed inside them, see item-positions.ts).
 */
import type { Position } from './positions.js'

/** UTF-16 code units of the UTF-8 bytes `buf[from, to)`: a character of 4 bytes is two units. */
export function utf16Units(buf: Uint8Array, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) {
    const b = buf[i]!
    if (b < 0x80) n++
    else if ((b & 0xc0) !== 0x80) n += b >= 0xf0 ? 2 : 1
  }
  return n
}

/** Positions of `offsets` and the bytes of `ranges` (half-open), fed chunk by chunk. */
export class ByteScanner {
  readonly positions = new Map<number, Position>()
  private readonly offsets: Float64Array
  private readonly ranges: readonly (readonly [number, number])[]
  private readonly parts: Uint8Array[][]
  private next = 0
  private nextRange = 0
  private base = 0
  private line = 1
  private lineStart = 0
  /** code units from lineStart to base, when the line started in an earlier chunk */
  private carry = 0

  constructor(offsets: Iterable<number>, ranges: readonly (readonly [number, number])[] = []) {
    this.offsets = Float64Array.from(new Set(offsets)).sort()
    this.ranges = [...ranges].sort((a, b) => a[0] - b[0])
    this.parts = this.ranges.map(() => [])
  }

  /** Whether anything is still wanted after what has been fed. */
  get wanting(): boolean {
    return this.next < this.offsets.length || this.nextRange < this.ranges.length
  }

  /** Takes the next chunk (the reader may reuse it afterwards: ranges are copied). */
  feed(chunk: Uint8Array): void {
    const base = this.base
    const end = base + chunk.length
    let pos = 0
    for (; this.next < this.offsets.length && this.offsets[this.next]! <= end; this.next++) {
      const off = this.offsets[this.next]! - base
      this.newlines(chunk, pos, off)
      pos = off
      const column = this.lineStart >= base ? utf16Units(chunk, this.lineStart - base, off) : this.carry + utf16Units(chunk, 0, off)
      this.positions.set(base + off, { line: this.line, column: column + 1 })
    }
    for (let r = this.nextRange; r < this.ranges.length && this.ranges[r]![0] < end; r++) {
      const [from, to] = this.ranges[r]!
      if (to > base) this.parts[r]!.push(chunk.slice(Math.max(from, base) - base, Math.min(to, end) - base))
      if (r === this.nextRange && to <= end) this.nextRange++
    }
    if (!this.wanting) return
    this.newlines(chunk, pos, chunk.length)
    this.carry = this.lineStart >= base ? utf16Units(chunk, this.lineStart - base, chunk.length) : this.carry + utf16Units(chunk, 0, chunk.length)
    this.base = end
  }

  /** The bytes of range `i` (in the order given to the constructor, sorted by start). */
  range(i: number): Uint8Array {
    const p = this.parts[i]!
    if (p.length === 1) return p[0]!
    const all = new Uint8Array(p.reduce((n, x) => n + x.length, 0))
    let at = 0
    for (const x of p) {
      all.set(x, at)
      at += x.length
    }
    return all
  }

  /** the ranges, sorted by start */
  get sortedRanges(): readonly (readonly [number, number])[] {
    return this.ranges
  }

  private newlines(chunk: Uint8Array, from: number, to: number): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)
    for (let nl = buf.indexOf(10, from); nl >= 0 && nl < to; nl = buf.indexOf(10, nl + 1)) {
      this.line++
      this.lineStart = this.base + nl + 1
    }
  }
}

/** Line and column of each byte offset of `bytes` (see ByteScanner). */
export function positionsOf(bytes: Uint8Array, offsets: Iterable<number>): Map<number, Position> {
  const s = new ByteScanner(offsets)
  s.feed(bytes)
  return s.positions
}

/** The position of byte `local` of `bytes`, a run of text that starts at position `start`. */
export function positionWithin(start: Position, bytes: Uint8Array, local: number): Position {
  let lines = 0
  let lineStart = -1
  for (let i = bytes.indexOf(10); i >= 0 && i < local; i = bytes.indexOf(10, i + 1)) {
    lines++
    lineStart = i
  }
  if (lines === 0) return { line: start.line, column: start.column + utf16Units(bytes, 0, local) }
  return { line: start.line + lines, column: utf16Units(bytes, lineStart + 1, local) + 1 }
}
