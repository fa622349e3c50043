/**
 * Every source of manifests, behind one shape: files and directories on disk, standard input, files at a git
 * revision, and objects already decoded (what a live cluster gives). Each source reads its input once and hands
 * the loader (load-manifests.ts) units of text or decoded objects, each with its Origin; the loader splits,
 * builds and locates the same way whatever the source.
 */
import { open, readFile, stat } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import type { ParsedDocument } from '../model/build-cluster.js'
import type { ItemSpans } from '../model/item-positions.js'
import type { LocatedIssue } from '../model/issues.js'
import { originName, STDIN_NAME, type Origin } from '../model/source.js'
import { gitTree } from './git-tree.js'
import { CHART_FILE } from './not-manifests.js'
import type { ManifestCache } from './manifest-cache.js'
import { diskTree, fileIssue, walkTree, type Skipped, type Tree, type Walked } from './tree.js'

/** What one unit of input holds: text to split, documents parsed while read, or objects already decoded. */
export type UnitContent =
  | { readonly kind: 'text'; readonly text: string }
  /**
   * `bytes` (UTF-8, in pieces; decoded only when a position is asked for) when the text was asked to be kept;
   * `items` when the text was a List parsed while read, to place issues inside its items
   */
  | { readonly kind: 'parsed'; readonly docs: readonly ParsedDocument[]; readonly bytes?: readonly Uint8Array[]; readonly items?: StreamedItems }
  | { readonly kind: 'objects'; readonly objects: readonly unknown[] }

/** What a text parsed while read gives: its documents, and where its items lie. */
export interface StreamedDocs {
  readonly docs: readonly ParsedDocument[]
  readonly spans: ItemSpans
}

/** Where the items of a text parsed while read lie, and its bytes again to place issues in them. */
export interface StreamedItems {
  readonly spans: ItemSpans
  /** the bytes of the text again, in chunks (read again from the file, not parsed) */
  readonly bytes: () => AsyncIterable<Uint8Array> | Iterable<Uint8Array>
}

/** One file, stdin, or one live object: its origin, its name in messages (originName(origin)) and its content. */
export interface SourceUnit {
  readonly origin: Origin
  readonly name: string
  readonly content: UnitContent
  /** called with the documents parsed from a text unit without issues (the agent's cache keeps them) */
  readonly parsedAs?: (docs: readonly ParsedDocument[]) => void
}

export interface SourceRead {
  readonly units: readonly SourceUnit[]
  /** problems of reading: a path that does not exist, a Helm chart, an unreadable file */
  readonly issues: readonly LocatedIssue[]
  /** files of other tools, set aside */
  readonly skipped: readonly Skipped[]
  /** per path given: the names of the units it led to, to note a path that held nothing */
  readonly byPath: readonly { readonly path: string; readonly units: readonly string[]; readonly directory: boolean; readonly problems: boolean }[]
  /** the paths given that do not exist (a git revision before a path was added) */
  readonly missing: readonly string[]
  /** the chart directory of a unit that sits in a chart's templates/ directory */
  chartOf(unit: string): Promise<string | undefined>
}

export interface ReadOptions {
  /**
   * Keep every text read, so that positions can be resolved after loading (lint). Without it the text of a
   * large JSON file, parsed while it is read, is never held whole.
   */
  readonly keepText?: boolean
}

/** A source of manifests. `read` reads its input once. */
export interface Source {
  read(opts: ReadOptions): Promise<SourceRead>
}

/** How the files source reads a file; replaceable to count reads in tests. */
export interface FileReader {
  /** size, and what identifies this version of the file (see ManifestCache); null when it cannot be stat'ed */
  version(file: string): Promise<{ readonly size: number; readonly key: string } | null>
  readText(file: string): Promise<string>
  /** the file's bytes, in chunks of at most `size` */
  chunks(file: string, size: number): AsyncIterable<Uint8Array>
}

export const diskReader: FileReader = {
  async version(file) {
    try {
      const s = await stat(file, { bigint: true })
      return { size: Number(s.size), key: `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}` }
    } catch {
      return null
    }
  },
  readText: (file) => readFile(file, 'utf8'),
  async *chunks(file, size) {
    const handle = await open(file, 'r')
    try {
      const buf = new Uint8Array(size)
      for (;;) {
        const { bytesRead } = await handle.read(buf, 0, size, null)
        if (bytesRead === 0) return
        yield buf.subarray(0, bytesRead)
      }
    } finally {
      await handle.close()
    }
  },
}

export interface FilesOptions {
  /** the documents of files read before; a file that has not changed since is not read again */
  readonly cache?: ManifestCache
  readonly reader?: FileReader
  readonly tree?: Tree
  /** parses a large JSON file while reading it; given by the loader (see load-manifests.ts) */
  readonly stream?: (name: string, chunks: AsyncIterable<Uint8Array>) => Promise<StreamedDocs | undefined>
}

/** Files larger than this are parsed while read when they are JSON */
export const STREAM_BYTES = 1 << 20

/** Files and directories on disk (see walkTree for which files a directory gives). */
export function files(paths: readonly string[], fopts: FilesOptions = {}): Source {
  const reader = fopts.reader ?? diskReader
  const tree = fopts.tree ?? diskTree
  return {
    async read(opts) {
      const walked = await walkTree(tree, paths)
      const issues = [...walked.issues]
      const cache = fopts.cache
      const versions = await Promise.all(walked.files.map((f) => reader.version(f)))
      const units = await Promise.all(
        walked.files.map(async (f, i): Promise<SourceUnit | undefined> => {
          const origin: Origin = { kind: 'file', path: f }
          const key = cache && versions[i] ? versions[i]!.key : undefined
          const hit = key !== undefined ? cache!.get(f, key) : undefined
          if (hit) return { origin, name: f, content: { kind: 'parsed', docs: hit } }
          const size = versions[i]?.size ?? 0
          if (size > STREAM_BYTES && fopts.stream) {
            // the bytes are kept as they pass when the text is wanted: no whole tree of the file is ever built
            const kept: Buffer[] | undefined = opts.keepText ? [] : undefined
            const streamed = await fopts.stream(f, keep(reader.chunks(f, STREAM_BYTES), kept)).catch(() => undefined)
            if (streamed !== undefined) {
              const docs = streamed.docs
              const clean = docs.every((d) => d.issues.length === 0)
              if (key !== undefined && clean) cache!.set(f, key, docs)
              // a file with issues, or kept to place what is found later, keeps where its items lie
              const items: StreamedItems | undefined = clean && !kept ? undefined : { spans: streamed.spans, bytes: () => kept ?? reader.chunks(f, STREAM_BYTES) }
              return { origin, name: f, content: { kind: 'parsed', docs, ...(kept ? { bytes: kept } : {}), ...(items ? { items } : {}) } }
            }
          }
          try {
            const text = await reader.readText(f)
            return { origin, name: f, content: { kind: 'text', text }, ...(key !== undefined ? { parsedAs: (docs) => cache!.set(f, key, docs) } : {}) }
          } catch (err) {
            issues.push(fileIssue(f, err))
            return undefined
          }
        }),
      )
      cache?.keepOnly(walked.files)
      return {
        units: units.filter((u): u is SourceUnit => u !== undefined),
        issues,
        skipped: walked.skipped,
        byPath: byPath(walked),
        missing: walked.missing,
        chartOf: (unit) => chartOfTemplate(tree, unit),
      }
    },
  }
}

async function* keep(chunks: AsyncIterable<Uint8Array>, into: Buffer[] | undefined): AsyncIterable<Uint8Array> {
  for await (const c of chunks) {
    into?.push(Buffer.from(c)) // a copy: the reader reuses its buffer
    yield c
  }
}

/** Standard input, read once whatever the number of `-` given. */
export function stdin(read: () => Promise<string>): Source {
  return {
    async read() {
      const text = await read()
      return {
        units: [{ origin: { kind: 'stdin' }, name: STDIN_NAME, content: { kind: 'text', text } }],
        issues: [],
        skipped: [],
        byPath: [{ path: STDIN_NAME, units: [STDIN_NAME], directory: false, problems: false }],
        missing: [],
        chartOf: async () => undefined,
      }
    },
  }
}

/**
 * The files of `paths` at git revision `rev`, chosen as `files` chooses them on disk, read with one `git ls-tree`
 * and one `git cat-file --batch`. `paths` are relative to `repoDir` with forward slashes (`.` for all of it).
 * A path that does not exist at `rev` is not an issue: it is listed in `missing` and reads as empty (a file added
 * or deleted between two revisions). Rejects when git fails (unknown revision, not a repository, no git).
 */
export function gitRevision(rev: string, paths: readonly string[], repoDir: string): Source {
  return {
    async read() {
      const tree = await gitTree(repoDir, rev, paths)
      const walked = await walkTree(tree, paths, true)
      const texts = await tree.readAll(walked.files)
      const units = walked.files.map((path, i): SourceUnit => {
        const origin: Origin = { kind: 'git', rev, path }
        return { origin, name: `${rev}:${path}`, content: { kind: 'text', text: texts[i]! } }
      })
      const named = (f: string) => `${rev}:${f}`
      return {
        units,
        issues: walked.issues.map((i) => ({ ...i, file: named(i.file) })),
        skipped: walked.skipped.map((s) => ({ ...s, file: named(s.file) })),
        byPath: byPath(walked).map((p) => ({ ...p, units: p.units.map(named) })),
        missing: walked.missing,
        chartOf: async (unit) => {
          const chart = await chartOfTemplate(tree, unit.slice(rev.length + 1))
          return chart === undefined ? undefined : named(chart)
        },
      }
    },
  }
}

/** Objects already decoded, each with its origin: what a live cluster gives (one unit per object). */
export function objects(list: readonly { readonly origin: Origin; readonly value: unknown }[]): Source {
  return {
    async read() {
      return {
        units: list.map((o) => ({ origin: o.origin, name: originName(o.origin), content: { kind: 'objects', objects: [o.value] } })),
        issues: [],
        skipped: [],
        byPath: [],
        missing: [],
        chartOf: async () => undefined,
      }
    },
  }
}

function byPath(w: Walked): SourceRead['byPath'] {
  return w.byPath.map((p) => ({ path: p.path, units: p.files, directory: p.directory, problems: p.problems }))
}

/** The chart a file belongs to when it sits in a chart's `templates/` directory (helm's chartutil.IsChartDir). */
async function chartOfTemplate(tree: Tree, file: string): Promise<string | undefined> {
  const dir = dirname(file)
  if (basename(dir) !== 'templates') return undefined
  const chart = dirname(dir)
  const kind = await tree.kind(tree.join(chart, CHART_FILE)).catch(() => undefined)
  return kind === 'file' ? chart : undefined
}
