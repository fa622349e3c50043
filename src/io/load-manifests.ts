/**
 * The loader: read every source once (sources.ts), split texts into documents, build the cluster, and place
 * the issues at their line and column. Texts are kept (SourceTexts) so that what is found later — lint
 * findings — is placed without reading anything again. A large JSON file is parsed while it is read, one
 * item at a time, so that neither its whole text nor its whole tree is ever in memory (unless its text is
 * asked to be kept).
 */
import { assembleCluster, parseDocument, type ParsedDocument } from '../model/build-cluster.js'
import type { Cluster } from '../model/cluster.js'
import { splitDocuments, type ManifestDoc } from '../model/documents.js'
import { JsonDocumentStream } from '../model/json-document-stream.js'
import type { LocatedIssue, ModelNote } from '../model/issues.js'
import { STDIN_NAME } from '../model/source.js'
import type { ManifestCache } from './manifest-cache.js'
import { collapseTemplateIssues } from './not-manifests.js'
import { files, stdin, type FileReader, type ReadOptions, type Source, type SourceRead, type StreamedDocs, type StreamedItems } from './sources.js'
import { SourceTexts, type TextItems } from './source-texts.js'

export { ManifestCache } from './manifest-cache.js'
export { STDIN_NAME }

export interface LoadOptions extends ReadOptions {
  /** reads standard input, for the path `-`; defaults to reading process.stdin */
  readonly stdin?: () => Promise<string>
  /** the documents of files read before; a file that has not changed since is not read again */
  readonly cache?: ManifestCache
  /** how files are read (tests count reads through it) */
  readonly reader?: FileReader
}

export interface LoadResult {
  readonly cluster: Cluster
  readonly notes: ModelNote[]
  readonly issues: LocatedIssue[]
  /** the texts read, by unit name, to resolve positions and documents from: empty unless ReadOptions.keepText */
  readonly texts: SourceTexts
}

/**
 * Loads manifests from `paths`: a file (any extension), a directory (searched recursively for .yaml, .yml
 * and .json files in sorted order, skipping hidden files and directories), or `-` for stdin. See loadSources.
 */
export async function loadManifests(paths: readonly string[], opts: LoadOptions = {}): Promise<LoadResult> {
  return loadSources(manifestSources(paths, opts), opts)
}

/** The sources for `-f` paths: the files, with stdin where the first `-` is (stdin is read once). */
export function manifestSources(paths: readonly string[], opts: Pick<LoadOptions, 'stdin' | 'cache' | 'reader'> = {}): Source[] {
  const onDisk = paths.filter((p) => p !== '-')
  const disk = onDisk.length > 0 ? [files(onDisk, { ...(opts.cache ? { cache: opts.cache } : {}), ...(opts.reader ? { reader: opts.reader } : {}), stream: streamJson })] : []
  const dash = paths.indexOf('-')
  if (dash < 0) return disk
  const input = stdin(opts.stdin ?? readProcessStdin)
  return paths.slice(0, dash).length > 0 ? [...disk, input] : [input, ...disk]
}

/**
 * Loads `sources` in order into one cluster. A path that does not exist is reported as `file_not_found`, not
 * thrown. Issues come out ordered by unit, then document, then line. What is not manifests (see
 * not-manifests.ts): a Helm chart is one `helm_chart` issue, template text one `go_template` issue per file,
 * kustomization and values files one `tool_files_skipped` note; a path from which nothing was read gets a
 * `no_manifests` note.
 */
export async function loadSources(sources: readonly Source[], opts: ReadOptions = {}): Promise<LoadResult> {
  const reads: SourceRead[] = []
  for (const s of sources) reads.push(await s.read(opts))
  const issues: LocatedIssue[] = []
  const texts = new Map<string, string | readonly Uint8Array[]>()
  const items = new Map<string, StreamedItems | TextItems>()
  const decoded = new Map<string, readonly ManifestDoc[]>()
  const parsed: ParsedDocument[] = []
  // units that gave a document, a syntax error or a read error: anything but nothing
  const yielded = new Set<string>()
  const order = new Map<string, number>()
  const chartOf = new Map<string, SourceRead>()
  for (const r of reads) {
    for (const i of r.issues) {
      issues.push(i)
      yielded.add(i.file)
    }
    for (const u of r.units) {
      order.set(u.name, order.size)
      chartOf.set(u.name, r)
      const c = u.content
      if (c.kind === 'parsed') {
        if (c.bytes !== undefined) texts.set(u.name, c.bytes)
        if (c.items !== undefined) items.set(u.name, c.items)
        for (const p of c.docs) parsed.push(p)
        if (c.docs.length > 0) yielded.add(u.name)
        continue
      }
      if (c.kind === 'objects') {
        const docs = c.objects.map((value, i): ManifestDoc => (u.origin.kind === 'file' ? { file: u.name, doc: i, pathPrefix: [], value } : { file: u.name, doc: i, pathPrefix: [], value, origin: u.origin }))
        for (const d of docs) parsed.push(parseDocument(d))
        if (opts.keepText) decoded.set(u.name, docs)
        if (c.objects.length > 0) yielded.add(u.name)
        continue
      }
      texts.set(u.name, c.text)
      const split = splitDocuments(u.name, c.text, u.origin.kind === 'file' ? undefined : u.origin)
      for (const issue of split.issues) issues.push(issue)
      const docs = split.docs.map(parseDocument)
      for (const d of docs) parsed.push(d)
      // where the objects lie, to place their issues (and lint's findings) without parsing the whole text again
      if (split.spans !== undefined && (opts.keepText || docs.some((d) => d.issues.length > 0))) items.set(u.name, { docs: split.docs.map((d) => ({ doc: d.doc, pathPrefix: d.pathPrefix })), spans: split.spans })
      if (docs.length > 0 || split.issues.length > 0) yielded.add(u.name)
      if (split.issues.length === 0) u.parsedAs?.(docs)
    }
  }
  const built = assembleCluster(parsed)
  const kept = new SourceTexts(texts, decoded, items)
  const collapsed = await collapseTemplateIssues([...issues, ...built.issues], kept, (file) => chartOf.get(file)?.chartOf(file) ?? Promise.resolve(undefined))
  const located = await kept.placeIssues(collapsed)
  located.sort((a, b) => (order.get(a.file) ?? -1) - (order.get(b.file) ?? -1) || a.doc - b.doc || (a.line ?? 0) - (b.line ?? 0))
  const notes: ModelNote[] = []
  const skipped = reads.flatMap((r) => r.skipped)
  if (skipped.length > 0) notes.push({ code: 'tool_files_skipped', files: skipped })
  for (const p of reads.flatMap((r) => r.byPath)) {
    if (p.problems || p.units.some((f) => yielded.has(f))) continue
    notes.push({ code: 'no_manifests', path: p.path, files: p.directory ? p.units.length : -1 })
  }
  return { cluster: built.cluster, notes: [...notes, ...built.notes], issues: located, texts: opts.keepText ? kept : new SourceTexts() }
}

/**
 * The documents of a JSON text read chunk by chunk, with where each item lies (to place the issues of bad
 * objects without parsing the file again); undefined when it is not JSON, or when a document with an issue is
 * not an item of a List or a top-level array.
 */
async function streamJson(file: string, chunks: AsyncIterable<Uint8Array>): Promise<StreamedDocs | undefined> {
  const parsed: ParsedDocument[] = []
  let placeable = true
  const stream = new JsonDocumentStream(file, (d) => {
    const p = parseDocument(d)
    // an object outside any item (a single top-level object) is placed only by the whole text
    if (p.issues.length > 0 && d.pathPrefix.length === 0) placeable = false
    parsed.push(p)
  })
  for await (const chunk of chunks) if (!stream.write(chunk) || !placeable) return undefined
  return stream.end() && placeable ? { docs: parsed, spans: stream.spans() } : undefined
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
