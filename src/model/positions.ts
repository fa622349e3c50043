/**
 * Field path → line and column in manifest text, using the `yaml` package's CST positions. Meant for the
 * few files that have issues: parsing with positions is several times slower than the fast path of
 * splitDocuments, so it is never done for files without issues. JSON text works too (JSON is YAML).
 */
import { isAlias, isCollection, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml'
import type { Path } from './issues.js'

/** 1-based line and column. */
export interface Position {
  readonly line: number
  readonly column: number
}

/** Locates paths in one text, parsed once. */
export type Locator = (doc: number, path: Path) => Position | undefined

interface Ranged {
  range?: readonly [number, number, number] | null
}

/**
 * Parses `text` once and returns a function placing a path inside document `doc` (0-based, counted as
 * splitDocuments counts). A scalar is placed at its value; a map or list reached through a key at that key.
 * A path that does not exist (a missing required field) is placed at its deepest existing ancestor.
 * Returns undefined only when the document does not exist.
 */
export function createLocator(text: string): Locator {
  const lc = new LineCounter()
  const offsetOf = offsetLocator(parseAllDocuments(text, { lineCounter: lc, prettyErrors: false }))
  return (docIndex, path) => {
    const offset = offsetOf(docIndex, path)
    if (offset === undefined) return undefined
    const p = lc.linePos(offset)
    return { line: p.line, column: p.col }
  }
}

/** createLocator, giving the offset in `text` (in UTF-16 code units) instead of line and column. */
export function createOffsetLocator(text: string): (doc: number, path: Path) => number | undefined {
  return offsetLocator(parseAllDocuments(text, { prettyErrors: false }))
}

function offsetLocator(docs: ReturnType<typeof parseAllDocuments>): (doc: number, path: Path) => number | undefined {
  return (docIndex, path) => {
    const doc = (Array.isArray(docs) ? docs[docIndex] : undefined) as Document.Parsed | undefined
    if (!doc) return undefined
    let node: unknown = doc.contents
    let best = start(node) ?? doc.range[0]
    let complete = true
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc)
      let next: unknown
      let keyAt: number | undefined
      if (isMap(node)) {
        const pair = node.items.find((p) => keyText(p.key) === String(seg))
        if (pair) {
          keyAt = start(pair.key)
          next = pair.value ?? null
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg]
      }
      if (next === undefined) {
        complete = false
        break
      }
      best = keyAt ?? start(next) ?? best
      node = next
    }
    // a scalar at the end of the path is placed at its value, where the bad text is
    if (complete && isScalar(node)) best = start(node) ?? best
    return best
  }
}

/** Position of `path` in document `doc` of `text`; see createLocator. Parses the text on every call. */
export function locate(text: string, doc: number, path: Path): Position | undefined {
  return createLocator(text)(doc, path)
}

function start(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object') return undefined
  const r = (node as Ranged).range
  return r ? r[0] : undefined
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value)
  if (isCollection(key)) return undefined
  return key === null || key === undefined ? undefined : String(key)
}
