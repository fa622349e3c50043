/**
 * Positions of issues inside the items of a large JSON List that was parsed while it was read
 * (json-document-stream.ts). The stream notes where each item's bytes lie; placing an issue then needs only the
 * line and column where its item starts, and the item's own bytes: both come from one pass over the file's bytes
 * that counts lines up to the last item asked for and copies those items out. Nothing is parsed again but the
 * few items that hold an issue, and those by a scan for just the path wanted (jsonPathOffset).
 */
import { ByteScanner, positionWithin } from './byte-positions.js'
import type { Path } from './issues.js'
import { jsonPathOffset } from './json-offsets.js'
import type { Position } from './positions.js'

/** Where each element of a streamed List (or top-level array) lies in the bytes of its file. */
export interface ItemSpans {
  /** the path of the array of elements inside document 0: `['items']` for a List, `[]` for a top-level array */
  readonly at: Path
  /** the first byte of each element, in order */
  readonly starts: readonly number[]
  /** the byte after each element's text (white space may come before it) */
  readonly ends: readonly number[]
}

/** The element a path in document `doc` leads into, and the rest of the path inside it. */
export function itemOf(spans: ItemSpans, doc: number, path: Path): { readonly index: number; readonly rest: Path } | undefined {
  if (doc !== 0 || path.length <= spans.at.length) return undefined
  for (let i = 0; i < spans.at.length; i++) if (path[i] !== spans.at[i]) return undefined
  const index = path[spans.at.length]
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= spans.starts.length) return undefined
  return { index, rest: path.slice(spans.at.length + 1) }
}

/**
 * The position of each of `wanted`, from `bytes` (the file's bytes in chunks; read only up to the last item
 * needed). Undefined for a path that leads into no element. `atKey`: see jsonPathOffset.
 */
export async function placeInItems(spans: ItemSpans, bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, wanted: readonly { readonly doc: number; readonly path: Path }[], atKey = false): Promise<(Position | undefined)[]> {
  const found = wanted.map((w) => itemOf(spans, w.doc, w.path))
  const indexes = [...new Set(found.flatMap((f) => (f ? [f.index] : [])))]
  if (indexes.length === 0) return found.map(() => undefined)
  const scanner = new ByteScanner(
    indexes.map((i) => spans.starts[i]!),
    indexes.map((i) => [spans.starts[i]!, spans.ends[i]!] as const),
  )
  for await (const chunk of bytes) {
    scanner.feed(chunk)
    if (!scanner.wanting) break
  }
  const items = new Map<number, Uint8Array>()
  scanner.sortedRanges.forEach((r, i) => items.set(r[0], scanner.range(i)))
  return found.map((f) => {
    if (!f) return undefined
    const start = spans.starts[f.index]!
    const at = scanner.positions.get(start)
    const item = items.get(start)
    if (at === undefined || item === undefined) return undefined
    const local = jsonPathOffset(item, f.rest, atKey)
    return local === undefined ? at : positionWithin(at, item, local)
  })
}
