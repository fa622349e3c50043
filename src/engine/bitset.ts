/** A fixed-size set of small integers (class indexes), 32 per word. */
export class Bitset {
  readonly words: Uint32Array
  constructor(readonly size: number, words?: Uint32Array) {
    this.words = words ?? new Uint32Array((size + 31) >>> 5)
  }
  static full(size: number): Bitset {
    const b = new Bitset(size)
    b.words.fill(0xffffffff)
    const rest = size & 31
    if (rest !== 0 && b.words.length > 0) b.words[b.words.length - 1] = ((1 << rest) - 1) >>> 0
    return b
  }
  /**
   * A maker of empty bitsets of one size whose words are cut from shared buffers: many long-lived sets (one per
   * class) then cost no backing store each, and the collector has far fewer objects to track.
   */
  static pool(size: number, perBuffer = 256): () => Bitset {
    const words = (size + 31) >>> 5
    let buffer = new Uint32Array(0)
    let used = 0
    return () => {
      if (words === 0) return new Bitset(size)
      if (used + words > buffer.length) {
        buffer = new Uint32Array(words * perBuffer)
        used = 0
      }
      const b = new Bitset(size, buffer.subarray(used, used + words))
      used += words
      return b
    }
  }
  static copy(other: Bitset): Bitset {
    return new Bitset(other.size, Uint32Array.from(other.words))
  }
  add(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31)
  }
  has(i: number): boolean {
    return (this.words[i >>> 5]! & (1 << (i & 31))) !== 0
  }
  orWith(other: Bitset): void {
    const w = this.words
    const o = other.words
    for (let i = 0; i < w.length; i++) w[i]! |= o[i]!
  }
  /** this |= a & b */
  orAnd(a: Bitset, b: Bitset): void {
    const w = this.words
    for (let i = 0; i < w.length; i++) w[i]! |= a.words[i]! & b.words[i]!
  }
  and(other: Bitset): Bitset {
    const out = new Bitset(this.size)
    for (let i = 0; i < out.words.length; i++) out.words[i] = this.words[i]! & other.words[i]!
    return out
  }
  /** Calls `f` with every member, in increasing order. */
  forEach(f: (i: number) => void): void {
    const w = this.words
    for (let k = 0; k < w.length; k++) {
      let word = w[k]!
      while (word !== 0) {
        const low = word & -word
        f((k << 5) + 31 - Math.clz32(low))
        word ^= low
      }
    }
  }
  isEmpty(): boolean {
    for (const w of this.words) if (w !== 0) return false
    return true
  }
}
