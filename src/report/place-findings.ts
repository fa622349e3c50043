/**
 * Places lint findings at lines of the manifest texts the loader kept (nothing is read again): the line of each
 * object, and of the field each finding points at. Each object's source names its text, its document and its
 * path inside that document, as the loader found them. JSON (what `kubectl get -o json` prints, often
 * megabytes) is scanned by hand for just the wanted paths; YAML goes through the position-aware parser of
 * src/model/positions.ts, object by object where the loader noted where each lies (SourceTexts.placeAll). An object without text (read from a live cluster) is left as it is.
 */
import type { Path } from '../model/issues.js'
import type { SourceTexts } from '../io/source-texts.js'
import type { Position } from '../model/positions.js'
import { positionsOf } from '../model/byte-positions.js'
import { jsonOffsets, pathKey } from '../model/json-offsets.js'
import type { Finding, LintObject } from '../analysis/lint/finding.js'
import type { LintResult } from '../analysis/lint/index.js'

export { jsonOffsets }

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
  // a List parsed while read: each object with a finding scanned on its own, the kept text never joined
  if (texts.streamed(file)) return placeAll(texts, file, items, true)
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
  // YAML: all at once, each object's own text parsed where the loader noted where objects lie
  return placeAll(texts, file, items, false)
}

/** A placer from SourceTexts.placeAll for every (object, path) to place. */
async function placeAll(texts: SourceTexts, file: string, items: readonly { object: LintObject; path: Path }[], jsonAtKey: boolean): Promise<Placer> {
  const full = (o: LintObject, path: Path): Path => [...(o.source!.at ?? []), ...path]
  const key = (o: LintObject, path: Path) => `${o.source!.doc}${pathKey(full(o, path))}`
  const found = await texts.placeAll(file, items.map(({ object, path }) => ({ doc: object.source!.doc, path: full(object, path) })), jsonAtKey)
  const at = new Map<string, Position | undefined>()
  items.forEach(({ object, path }, i) => at.set(key(object, path), found[i]))
  return { at: (o, path) => at.get(key(o, path)) }
}

/** A BOM and white space, then `{` or `[`. */
function looksLikeJson(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
  while (i < bytes.length && (bytes[i] === 32 || bytes[i] === 9 || bytes[i] === 10 || bytes[i] === 13)) i++
  return bytes[i] === 123 || bytes[i] === 91
}
