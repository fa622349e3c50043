import { readFile } from 'node:fs/promises'
import type { NameResolution } from '../engine/name-resolution.js'
import { parseResolution } from '../report/resolve-text.js'
import { UsageError } from './io.js'

export interface ResolveOptions {
  resolve?: string[]
  resolveFile?: string[]
}

/** `--resolve` and `--resolve-file` read into the engine's name resolution; undefined when neither is given. */
export async function readResolution(opts: ResolveOptions): Promise<NameResolution | undefined> {
  const args = opts.resolve ?? []
  const paths = opts.resolveFile ?? []
  if (args.length === 0 && paths.length === 0) return undefined
  const files: { path: string; text: string }[] = []
  for (const path of paths) {
    try {
      files.push({ path, text: await readFile(path, 'utf8') })
    } catch (e) {
      throw new UsageError(`--resolve-file ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
    }
  }
  const r = parseResolution(args, files)
  if (!r.ok) throw new UsageError(r.errors.join('\nerror: '))
  return r.value
}
