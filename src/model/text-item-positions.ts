/**
 * Positions of issues in a YAML text from where its objects lie, as the one js-yaml parse noted them
 * (SplitResult.spans): an issue is placed by parsing the text of its own object with the position-keeping parser,
 * never the whole file (at 100,000 pods, ~300 MB of YAML, that parse alone takes minutes and gigabytes). The
 * object's text is cut from the start of its first line, with what comes before it on that line (`- `, `--- `)
 * made spaces: every line and column inside it is then what it is in the file.
 */
import type { ManifestDoc, TextSpans } from './documents.js'
import type { Path } from './issues.js'
import { pathKey } from './json-offsets.js'
import { createOffsetLocator, type Position } from './positions.js'

type Wanted = { readonly doc: number; readonly path: Path }

/** The position of each of `wanted` in `text`, whose documents `docs` lie at `spans`; undefined outside them. */
export function placeInTextItems(text: string, docs: readonly Pick<ManifestDoc, 'doc' | 'pathPrefix'>[], spans: TextSpans, wanted: readonly Wanted[]): (Position | undefined)[] {
  const byPrefix = new Map<string, number>()
  docs.forEach((d, i) => byPrefix.set(`${d.doc}${pathKey(d.pathPrefix)}`, i))
  // each object's text is parsed once, however many paths are placed in it
  const objects = new Map<number, (path: Path) => number>()
  const offsets = wanted.map((w) => {
    for (let n = w.path.length; n >= 0; n--) {
      const i = byPrefix.get(`${w.doc}${pathKey(w.path.slice(0, n))}`)
      if (i === undefined) continue
      let offsetOf = objects.get(i)
      if (offsetOf === undefined) objects.set(i, (offsetOf = objectLocator(text, spans.starts[i]!, spans.ends[i]!)))
      return offsetOf(w.path.slice(n))
    }
    return undefined
  })
  const positions = positionsIn(text, offsets.filter((o): o is number => o !== undefined))
  return offsets.map((o) => (o === undefined ? undefined : positions.get(o)))
}

/** Offset in `text` of a path inside the object that lies at [from, to). */
function objectLocator(text: string, from: number, to: number): (path: Path) => number {
  const start = contentStart(text, from, to)
  const lineStart = text.lastIndexOf('\n', start - 1) + 1
  const locate = createOffsetLocator(' '.repeat(start - lineStart) + text.slice(start, to))
  return (path) => {
    const local = locate(0, path)
    return local === undefined ? start : lineStart + local
  }
}

/** The first character of the node opened at `from`: past white space, comments and a byte order mark. */
function contentStart(text: string, from: number, to: number): number {
  let i = from
  while (i < to) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xfeff) i++
    else if (c === 0x23) {
      const nl = text.indexOf('\n', i)
      i = nl < 0 ? to : nl + 1
    } else break
  }
  return i < to ? i : from
}

/** Line and column of each offset (UTF-16 code units, as the position parser counts), in one pass up to the last. */
function positionsIn(text: string, offsets: readonly number[]): Map<number, Position> {
  const out = new Map<number, Position>()
  let line = 1
  let lineStart = 0
  let pos = 0
  for (const off of [...new Set(offsets)].sort((a, b) => a - b)) {
    for (let nl = text.indexOf('\n', pos); nl >= 0 && nl < off; nl = text.indexOf('\n', nl + 1)) {
      line++
      lineStart = nl + 1
    }
    pos = off
    out.set(off, { line, column: off - lineStart + 1 })
  }
  return out
}
