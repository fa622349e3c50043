/**
 * Which files of a tree are manifests: the one walk used for a directory on disk and for a git revision, so that
 * `-f dir/` and `diff --git REV -f dir/` pick the same files. A Tree says what a path is and what a directory
 * holds; the rules (what to read, what to skip, what is a Helm chart) are here, once.
 */
import { readdir, realpath, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { LocatedIssue } from '../model/issues.js'
import { CHART_FILE, chartIssue, toolFileKind } from './not-manifests.js'

/** `other`: not a directory, read when named (a FIFO: `-f <(kubectl get ...)`); `link`: a link that cannot be followed (in git) */
export type EntryKind = 'file' | 'dir' | 'other' | 'link'

/** A tree of files: a directory on disk, or a git revision. Paths are joined with `join`. */
export interface Tree {
  /** what `path` is; undefined when it does not exist. May throw for another failure (reported as file_unreadable). */
  kind(path: string): Promise<EntryKind | undefined>
  /** the entries of directory `dir` (symbolic links resolved to what they point at) */
  list(dir: string): Promise<readonly { readonly name: string; readonly kind: EntryKind }[]>
  /** one name per file or directory, whatever path leads to it (a symlink's target): finds loops and repeats */
  identity(path: string): Promise<string>
  join(dir: string, name: string): string
}

/** What the walk set aside: files of other tools, skipped by name. */
export interface Skipped {
  readonly file: string
  readonly tool: 'kustomize' | 'helm-values'
}

export interface Walked {
  /** per path given, in order: the files it led to (also those an earlier path led to), and whether it was a directory */
  readonly byPath: { readonly path: string; readonly files: string[]; readonly directory: boolean; readonly problems: boolean }[]
  /** every file to read, once each, in order */
  readonly files: string[]
  readonly skipped: Skipped[]
  readonly issues: LocatedIssue[]
  /** the paths that do not exist */
  readonly missing: string[]
}

export const MANIFEST_EXT = /\.(ya?ml|json)$/i

/**
 * The manifest files of `paths`: a path naming a file is read whatever its extension; a directory contributes its
 * .yaml, .yml and .json files, recursively, in sorted order, skipping hidden files and directories. A Helm chart
 * (a directory holding Chart.yaml, or the Chart.yaml named itself) is one `helm_chart` issue and is not entered;
 * kustomization and values files are set aside (see not-manifests.ts). A missing path is a `file_not_found`
 * issue unless `missingIsEmpty` (a git revision where the path does not exist yet).
 */
export async function walkTree(tree: Tree, paths: readonly string[], missingIsEmpty = false): Promise<Walked> {
  const out: Walked = { byPath: [], files: [], skipped: [], issues: [], missing: [] }
  const seen = new Map<string, string>()
  for (const p of paths) {
    const before = out.issues.length + out.skipped.length
    const expanded = await expand(tree, p, out, missingIsEmpty)
    const mine: string[] = []
    for (const f of expanded.files) {
      const id = await tree.identity(f).catch(() => f)
      const known = seen.get(id)
      if (known !== undefined) {
        mine.push(known)
        continue
      }
      seen.set(id, f)
      out.files.push(f)
      mine.push(f)
    }
    out.byPath.push({ path: p, files: mine, directory: expanded.directory, problems: out.issues.length + out.skipped.length > before })
  }
  return out
}


async function expand(tree: Tree, path: string, out: Walked, missingIsEmpty: boolean): Promise<{ files: string[]; directory: boolean }> {
  let kind: EntryKind | undefined
  try {
    kind = await tree.kind(path)
  } catch (err) {
    out.issues.push(fileIssue(path, err))
    return { files: [], directory: false }
  }
  if (kind === undefined) {
    out.missing.push(path)
    if (!missingIsEmpty) out.issues.push(fileIssue(path, { code: 'ENOENT' }))
    return { files: [], directory: false }
  }
  if (kind !== 'dir') {
    const name = basename(path)
    if (name === CHART_FILE) {
      out.issues.push(chartIssue(dirname(path)))
      return { files: [], directory: false }
    }
    const tool = toolFileKind(name)
    if (tool) {
      out.skipped.push({ file: path, tool })
      return { files: [], directory: false }
    }
    return { files: kind === 'link' ? [] : [path], directory: false }
  }
  const files: string[] = []
  await walk(tree, path, files, new Set([await tree.identity(path).catch(() => path)]), out)
  return { files, directory: true }
}

async function walk(tree: Tree, dir: string, files: string[], visited: Set<string>, out: Walked): Promise<void> {
  let entries
  try {
    entries = [...(await tree.list(dir))]
  } catch (err) {
    out.issues.push(fileIssue(dir, err))
    return
  }
  if (entries.some((e) => e.name === CHART_FILE && e.kind === 'file')) {
    out.issues.push(chartIssue(dir))
    return
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const e of entries) {
    if (e.name.startsWith('.')) continue
    const full = tree.join(dir, e.name)
    if (e.kind === 'dir') {
      const id = await tree.identity(full).catch(() => full)
      if (visited.has(id)) continue // a symlink loop
      visited.add(id)
      await walk(tree, full, files, visited, out)
    } else if (e.kind === 'file' && MANIFEST_EXT.test(e.name)) {
      const tool = toolFileKind(e.name)
      if (tool) out.skipped.push({ file: full, tool })
      else files.push(full)
    }
  }
}

export function fileIssue(file: string, err: unknown): LocatedIssue {
  const code = (err as { code?: string }).code
  if (code === 'ENOENT' || code === 'ENOTDIR') return { file, doc: 0, issue: { code: 'file_not_found', path: [], file } }
  const message = err instanceof Error ? err.message : String(err)
  return { file, doc: 0, issue: { code: 'file_unreadable', path: [], file, message } }
}

/** The directory tree of the local file system; symbolic links are followed. */
export const diskTree: Tree = {
  async kind(path) {
    try {
      const s = await stat(path)
      return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other'
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
      throw err
    }
  },
  async list(dir) {
    const entries = await readdir(dir, { withFileTypes: true })
    return Promise.all(
      entries.map(async (e) => {
        let kind: EntryKind = e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'other'
        if (e.isSymbolicLink()) {
          const target = await stat(join(dir, e.name)).catch(() => undefined)
          kind = target?.isDirectory() ? 'dir' : target?.isFile() ? 'file' : 'other'
        }
        return { name: e.name, kind }
      }),
    )
  },
  identity: (path) => realpath(path),
  join,
}
