/**
 * Where each item of a JSON List sits in its text: what `kubectl get -o json` prints, often tens of megabytes,
 * which the position-keeping YAML parser takes minutes to read. One pass over the text, no tree built.
 */

/**
 * The [start, end) offsets of the elements of the text's top-level array, or of the array under the top-level
 * object's "items" key, by the path to each (`items\u0000N` or `N`); null when the text is not such JSON.
 */
export function jsonItemSpans(text: string): Map<string, readonly [number, number]> | null {
  const n = text.length
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const ws = () => {
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
  }
  const skipString = () => {
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i)
      if (c === 92) i++
      else if (c === 34) return void i++
    }
    throw new SyntaxError('unterminated string')
  }
  /** skips one value of any kind */
  const skipValue = () => {
    let depth = 0
    do {
      ws()
      const c = text.charCodeAt(i)
      if (c === 34) skipString()
      else if (c === 123 || c === 91) (depth++, i++)
      else if (c === 125 || c === 93) (depth--, i++)
      else if (c === 44 || c === 58) i++
      else {
        const start = i
        while (i < n && !/[,\]}:\s]/.test(text[i]!)) i++
        if (i === start) throw new SyntaxError(`unexpected input at ${i}`)
      }
    } while (depth > 0)
  }
  /** the elements of the array at i, each with `prefix` + index */
  const elements = (prefix: string, out: Map<string, readonly [number, number]>) => {
    i++
    ws()
    if (text.charCodeAt(i) === 93) return void i++
    for (let index = 0; ; index++) {
      ws()
      const start = i
      skipValue()
      out.set(`${prefix}${index}`, [start, i])
      ws()
      const sep = text.charCodeAt(i++)
      if (sep === 93) return
      if (sep !== 44) throw new SyntaxError(`expected , or ] at ${i - 1}`)
    }
  }
  const out = new Map<string, readonly [number, number]>()
  try {
    ws()
    if (text.charCodeAt(i) === 91) {
      elements('', out)
      return out
    }
    if (text.charCodeAt(i) !== 123) return null
    i++
    for (;;) {
      ws()
      if (text.charCodeAt(i) === 125) return out
      const keyStart = i
      skipString()
      const key = JSON.parse(text.slice(keyStart, i)) as string
      ws()
      if (text.charCodeAt(i++) !== 58) return null
      ws()
      if (key === 'items' && text.charCodeAt(i) === 91) elements('items\u0000', out)
      else skipValue()
      ws()
      const sep = text.charCodeAt(i++)
      if (sep === 125) return out
      if (sep !== 44) return null
    }
  } catch {
    return null
  }
}
