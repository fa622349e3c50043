/**
 * The page: the files `npm run build` bundles into dist/web/ (index.html and its assets), served read-only.
 * Only regular files inside that directory with a known type are served; everything else is 404, whatever the
 * path says (`..`, encoded slashes, symbolic links out of it). The server's own compiled code (dist/web/server/)
 * is not the page and is not served.
 */
import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import { basename, dirname, extname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ServerResponse } from 'node:http'
import { sendError, writeHead } from './respond.js'

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
}

/** Shown at / until the page is built: a page without script, saying where the API is. */
const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>netpol serve</title></head>
<body><h1>netpol serve</h1><p>The page is not built: run <code>npm run build</code>. The API answers under <a href="/api/cluster">/api/cluster</a>.</p></body></html>
`

/** dist/web/ of the package, whether this module runs compiled (dist/web/server/) or from source (src/web/server/). */
export function defaultPageDir(): string {
  const web = dirname(dirname(fileURLToPath(import.meta.url)))
  const top = dirname(web)
  return basename(top) === 'src' ? join(dirname(top), 'dist', 'web') : web
}

export interface StaticFiles {
  /** Answers GET/HEAD `pathname` (already without the query) from the page directory: a file, or 404. */
  serve(pathname: string, res: ServerResponse, head: boolean): Promise<void>
}

export function staticFiles(dir: string): StaticFiles {
  const root = resolve(dir)
  let realRoot: Promise<string | null> | undefined
  const notFound = (res: ServerResponse) => sendError(res, 404, 'no such file')
  return {
    async serve(pathname, res, head) {
      const file = await find(pathname)
      if (file === null) {
        if (pathname === '/' || pathname === '/index.html') return sendPage(res, PLACEHOLDER, head)
        return notFound(res)
      }
      const type = TYPES[extname(file.path).toLowerCase()]!
      writeHead(res, 200, { 'Content-Type': type, 'Content-Length': file.size, 'Cache-Control': 'no-cache' })
      if (head) return void res.end()
      createReadStream(file.path).on('error', () => res.destroy()).pipe(res)
    },
  }

  async function find(pathname: string): Promise<{ path: string; size: number } | null> {
    let decoded: string
    try {
      decoded = decodeURIComponent(pathname === '/' ? '/index.html' : pathname)
    } catch {
      return null
    }
    const parts = decoded.split('/').slice(1)
    if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\0') || p.startsWith('.'))) return null
    if (parts[0] === 'server') return null
    if (TYPES[extname(decoded).toLowerCase()] === undefined) return null
    const path = resolve(root, ...parts)
    if (!path.startsWith(root + sep)) return null
    try {
      const real = await realpath(path)
      realRoot ??= realpath(root).catch(() => null)
      const r = await realRoot
      if (r === null || !real.startsWith(r + sep)) return null
      const s = await stat(real)
      return s.isFile() ? { path: real, size: s.size } : null
    } catch {
      return null
    }
  }
}

function sendPage(res: ServerResponse, html: string, head: boolean): void {
  writeHead(res, 200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html), 'Cache-Control': 'no-cache' })
  res.end(head ? undefined : html)
}
