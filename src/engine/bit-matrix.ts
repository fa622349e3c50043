import { Bitset } from './bitset.js'

/** The transpose of `rows` (row r over `columns` bits; null: empty) as `columns` sets over the rows; `none` for empty ones. */
export function transposeRows(nRows: number, columns: number, row: (r: number) => Bitset | null, none: Bitset): Bitset[] {
  const out: Bitset[] = new Array<Bitset>(columns).fill(none)
  const colWords = (columns + 31) >>> 5
  const block = new Uint32Array(32)
  const make = Bitset.pool(nRows)
  // an empty row reads as zeros, so the inner loop reads every row alike
  const zeros = new Uint32Array(colWords)
  const src: Uint32Array[] = new Array<Uint32Array>(32).fill(zeros)
  for (let rb = 0; rb < (nRows + 31) >>> 5; rb++) {
    let any = false
    for (let i = 0; i < 32; i++) {
      const r = (rb << 5) + i
      const bits = r < nRows ? row(r) : null
      src[i] = bits === null ? zeros : bits.words
      if (bits !== null) any = true
    }
    if (!any) continue
    for (let cw = 0; cw < colWords; cw++) {
      let or = 0
      for (let i = 0; i < 32; i++) {
        const v = src[i]![cw]!
        block[i] = v
        or |= v
      }
      if (or === 0) continue
      transpose32(block)
      for (let j = 0; j < 32; j++) {
        const v = block[j]!
        if (v === 0) continue
        const c = (cw << 5) + j
        let set = out[c]!
        if (set === none) out[c] = set = make()
        set.words[rb] = v
      }
    }
  }
  return out
}

/** In place: bit j of word i becomes bit i of word j (swapping off-diagonal blocks of 16, 8, 4, 2, 1). */
export function transpose32(a: Uint32Array): void {
  for (let j = 16, mask = 0x0000ffff; j !== 0; j >>>= 1, mask = (mask ^ (mask << j)) >>> 0) {
    for (let k = 0; k < 32; k = ((k | j) + 1) & ~j) {
      const t = ((a[k]! >>> j) ^ a[k + j]!) & mask
      a[k] = (a[k]! ^ (t << j)) >>> 0
      a[k + j] = (a[k + j]! ^ t) >>> 0
    }
  }
}
