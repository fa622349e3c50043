/**
 * Where paths lie in JSON text, found by scanning its bytes for just those paths (no tree is built): what places a
 * field inside an object of a large kubectl List, where the position-keeping YAML parser would be far too slow.
 */
import type { Path } from './issues.js'

const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length))

/** The key of a path in the maps jsonOffsets returns. */
export const pathKey = (p: Path): string => p.map((s) => `\u0000${s}`).join('')

/**
 * Byte offsets of `paths` (and of all their ancestors) in JSON text (UTF-8 bytes, or a string taken as its
 * UTF-8 encoding), in one pass that only descends into the values on the way to a wanted path. A value reached
 * through a key is placed at its key, as the YAML locator does; an array element at its first character. `values`,
 * when given, gets the offset of each of those values' first byte too. Null when the text is not one well-formed
 * JSON value.
 */
export function jsonOffsets(input: string | Uint8Array, paths: readonly Path[], values?: Map<string, number>): Map<string, number> | null {
  const text = typeof input === 'string' ? Buffer.from(input, 'utf8') : asBuffer(input)
  const prefixes = new Set<string>()
  for (const p of paths) for (let n = 0; n <= p.length; n++) prefixes.add(pathKey(p.slice(0, n)))
  const out = new Map<string, number>()
  const n = text.length
  let i = text[0] === 0xef && text[1] === 0xbb && text[2] === 0xbf ? 3 : 0
  const ws = () => {
    for (let c = text[i]; c === 32 || c === 9 || c === 10 || c === 13; c = text[++i]);
  }
  const fail = (): never => {
    throw new SyntaxError(`unexpected input at ${i}`)
  }
  const string = (keep: boolean): string => {
    const start = i++
    while (i < n) {
      const c = text[i]!
      if (c === 92) i += 2
      else if (c === 34) {
        i++
        return keep ? (JSON.parse(text.toString('utf8', start, i)) as string) : ''
      } else i++
    }
    return fail()
  }
  // what ends a number or a literal: , ] } and white space
  const ends = (c: number) => c === 44 || c === 93 || c === 125 || c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11
  const value = (key: string | null, at: number): void => {
    ws()
    if (key !== null) {
      out.set(key, at < 0 ? i : at)
      values?.set(key, i)
    }
    const c = text[i]
    if (c === 123 || c === 91) {
      const close = c === 123 ? 125 : 93
      i++
      ws()
      if (text[i] === close) {
        i++
        return
      }
      for (let index = 0; ; index++) {
        ws()
        let child: string | null = null
        let childAt = -1
        if (c === 123) {
          if (text[i] !== 34) fail()
          childAt = i
          const k = string(key !== null)
          ws()
          if (text[i++] !== 58) fail()
          if (key !== null) child = `${key}\u0000${k}`
        } else if (key !== null) child = `${key}\u0000${index}`
        value(child !== null && prefixes.has(child) ? child : null, childAt)
        ws()
        const sep = text[i++]
        if (sep === close) return
        if (sep !== 44) fail()
      }
    }
    if (c === 34) {
      string(false)
      return
    }
    const start = i
    while (i < n && !ends(text[i]!)) i++
    if (i === start) fail()
  }
  try {
    value('', -1)
    ws()
    return i >= n ? out : null
  } catch {
    return null
  }
}

/**
 * Offset of `path` in JSON text, placed as the position parser (positions.ts) places it: a scalar at its value, a
 * map or list reached through a key at that key, an array element at its first character, a path that does not
 * exist at its deepest existing ancestor. `atKey`: a scalar too is placed at its key (as lint places findings in
 * JSON). Undefined when the text is not one well-formed JSON value.
 */
export function jsonPathOffset(input: Uint8Array, path: Path, atKey = false): number | undefined {
  const values = new Map<string, number>()
  const at = jsonOffsets(input, [path], values)
  if (at === null) return undefined
  for (let n = path.length; n >= 0; n--) {
    const key = pathKey(path.slice(0, n))
    const off = at.get(key)
    if (off === undefined) continue
    if (n === path.length && !atKey) {
      const v = values.get(key)!
      if (input[v] !== 0x7b && input[v] !== 0x5b) return v
    }
    return off
  }
  return undefined
}
