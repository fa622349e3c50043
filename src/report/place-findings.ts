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

const JSON_START = /^\uFEFF?\s*[{[]/

/**
 * The result with `object.source.line` set for every object whose text was kept, and `location` (line and column
 * of the finding's path) for findings that point inside one.
 */
export async function placeFindings(result: LintResult, texts: SourceTexts): Promise<LintResult> {
  // every (object, path) to place, per file
  const wanted = new Map<string, { object: LintObject; path: Path }[]>()
  const want = (object: LintObject, path: Path) => {
    if (!object.source || texts.get(object.source.file) === undefined) return
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
  const text = texts.get(file)!
  // the object's path inside its document, as the loader found it
  const full = (o: LintObject, path: Path): Path => [...(o.source!.at ?? []), ...path]
  if (JSON_START.test(text)) {
    const paths: Path[] = []
    for (const { object, path } of items) {
      paths.push(full(object, path))
    }
    const offsets = jsonOffsets(text, paths)
    if (offsets !== null) {
      const lines = lineStarts(text)
      return {
        at(o, path) {
          const p = full(o, path)
          // the deepest part of the path that exists
          for (let n = p.length; n >= 0; n--) {
            const off = offsets.get(pathKey(p.slice(0, n)))
            if (off !== undefined) return position(lines, off)
          }
          return undefined
        },
      }
    }
  }
  const locate: Locator = (await texts.locator(file))!
  return { at: (o, path) => locate(o.source!.doc, full(o, path)) }
}

const pathKey = (p: Path): string => p.map((s) => `\u0000${s}`).join('')

function lineStarts(text: string): number[] {
  const starts = [0]
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return starts
}

function position(starts: readonly number[], offset: number): Position {
  let lo = 0
  let hi = starts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if (starts[mid]! <= offset) lo = mid
    else hi = mid - 1
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 }
}

/**
 * Offsets of `paths` (and of all their ancestors) in JSON text, in one pass that only descends into the
 * values on the way to a wanted path. A value reached through a key is placed at its key, as the YAML locator
 * does; an array element at its first character. Null when the text is not one well-formed JSON value.
 */
export function jsonOffsets(text: string, paths: readonly Path[]): Map<string, number> | null {
  const prefixes = new Set<string>()
  for (const p of paths) for (let n = 0; n <= p.length; n++) prefixes.add(pathKey(p.slice(0, n)))
  const out = new Map<string, number>()
  const n = text.length
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const ws = () => {
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
  }
  const fail = (): never => {
    throw new SyntaxError(`unexpected input at ${i}`)
  }
  const string = (keep: boolean): string => {
    const start = i++
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c === 92) i += 2
      else if (c === 34) {
        i++
        return keep ? (JSON.parse(text.slice(start, i)) as string) : ''
      } else i++
    }
    return fail()
  }
  const value = (key: string | null, at: number): void => {
    ws()
    if (key !== null) out.set(key, at < 0 ? i : at)
    const c = text.charCodeAt(i)
    if (c === 123 || c === 91) {
      const close = c === 123 ? 125 : 93
      i++
      ws()
      if (text.charCodeAt(i) === close) {
        i++
        return
      }
      for (let index = 0; ; index++) {
        ws()
        let child: string | null = null
        let childAt = -1
        if (c === 123) {
          if (text.charCodeAt(i) !== 34) fail()
          childAt = i
          const k = string(key !== null)
          ws()
          if (text.charCodeAt(i++) !== 58) fail()
          if (key !== null) child = `${key}\u0000${k}`
        } else if (key !== null) child = `${key}\u0000${index}`
        value(child !== null && prefixes.has(child) ? child : null, childAt)
        ws()
        const sep = text.charCodeAt(i++)
        if (sep === close) return
        if (sep !== 44) fail()
      }
    }
    if (c === 34) {
      string(false)
      return
    }
    const start = i
    while (i < n && !/[,\]}\s]/.test(text[i]!)) i++
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
