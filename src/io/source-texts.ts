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
   * Fills line and column of the issues that have none: from where the items lie for a List parsed while read (all
   * of a unit's issues in one pass over its bytes), from the unit's text otherwise.
   */
  async placeIssues(issues: readonly LocatedIssue[]): Promise<LocatedIssue[]> {
    const inItems = new Map<string, number[]>()
    issues.forEach((i, n) => {
      if (i.line !== undefined || !this.items.has(i.file)) return
      const list = inItems.get(i.file) ?? []
      list.push(n)
      inItems.set(i.file, list)
    })
    const placed = new Map<number, Position | undefined>()
    for (const [file, ns] of inItems) {
      const items = this.items.get(file)!
      const wanted = ns.map((n) => ({ doc: issues[n]!.doc, path: issues[n]!.issue.path }))
      const text = 'bytes' in items ? undefined : this.get(file)
      let found: (Position | undefined)[]
      if ('bytes' in items) found = await (await import('../model/item-positions.js')).placeInItems(items.spans, items.bytes(), wanted)
      else if (text !== undefined) found = (await import('../model/text-item-positions.js')).placeInTextItems(text, items.docs, items.spans, wanted)
      else continue
      ns.forEach((n, k) => placed.set(n, found[k]))
    }
    const out: LocatedIssue[] = []
    for (let n = 0; n < issues.length; n++) {
      const i = issues[n]!
      const pos = i.line !== undefined ? undefined : placed.has(n) ? placed.get(n) : await this.locate(i.file, i.doc, i.issue.path)
      out.push(pos ? { ...i, line: pos.line, column: pos.column } : i)
    }
    return out
  }
}
