/**
 * A git revision as a Tree (see tree.ts), read with two processes per revision whatever the number of files:
 * one `git ls-tree` for the names, one `git cat-file --batch` for the contents of the files chosen.
 */
import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import type { EntryKind, Tree } from './tree.js'

interface GitEntry {
  readonly kind: EntryKind
  readonly id: string
}

export interface GitTree extends Tree {
  readonly rev: string
  /** the contents of `files` (paths the tree holds as files), in order, through one `git cat-file --batch` */
  readAll(files: readonly string[]): Promise<string[]>
}

/**
 * The entries of `rev` under `paths` (relative to `repoDir`, with forward slashes; `.` for `repoDir` itself),
 * as `git ls-tree -r -t` lists them. Rejects when git fails (unknown revision, not a repository).
 */
export async function gitTree(repoDir: string, rev: string, paths: readonly string[]): Promise<GitTree> {
  const out = (await git(repoDir, ['ls-tree', '-r', '-t', '-z', '--end-of-options', rev, '--', ...paths])).toString('utf8')
  const entries = new Map<string, GitEntry>([['.', { kind: 'dir', id: '' }]])
  const children = new Map<string, { name: string; kind: EntryKind }[]>()
  for (const line of out.split('\0')) {
    const m = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(line)
    if (!m) continue
    const [, mode, type, id, path] = m as unknown as [string, string, string, string, string]
    // a submodule (commit) or a symbolic link (mode 120000) has no text to read here
    const kind: EntryKind = type === 'tree' ? 'dir' : type === 'blob' && mode !== '120000' ? 'file' : 'link'
    entries.set(path, { kind, id })
    const slash = path.lastIndexOf('/')
    const parent = slash < 0 ? '.' : path.slice(0, slash)
    const list = children.get(parent) ?? []
    list.push({ name: path.slice(slash + 1), kind })
    children.set(parent, list)
  }
  return {
    rev,
    kind: async (path) => entries.get(path)?.kind,
    list: async (dir) => children.get(dir) ?? [],
    identity: async (path) => path,
    join: (dir, name) => (dir === '.' ? name : `${dir}/${name}`),
    async readAll(files) {
      const blobs = await catBlobs(repoDir, files.map((f) => entries.get(f)!.id))
      return blobs.map((b) => b.toString('utf8'))
    },
  }
}

const execFileP = promisify(execFile)

export async function git(cwd: string, args: readonly string[]): Promise<Buffer> {
  const { stdout } = await execFileP('git', [...args], { cwd, encoding: 'buffer', maxBuffer: 1 << 30 })
  return stdout
}

/** The contents of blobs by id, read through one `git cat-file --batch`. */
function catBlobs(cwd: string, ids: readonly string[]): Promise<Buffer[]> {
  if (ids.length === 0) return Promise.resolve([])
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    const chunks: Buffer[] = []
    const errors: Buffer[] = []
    child.stdout.on('data', (c: Buffer) => chunks.push(c))
    child.stderr.on('data', (c: Buffer) => errors.push(c))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`git cat-file failed: ${Buffer.concat(errors).toString('utf8').trim()}`))
      const all = Buffer.concat(chunks)
      const out: Buffer[] = []
      let at = 0
      for (const id of ids) {
        const nl = all.indexOf(10, at)
        const header = all.subarray(at, nl).toString('utf8').split(' ')
        if (header[0] !== id || header[1] !== 'blob') return reject(new Error(`git cat-file: unexpected reply for ${id}: ${header.join(' ')}`))
        const size = Number(header[2])
        out.push(all.subarray(nl + 1, nl + 1 + size))
        at = nl + 1 + size + 1
      }
      resolve(out)
    })
    child.stdin.end(ids.join('\n') + '\n')
  })
}
