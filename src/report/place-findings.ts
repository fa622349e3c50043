/**
 * Places lint findings at lines of the manifest texts the loader kept (nothing is read again): the line of each
 * object, and of the field each finding points at. Each object's source names its text, its document and its
 * path inside that document, as the loader found them. JSON (what `kubectl get -o json` prints, often
 * megabytes) is scanned by hand for just the wanted paths; YAML goes through the position-aware parser of
 * src/model/positions.ts. An object without text (read from a live cluster) is left as it is.
 */
import type { Path } from '../model/issues.js'
import type { SourceTexts } from '../io/source-texts.js'
import type { Locator } from '../model/positions.js'
import type { Finding, LintObject } from '../analysis/lint/finding.js'
import type { LintResult } from '../analysis/lint/index.js'

interface Position {
  readonly line: number
  readonly column: number
}

/**
 * The result with `object.source.line` set for every object whose text was kept, and `location` (line and column
 * of the finding's path) for findings that point inside one.
 */
export async function placeFindings(result: LintResult, texts: SourceTexts): Promise<LintResult> {
  // every (object, path) to place, per file
  const wanted = new Map<string, { object: LintObject; path: Path }[]>()
  const want = (object: LintObject, path: Path) => {
    if (!object.source || !texts.has(object.source.file)) return
    const list = wanted.get(object.source.file) ?? []
    list.push({ object, path }, { object, path: [] })
    wanted.set(object.source.file, list)
  }
  for (const f of [...result.findings, ...result.suppressed]) {
    want(f.object, f.path)
    for (const r of f.related ?? []) want(r.object, r.path)
  }
  const placers = new Map<string, Placer>()
  for (const [file, items] of wanted) placers.set(file, await makePlacer(texts, file, items))
  const place = (o: LintObject, path: Path): { object: LintObject; at?: Position } => {
    const p = o.source ? placers.get(o.source.file) : undefined
    if (!p) return { object: o }
    const line = p.at(o, [])?.line
    const object = line === undefined ? o : { ...o, source: { ...o.source!, line } }
    const at = path.length > 0 ? p.at(o, path) : undefined
    return at ? { object, at } : { object }
  }
  const placed = (f: Finding): Finding => {
    const { object, at } = place(f.object, f.path)
    const related = f.related?.map((r) => ({ ...r, object: place(r.object, []).object }))
    return { ...f, object, ...(at ? { location: at } : {}), ...(related ? { related } : {}) }
  }
  return { ...result, findings: result.findings.map(placed), suppressed: result.suppressed.map(placed) }
}

interface Placer {
  /** position of `path` inside object `o`; undefined when the object is not found in the file */
  at(o: LintObject, path: Path): Position | undefined
}

async function makePlacer(texts: SourceTexts, file: string, items: readonly { object: LintObject; path: Path }[]): Promise<Placer> {
  // the object's path inside its document, as the loader found it
  const full = (o: LintObject, path: Path): Path => [...(o.source!.at ?? []), ...path]
  const bytes = texts.bytes(file)!
  if (looksLikeJson(bytes)) {
    const paths: Path[] = []
    for (const { object, path } of items) {
      paths.push(full(object, path))
    }
    const offsets = jsonOffsets(bytes, paths)
    if (offsets !== null) {
      const positions = positionsOf(bytes, offsets.values())
      return {
        at(o, path) {
          const p = full(o, path)
          // the deepest part of the path that exists
          for (let n = p.length; n >= 0; n--) {
            const off = offsets.get(pathKey(p.slice(0, n)))
            if (off !== undefined) return positions.get(off)
          }
          return undefined
        },
      }
    }
  }
  const locate: Locator = (await texts.locator(file))!
  return { at: (o, path) => locate(o.source!.doc, full(o, path)) }
}

/** A BOM and white space, then `{` or `[`. */
function looksLikeJson(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
  while (i < bytes.length && (bytes[i] === 32 || bytes[i] === 9 || bytes[i] === 10 || bytes[i] === 13)) i++
  return bytes[i] === 123 || bytes[i] === 91
}

const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length))

const pathKey = (p: Path): string => p.map((s) => `\u0000${s}`).join('')

/**
 * Line and column (in characters, as an editor counts them) of each byte offset, in one pass over the text up to
 * the last offset: lines are counted between consecutive offsets, not indexed for the whole text.
 */
function positionsOf(bytes: Uint8Array, offsets: Iterable<number>): Map<number, Position> {
  const buf = asBuffer(bytes)
  const sorted = Float64Array.from(new Set(offsets)).sort()
  const out = new Map<number, Position>()
  let line = 1
  let lineStart = 0
  let pos = 0
  for (const off of sorted) {
    for (let nl = buf.indexOf(10, pos); nl >= 0 && nl < off; nl = buf.indexOf(10, nl + 1)) {
      line++
      lineStart = nl + 1
    }
    pos = off
    out.set(off, { line, column: buf.toString('utf8', lineStart, off).length + 1 })
  }
  return out
}

/**
 * Byte offsets of `paths` (and of all their ancestors) in JSON text (UTF-8 bytes, or a string taken as its
 * UTF-8 encoding), in one pass that only descends into the values on the way to a wanted path. A value reached
 * through a key is placed at its key, as the YAML locator does; an array element at its first character. Null
 * when the text is not one well-formed JSON value.
 */
export function jsonOffsets(input: string | Uint8Array, paths: readonly Path[]): Map<string, number> | null {
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
    if (key !== null) out.set(key, at < 0 ? i : at)
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
