/**
 * JSON manifest bytes → decoded documents, chunk by chunk. Pure: the caller reads the file.
 *
 * `splitDocuments` needs the whole text as one string and then the whole tree from JSON.parse: for the 70 MB
 * that `kubectl get ns,pods,netpol -A -o json` prints for a large cluster, that is hundreds of megabytes at once,
 * and V8 keeps those pages until its next full collection. This stream hands on each item of a `*List` (or each element of a
 * top-level array) as soon as its last byte arrives, decoded on its own, so that only one item's text and tree
 * exist at a time. What lies outside the items (a few hundred bytes: apiVersion, kind, metadata) is kept with
 * each item replaced by `0`, and parsed at the end: only then is it known that the object is a List.
 *
 * Same result as `splitDocuments`, or none: if the text is not strict JSON, or a JSON object whose `items`
 * turned out not to be a List's, `write` or `end` returns false. The caller then drops the documents handed on
 * so far and falls back to `splitDocuments` on the whole text, which also reports syntax errors with positions.
 * Why the result is the same: the skeleton and every item parse as JSON values, so the text does (each item is
 * a value put where its `0` stands), and JSON.parse of the text would give the skeleton's value with the items
 * in place.
 *
 * It also notes where each element's bytes lie (`spans`), so that an issue found in an element can be placed at its
 * line and column without parsing the file again (item-positions.ts).
 */
import { flatten, type ManifestDoc } from './documents.js'
import type { ItemSpans } from './item-positions.js'

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const BOM = [0xef, 0xbb, 0xbf] as const

/** The bytes that matter outside strings; every other byte is skipped by one table lookup. */
const STRUCTURE = new Uint8Array(256)
STRUCTURE[QUOTE] = 1
STRUCTURE[OPEN_ARRAY] = 2
STRUCTURE[OPEN_OBJECT] = 2
STRUCTURE[CLOSE_ARRAY] = 3
STRUCTURE[CLOSE_OBJECT] = 3
STRUCTURE[COMMA] = 4
const IS_JSON_SPACE = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09
/** `items` may be spelled with escapes; a longer key cannot be it */
const MAX_KEY_BYTES = 40

/** Keeps the BOM: JSON.parse rejects one inside the text, and so must the decoded items. */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

/** Copies of byte runs that straddle chunks. */
class Pieces {
  private parts: Uint8Array[] = []
  private length = 0

  get empty(): boolean {
    return this.parts.length === 0
  }

  add(bytes: Uint8Array): void {
    if (bytes.length === 0) return
    this.parts.push(bytes.slice())
    this.length += bytes.length
  }

  /** The pieces, then `last`, as one string; empties the pieces. */
  take(last: Uint8Array): string {
    if (this.parts.length === 0) return decoder.decode(last)
    const all = new Uint8Array(this.length + last.length)
    let at = 0
    for (const p of this.parts) {
      all.set(p, at)
      at += p.length
    }
    all.set(last, at)
    this.parts = []
    this.length = 0
    return decoder.decode(all)
  }
}

/** Feed it with `write`, then `end`; `onDoc` gets the documents in order (see above for when to drop them). */
export class JsonDocumentStream {
  /** bytes of the BOM matched so far; -1 once the first value started */
  private bom = 0
  private top: 'array' | 'object' | null = null
  private failed = false
  private depth = 0
  private inString = false
  /** bytes to skip at the start of the next chunk: the escaped byte after a `\` that ended a chunk */
  private skip = 0
  /** depth of the elements of the items while inside them; -1 elsewhere */
  private itemDepth = -1
  private itemArrays = 0
  private items = 0
  /** earlier bytes of the element under way */
  private readonly item = new Pieces()
  /** earlier bytes of the skeleton run under way */
  private readonly run = new Pieces()
  /** the text outside the items so far, each item replaced by `0` */
  private readonly skeleton: string[] = []
  /** the last string closed at depth 1 of the top object: the key of a value that follows it */
  private key: string | null = null
  /** a string at depth 1 of the top object is under way: its text so far */
  private keySoFar: string | null = null
  /** the value of the element under way, when parsed ahead (see parseIndented) */
  private parsed: unknown = NOT_PARSED
  /** where the element parsed ahead lies: its first byte and the byte after it */
  private parsedFrom = 0
  private parsedTo = 0
  /** bytes before the chunk under way */
  private base = 0
  /** where the element under way starts, white space included: after its `[` or `,` */
  private elementFrom = 0
  private readonly starts: number[] = []
  private readonly ends: number[] = []

  constructor(
    private readonly file: string,
    private readonly onDoc: (doc: ManifestDoc) => void,
  ) {}

  /** Takes the next bytes of the text. False: give up and fall back to `splitDocuments` (see above). */
  write(chunk: Uint8Array): boolean {
    if (this.failed) return false
    let from = 0
    if (this.bom >= 0) {
      from = this.prelude(chunk)
      if (this.failed || from === chunk.length) {
        this.base += chunk.length
        return !this.failed
      }
    }
    this.scan(chunk, from)
    this.base += chunk.length
    return !this.failed
  }

  /** Where each element handed on lies (complete once `end` returned true). */
  spans(): ItemSpans {
    return { at: this.top === 'array' ? [] : ['items'], starts: this.starts, ends: this.ends }
  }

  /** The text is complete. False: give up and fall back to `splitDocuments`; true: every document was handed on. */
  end(): boolean {
    if (this.failed || this.top === null || this.depth !== 0 || this.inString) return false
    this.skeleton.push(this.run.take(EMPTY))
    let value: unknown
    try {
      value = JSON.parse(this.skeleton.join(''))
    } catch {
      return false
    }
    if (this.top === 'array') return Array.isArray(value) && value.length === this.items
    if (this.itemArrays === 0) {
      flatten({ push: this.onDoc }, this.file, 0, [], value)
      return true
    }
    const list = value as { kind?: unknown; items?: unknown }
    return typeof list.kind === 'string' && list.kind.endsWith('List') && Array.isArray(list.items) && list.items.length === this.items
  }

  /** Skips a BOM and JSON whitespace up to the first value, which must be an object or an array. */
  private prelude(chunk: Uint8Array): number {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!
      if (this.bom < BOM.length) {
        if (b === BOM[this.bom]) {
          this.bom++
          continue
        }
        if (this.bom > 0) return this.fail()
        this.bom = BOM.length // no BOM
      }
      if (IS_JSON_SPACE(b)) continue
      if (b !== OPEN_OBJECT && b !== OPEN_ARRAY) return this.fail()
      this.bom = -1
      return i
    }
    return chunk.length
  }

  private fail(): number {
    this.failed = true
    return 0
  }

  /**
   * Follows strings and nesting from `from` on. `runStart` is where the current run (skeleton bytes, or the
   * element under way when inside the items) started in this chunk; its earlier bytes are in `run` or `item`.
   */
  private scan(buf: Uint8Array, from: number): void {
    const n = buf.length
    const keys = this.top !== 'array'
    let depth = this.depth
    let inString = this.inString
    let runStart = from
    let keyStart = 0
    let i = from + this.skip
    while (i < n) {
      if (inString) {
        for (; i < n; i++) {
          const b = buf[i]!
          if (b === QUOTE) break
          if (b === BACKSLASH) i++
        }
        if (i >= n) break
        inString = false
        if (this.keySoFar !== null) {
          const key = this.keySoFar + keyPart(buf, keyStart, i)
          this.key = key.length > MAX_KEY_BYTES ? null : key
          this.keySoFar = null
        }
        i++
        continue
      }
      let k = 0
      for (; i < n; i++) {
        k = STRUCTURE[buf[i]!]!
        if (k !== 0) break
      }
      if (i >= n) break
      if (k === 1) {
        inString = true
        if (depth === 1 && keys) {
          this.keySoFar = ''
          keyStart = i + 1
        }
      } else if (k === 2) {
        if (depth === this.itemDepth && buf[i] === OPEN_OBJECT && this.parsed === NOT_PARSED) {
          const close = this.parseIndented(buf, runStart, i)
          if (close >= 0) {
            // what follows up to the next comma or bracket must be whitespace
            i = runStart = close + 1
            continue
          }
        }
        depth++
        if (depth === 1) {
          // the top value opens (the prelude stopped here), or a second one follows it
          if (this.top !== null) return void this.fail()
          this.top = buf[i] === OPEN_ARRAY ? 'array' : 'object'
          if (this.top === 'array') runStart = this.openItems(buf, runStart, i, depth)
        } else if (depth === 2 && this.top === 'object' && buf[i] === OPEN_ARRAY && this.key !== null && isItemsKey(this.key)) {
          if (++this.itemArrays > 1) return void this.fail()
          runStart = this.openItems(buf, runStart, i, depth)
        }
      } else if (k === 3) {
        if (depth === this.itemDepth) {
          if (!this.closeItems(buf, runStart, i)) return
          runStart = i
        }
        depth--
        if (depth < 0) return void this.fail()
      } else if (depth === this.itemDepth) {
        if (!this.emit(this.item.take(buf.subarray(runStart, i)), this.base + i)) return
        this.skeleton.push('0,')
        runStart = i + 1
        this.elementFrom = this.base + runStart
      }
      i++
    }
    this.skip = i - n
    if (inString && this.keySoFar !== null) this.keySoFar += keyPart(buf, keyStart, n)
    ;(this.itemDepth >= 0 ? this.item : this.run).add(buf.subarray(runStart, n))
    this.depth = depth
    this.inString = inString
  }

  /** At the `[` of the items: the skeleton keeps everything up to it. Returns where the first element starts. */
  private openItems(buf: Uint8Array, runStart: number, at: number, depth: number): number {
    this.skeleton.push(this.run.take(buf.subarray(runStart, at + 1)))
    this.itemDepth = depth
    this.elementFrom = this.base + at + 1
    return at + 1
  }

  /** At the `]` of the items; an empty array has only whitespace between its brackets. */
  private closeItems(buf: Uint8Array, runStart: number, at: number): boolean {
    this.itemDepth = -1
    const text = this.item.take(buf.subarray(runStart, at))
    if (this.items === 0 && this.parsed === NOT_PARSED && BLANK.test(text)) return true
    if (!this.emit(text, this.base + at)) return false
    this.skeleton.push('0')
    return true
  }

  /**
   * The fast path for pretty-printed JSON (kubectl's output, JSON.stringify with an indent): an object element
   * that starts a line closes on the first later line that has its indentation followed by `}`, so that its
   * bytes need not be followed one by one. JSON.parse confirms the guess: a prefix of the element's text that
   * ends in a `}` parses only if that `}` closes the element. Returns the index of that `}` and keeps the value
   * for `emit`, or -1 (the element is then followed byte by byte).
   */
  private parseIndented(buf: Uint8Array, runStart: number, open: number): number {
    if (!this.item.empty) return -1
    let lineStart = open
    while (lineStart > runStart && (buf[lineStart - 1] === 0x20 || buf[lineStart - 1] === 0x09)) lineStart--
    if (lineStart === runStart || buf[lineStart - 1] !== 0x0a) return -1
    for (let j = runStart; j < lineStart; j++) if (!IS_JSON_SPACE(buf[j]!)) return -1
    const indent = open - lineStart
    let close = buf.indexOf(CLOSE_OBJECT, open + 1)
    for (; close >= 0; close = buf.indexOf(CLOSE_OBJECT, close + 1)) {
      if (close - indent - 1 <= open || buf[close - indent - 1] !== 0x0a) continue
      let j = 0
      while (j < indent && buf[close - indent + j] === buf[lineStart + j]) j++
      if (j === indent) break
    }
    if (close < 0) return -1
    try {
      this.parsed = JSON.parse(decoder.decode(buf.subarray(open, close + 1)))
    } catch {
      return -1
    }
    this.parsedFrom = this.base + open
    this.parsedTo = this.base + close + 1
    return close
  }

  /**
   * Hands on the documents of one element: `text`, or the value parsed ahead when `text` is only what followed it.
   * `to`: where the `,` or `]` after the element is.
   */
  private emit(text: string, to: number): boolean {
    let value: unknown = this.parsed
    this.parsed = NOT_PARSED
    try {
      if (value === NOT_PARSED) {
        value = JSON.parse(text)
        // the white space before the element is ASCII: as many bytes as characters
        this.starts.push(this.elementFrom + (text.length - text.trimStart().length))
        this.ends.push(to)
      } else if (!BLANK.test(text)) throw new SyntaxError('text after an element')
      else {
        this.starts.push(this.parsedFrom)
        this.ends.push(this.parsedTo)
      }
    } catch {
      this.fail()
      return false
    }
    const index = this.items++
    flatten({ push: this.onDoc }, this.file, 0, this.top === 'array' ? [index] : ['items', index], value)
    return true
  }
}

const EMPTY = new Uint8Array(0)
const NOT_PARSED: unique symbol = Symbol('not parsed')
const BLANK = /^[ \t\n\r]*$/

/** Part of a key's raw text; a part too long for `items` makes the key too long. */
function keyPart(buf: Uint8Array, from: number, to: number): string {
  return to - from > MAX_KEY_BYTES ? '\u0000'.repeat(MAX_KEY_BYTES + 1) : decoder.decode(buf.subarray(from, to))
}

/** The key of a member, as written between its quotes, is `items` (escapes included). */
function isItemsKey(raw: string): boolean {
  if (raw === 'items') return true
  if (!raw.includes('\\')) return false
  try {
    return JSON.parse(`"${raw}"`) === 'items'
  } catch {
    return false
  }
}
