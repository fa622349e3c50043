import type { ParsedDocument } from '../model/build-cluster.js'

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
