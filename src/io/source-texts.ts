/**
 * The texts the loader read, kept by unit name (originName of their origin), so that a line and column can be
 * found for any path after loading without reading again. Nothing is computed until asked: the position
 * parser runs only for a text that has something to place, once per text. A large JSON List parsed while read
 * (and not kept) is placed from where its items lie (item-positions.ts): its bytes are read again, not parsed; a
 * YAML text from where its objects lie (text-item-positions.ts): only the objects with issues are parsed again.
 */
import { splitDocuments, type ManifestDoc, type TextSpans } from '../model/documents.js'
import type { LocatedIssue, Path } from '../model/issues.js'
import type { Locator, Position } from '../model/positions.js'
import type { StreamedItems } from './sources.js'

/** Where the documents of a kept YAML text lie, as its one parse noted them (see placeInTextItems). */
export interface TextItems {
  readonly docs: readonly Pick<ManifestDoc, 'doc' | 'pathPrefix'>[]
  readonly spans: TextSpans
}

export class SourceTexts {
  private readonly locators = new Map<string, Locator>()
  private createLocator: ((text: string) => Locator) | undefined

  private readonly texts: Map<string, string | readonly Uint8Array[]>
  private readonly docs = new Map<string, readonly ManifestDoc[]>()
  private readonly items: ReadonlyMap<string, StreamedItems | TextItems>

  /**
   * texts by unit name, as strings or as UTF-8 bytes in pieces (decoded on first use); `objects`: the documents
   * of units that were decoded objects (a live cluster), kept when texts are; `items`: where the items of the units
   * parsed while read lie, to place issues in them
   */
  constructor(texts: ReadonlyMap<string, string | readonly Uint8Array[]> = new Map(), objects: ReadonlyMap<string, readonly ManifestDoc[]> = new Map(), items: ReadonlyMap<string, StreamedItems | TextItems> = new Map()) {
    this.texts = new Map(texts)
    this.items = items
    for (const [name, docs] of objects) this.docs.set(name, docs)
  }

  /**
   * The documents of unit `name` as written (decoded again from the kept text, not read again; memoised): what a
   * caller that needs the raw objects uses, such as the lab copying policies as the user wrote them. Empty
   * when nothing was kept for `name`.
   */
  documents(name: string): readonly ManifestDoc[] {
    let d = this.docs.get(name)
    if (d === undefined) {
      const text = this.get(name)
      d = text === undefined ? [] : splitDocuments(name, text).docs
      this.docs.set(name, d)
    }
    return d
  }

  /** the names of the units whose text was kept */
  names(): string[] {
    return [...this.texts.keys()]
  }

  /** whether unit `name` is a JSON List parsed while read whose items' places were kept (see placeAll) */
  streamed(name: string): boolean {
    const items = this.items.get(name)
    return items !== undefined && 'bytes' in items
  }

  /** whether the text of unit `name` was kept */
  has(name: string): boolean {
    return this.texts.has(name)
  }

  /**
   * The text of unit `name` as UTF-8 bytes, not decoded (a kept text may be longer than the longest string V8
   * can hold, ~512 MiB); undefined when it was not kept.
   */
  bytes(name: string): Uint8Array | undefined {
    const t = this.texts.get(name)
    if (t === undefined) return undefined
    if (typeof t === 'string') return Buffer.from(t, 'utf8')
    if (t.length === 1) return t[0]!
    const joined = Buffer.concat(t)
    this.texts.set(name, [joined])
    return joined
  }

  /** the text of unit `name`; undefined when it was not kept (parsed while read, or decoded objects) */
  get(name: string): string | undefined {
    const t = this.texts.get(name)
    if (t === undefined || typeof t === 'string') return t
    const text = Buffer.concat(t).toString('utf8')
    this.texts.set(name, text)
    return text
  }

  /** Position of `path` in document `doc` of unit `name` (see createLocator); undefined without its text. */
  async locate(name: string, doc: number, path: Path): Promise<Position | undefined> {
    const locator = await this.locator(name)
    return locator?.(doc, path)
  }

  /** The locator of unit `name`, made on first use; undefined without its text. */
  async locator(name: string): Promise<Locator | undefined> {
    const text = this.get(name)
    if (text === undefined) return undefined
    let l = this.locators.get(name)
    if (l === undefined) {
      // the position parser is loaded only when something is placed, so a clean run does not pay for it
      this.createLocator ??= (await import('../model/positions.js')).createLocator
      this.locators.set(name, (l = this.createLocator(text)))
    }
    return l
  }

  /**
   * Positions of many paths in unit `name` at once: from where its objects lie when that was noted while it was
   * read (a List parsed while read: one pass over its bytes; a YAML text: each object's own text parsed), from the
   * locator of its whole text otherwise. Undefined for a path that cannot be placed. `jsonAtKey`: in a List parsed
   * while read, a scalar is placed at its key (see jsonPathOffset).
   */

  async placeAll(name: string, wanted: readonly { readonly doc: number; readonly path: Path }[], jsonAtKey = false): Promise<(Position | undefined)[]> {
    const items = this.items.get(name)
    if (items !== undefined && 'bytes' in items) return (await import('../model/item-positions.js')).placeInItems(items.spans, items.bytes(), wanted, jsonAtKey)
    const text = items !== undefined ? this.get(name) : undefined
    if (items !== undefined && text !== undefined) return (await import('../model/text-item-positions.js')).placeInTextItems(text, items.docs, items.spans, wanted)
    const out: (Position | undefined)[] = []
    for (const w of wanted) out.push(await this.locate(name, w.doc, w.path))
    return out
  }

  /** Fills line and column of the issues that have none (see placeAll), all of a unit's at once. */
  async placeIssues(issues: readonly LocatedIssue[]): Promise<LocatedIssue[]> {
    const byFile = new Map<string, number[]>()
    issues.forEach((i, n) => {
      if (i.line !== undefined) return
      const list = byFile.get(i.file) ?? []
      list.push(n)
      byFile.set(i.file, list)
    })
    const placed = new Map<number, Position | undefined>()
    for (const [file, ns] of byFile) {
      const found = await this.placeAll(file, ns.map((n) => ({ doc: issues[n]!.doc, path: issues[n]!.issue.path })))
      ns.forEach((n, k) => placed.set(n, found[k]))
    }
    return issues.map((i, n) => {
      const pos = placed.get(n)
      return pos ? { ...i, line: pos.line, column: pos.column } : i
    })
  }
}
