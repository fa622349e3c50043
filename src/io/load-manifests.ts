/**
 * The I/O shell around the pure model: read files, directories and stdin, split and build, then place the
 * issues of the files that have any at their line and column. A large JSON file is parsed while it is read,
 * one item at a time, so that neither its whole text nor its whole tree is ever in memory.
 */
import { open, readdir, readFile, realpath, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { assembleCluster, parseDocument, type ParsedDocument } from '../model/build-cluster.js'
import type { Cluster } from '../model/cluster.js'
import { splitDocuments } from '../model/documents.js'
import { JsonDocumentStream } from '../model/json-document-stream.js'
import type { LocatedIssue, ModelNote } from '../model/issues.js'
import type { createLocator } from '../model/positions.js'
import { CHART_FILE, chartIssue, collapseTemplateIssues, toolFileKind } from './not-manifests.js'

export interface LoadOptions {
  /** reads standard input, for the path `-`; defaults to reading process.stdin */
  readonly stdin?: () => Promise<string>
  /** the documents of files read before; a file that has not changed since is not read again */
  readonly cache?: ManifestCache
}

/**
 * The parsed documents of each file, for a caller that loads the same paths again and again (the agent, on every
 * change). A file counts as unchanged while its device, inode, size, mtime and ctime (in nanoseconds) are; a
 * file written in place or renamed over changes at least one of them. Only files without issues are kept: an
 * issue needs the file's text to be placed. The parsed objects are immutable, so clusters built from the cache
 * share them safely.
 */
export class ManifestCache {
  private readonly files = new Map<string, { readonly key: string; readonly docs: readonly ParsedDocument[] }>()

  get(file: string, key: string): readonly ParsedDocument[] | undefined {
    const hit = this.files.get(file)
    return hit !== undefined && hit.key === key ? hit.docs : undefined
  }

  set(file: string, key: string, docs: readonly ParsedDocument[]): void {
    if (docs.every((d) => d.issues.length === 0)) this.files.set(file, { key, docs })
    else this.files.delete(file)
  }

  /** Forgets the files not among `files` (deleted, or no longer under the paths). */
  keepOnly(files: readonly string[]): void {
    const keep = new Set(files)
    for (const f of this.files.keys()) if (!keep.has(f)) this.files.delete(f)
  }

  get size(): number {
    return this.files.size
  }
}

export interface LoadResult {
  readonly cluster: Cluster
  readonly notes: ModelNote[]
  readonly issues: LocatedIssue[]
}

/** The name stdin goes by in messages. */
export const STDIN_NAME = '<stdin>'
const MANIFEST_EXT = /\.(ya?ml|json)$/i

/**
 * Loads manifests from `paths`: a file (any extension), a directory (searched recursively for .yaml, .yml
 * and .json files in sorted order, skipping hidden files and directories), or `-` for stdin. A path that
 * does not exist is reported as `file_not_found`, not thrown. Issues come out ordered by file, then
 * document, then line. What is not manifests (see not-manifests.ts): a Helm chart is one `helm_chart` issue,
 * template text one `go_template` issue per file, kustomization and values files one `tool_files_skipped`
 * note; a path from which nothing was read gets a `no_manifests` note.
 */
export async function loadManifests(paths: readonly string[], opts: LoadOptions = {}): Promise<LoadResult> {
  const issues: LocatedIssue[] = []
  const texts = new Map<string, string>()
  const files: string[] = []
  const seen = new Map<string, string>()
  const found: Found = { skipped: [] }
  // per path: the files it led to (also those read for an earlier path), to note a path that held nothing
  const byPath: { path: string; files: string[]; directory: boolean; problems: boolean }[] = []
  for (const p of paths) {
    if (p === '-') {
      byPath.push({ path: STDIN_NAME, files: [STDIN_NAME], directory: false, problems: false })
      if (texts.has(STDIN_NAME)) continue
      files.push(STDIN_NAME)
      texts.set(STDIN_NAME, await (opts.stdin ?? readProcessStdin)())
      continue
    }
    const before = issues.length + found.skipped.length
    const expanded = await expand(p, issues, found)
    const mine: string[] = []
    for (const f of expanded.files) {
      const real = await realpath(f).catch(() => f)
      const known = seen.get(real)
      if (known !== undefined) {
        mine.push(known)
        continue
      }
      seen.set(real, f)
      files.push(f)
      mine.push(f)
    }
    byPath.push({ path: p, files: mine, directory: expanded.directory, problems: issues.length + found.skipped.length > before })
  }
  // a large JSON file is parsed while it is read; any other file, or one with an issue, is read whole and split
  const cache = opts.cache
  // one stat per file: its size picks the reader, and with a cache its version picks the cached documents
  const stats = await Promise.all(files.map((f) => (texts.has(f) ? null : fileVersion(f))))
  const keys = stats.map((s) => (cache && s !== null ? s.key : null))
  const contents = await Promise.all(
    files.map((f, i) => {
      if (texts.has(f)) return texts.get(f)!
      const key = keys[i]
      return (key != null ? cache?.get(f, key) : undefined) ?? readManifest(f, stats[i]?.size ?? 0, issues)
    }),
  )
  const parsed: ParsedDocument[] = []
  // files that gave a document, a syntax error or a read error: anything but nothing
  const yielded = new Set<string>()
  files.forEach((f, i) => {
    const content = contents[i]
    if (content === undefined) return yielded.add(f)
    const key = keys[i]
    if (typeof content !== 'string') {
      for (const p of content) parsed.push(p)
      if (content.length > 0) yielded.add(f)
      if (key != null) cache?.set(f, key, content)
      return
    }
    texts.set(f, content)
    const split = splitDocuments(f, content)
    for (const issue of split.issues) issues.push(issue)
    const docs = split.docs.map(parseDocument)
    for (const d of docs) parsed.push(d)
    if (docs.length > 0 || split.issues.length > 0) yielded.add(f)
    if (key != null && split.issues.length === 0) cache?.set(f, key, docs)
  })
  cache?.keepOnly(files)
  const built = assembleCluster(parsed)
  const located = await placeIssues(await collapseTemplateIssues([...issues, ...built.issues], texts), texts)
  const order = new Map(files.map((f, i) => [f, i]))
  located.sort((a, b) => (order.get(a.file) ?? -1) - (order.get(b.file) ?? -1) || a.doc - b.doc || (a.line ?? 0) - (b.line ?? 0))
  const notes: ModelNote[] = []
  if (found.skipped.length > 0) notes.push({ code: 'tool_files_skipped', files: found.skipped })
  for (const p of byPath) {
    if (p.problems || p.files.some((f) => yielded.has(f))) continue
    notes.push({ code: 'no_manifests', path: p.path, files: p.directory ? p.files.length : -1 })
  }
  return { cluster: built.cluster, notes: [...notes, ...built.notes], issues: located }
}

const CHUNK_BYTES = 1 << 20

/** A file's size, and what identifies this version of it (see ManifestCache); null when it cannot be read. */
async function fileVersion(file: string): Promise<{ readonly size: number; readonly key: string } | null> {
  try {
    const s = await stat(file, { bigint: true })
    return { size: Number(s.size), key: `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}` }
  } catch {
    return null
  }
}

/**
 * A file's documents, parsed while it is read when it is a large JSON file (see JsonDocumentStream); otherwise,
 * or when a document has an issue (placing it needs the text), the file's text. Undefined, with the issue
 * recorded, when the file cannot be read.
 */
async function readManifest(file: string, size: number, issues: LocatedIssue[]): Promise<readonly ParsedDocument[] | string | undefined> {
  if (size > CHUNK_BYTES) {
    const parsed = await streamJson(file).catch(() => undefined)
    if (parsed !== undefined) return parsed
  }
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    issues.push(fileIssue(file, err))
    return undefined
  }
}

/** The documents of a JSON file read chunk by chunk; undefined when it is not JSON or a document has an issue. */
async function streamJson(file: string): Promise<ParsedDocument[] | undefined> {
  const parsed: ParsedDocument[] = []
  let clean = true
  const stream = new JsonDocumentStream(file, (d) => {
    const p = parseDocument(d)
    if (p.issues.length > 0) clean = false
    parsed.push(p)
  })
  const handle = await open(file, 'r')
  try {
    const buf = new Uint8Array(CHUNK_BYTES)
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, CHUNK_BYTES, null)
      if (bytesRead === 0) break
      if (!stream.write(buf.subarray(0, bytesRead)) || !clean) return undefined
    }
  } finally {
    await handle.close()
  }
  return stream.end() && clean ? parsed : undefined
}

/**
 * Fills line and column from the text of each file that has issues; each such file is parsed once. The
 * position parser is loaded only when there is an issue, so a clean run does not pay for it at start-up.
 */
async function placeIssues(issues: readonly LocatedIssue[], texts: ReadonlyMap<string, string>): Promise<LocatedIssue[]> {
  if (issues.length === 0) return []
  const { createLocator } = await import('../model/positions.js')
  const locators = new Map<string, ReturnType<typeof createLocator>>()
  return issues.map((i) => {
    if (i.line !== undefined) return i
    const text = texts.get(i.file)
    if (text === undefined) return i
    let locator = locators.get(i.file)
    if (!locator) locators.set(i.file, (locator = createLocator(text)))
    const pos = locator(i.doc, i.issue.path)
    return pos ? { ...i, line: pos.line, column: pos.column } : i
  })
}

/** What the walk set aside: files of other tools, skipped by name. */
interface Found {
  readonly skipped: { readonly file: string; readonly tool: 'kustomize' | 'helm-values' }[]
}

async function expand(path: string, issues: LocatedIssue[], found: Found): Promise<{ files: string[]; directory: boolean }> {
  let info
  try {
    info = await stat(path)
  } catch (err) {
    issues.push(fileIssue(path, err))
    return { files: [], directory: false }
  }
  if (!info.isDirectory()) {
    const name = basename(path)
    if (name === CHART_FILE) {
      issues.push(chartIssue(dirname(path)))
      return { files: [], directory: false }
    }
    const tool = toolFileKind(name)
    if (tool) {
      found.skipped.push({ file: path, tool })
      return { files: [], directory: false }
    }
    return { files: [path], directory: false }
  }
  const out: string[] = []
  await walk(path, out, new Set([await realpath(path)]), issues, found)
  return { files: out, directory: true }
}

/**
 * Manifest files under `dir`, in sorted order. A Helm chart (a directory holding Chart.yaml) is not entered:
 * it is one `helm_chart` issue. Files of other tools (kustomization.yaml, values*.yaml) are set aside.
 */
async function walk(dir: string, out: string[], visited: Set<string>, issues: LocatedIssue[], found: Found): Promise<void> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (err) {
    issues.push(fileIssue(dir, err))
    return
  }
  if (entries.some((e) => e.name === CHART_FILE && !e.isDirectory())) {
    issues.push(chartIssue(dir))
    return
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const e of entries) {
    if (e.name.startsWith('.')) continue
    const full = join(dir, e.name)
    let isDir = e.isDirectory()
    let isFile = e.isFile()
    if (e.isSymbolicLink()) {
      const target = await stat(full).catch(() => undefined)
      isDir = target?.isDirectory() ?? false
      isFile = target?.isFile() ?? false
    }
    if (isDir) {
      const real = await realpath(full).catch(() => full)
      if (visited.has(real)) continue // a symlink loop
      visited.add(real)
      await walk(full, out, visited, issues, found)
    } else if (isFile && MANIFEST_EXT.test(e.name)) {
      const tool = toolFileKind(e.name)
      if (tool) found.skipped.push({ file: full, tool })
      else out.push(full)
    }
  }
}

function fileIssue(file: string, err: unknown): LocatedIssue {
  const code = (err as { code?: string }).code
  if (code === 'ENOENT' || code === 'ENOTDIR') return { file, doc: 0, issue: { code: 'file_not_found', path: [], file } }
  const message = err instanceof Error ? err.message : String(err)
  return { file, doc: 0, issue: { code: 'file_unreadable', path: [], file, message } }
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
