/**
 * The HTTP server of `netpol serve`, on node:http: a dozen routes, one event stream and a few security headers
 * are written out here in full, with no framework between the request and the checks it must pass. Every
 * request: Host (DNS rebinding) and Origin checked first (guard.ts), then an /api route (routes.ts) or a file of
 * the page (static-files.ts). Nothing here writes anywhere but to the client.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { allowedHosts, checkHost, checkOrigin, readJsonBody } from './guard.js'
import { HEARTBEAT_MS, streamEvents } from './events.js'
import { sendAnswer, sendError } from './respond.js'
import { findRoute, type RouteContext } from './routes.js'
import type { ServeInput } from './serve-input.js'
import { defaultPageDir, staticFiles } from './static-files.js'

export interface ServerOptions {
  readonly input: ServeInput
  /** 0 picks a free port */
  readonly port: number
  readonly address: string
  /** further host names the Host header may give (a name the server is reached under) */
  readonly allowHost?: readonly string[]
  /** the page's files (default: dist/web/ of the package) */
  readonly pageDir?: string
  readonly heartbeatMs?: number
  /** a bug met while answering: one line for the terminal (the client gets 500) */
  readonly onInternalError?: (err: unknown) => void
}

export interface RunningServer {
  /** `http://127.0.0.1:8080/` */
  readonly url: string
  readonly port: number
  /** Stops listening, ends the event streams and open connections; the input is the caller's to stop. */
  close(): Promise<void>
}

/** `http://ADDRESS:PORT/`, with an IPv6 address in brackets. */
export function serverUrl(address: string, port: number): string {
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}/`
}

/** Listens on address:port; rejects with the listen error (EADDRINUSE, EADDRNOTAVAIL, EACCES). */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const hosts = allowedHosts(opts.address, opts.allowHost ?? [])
  const page = staticFiles(opts.pageDir ?? defaultPageDir())
  const closing = new AbortController()
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const refused = checkHost(req, hosts) ?? checkOrigin(req)
    if (refused) return sendError(res, refused.status, refused.error)
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://netpol.invalid')
    } catch {
      return sendError(res, 400, 'not a request path')
    }
    const method = req.method ?? 'GET'
    const head = method === 'HEAD'
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      const found = findRoute(url.pathname, head ? 'GET' : method)
      if (found.kind === 'none') return sendError(res, 404, `no such API endpoint: ${url.pathname}`)
      if (found.kind === 'method') return sendError(res, 405, `${url.pathname} takes ${found.allow.join(', ')}`, undefined, { Allow: found.allow.join(', ') })
      const answer = found.route.answer
      if (answer === undefined) return streamEvents(req, res, opts.input, heartbeatMs, closing.signal, head)
      let body: unknown
      if (method === 'POST') {
        const read = await readJsonBody(req)
        if (!read.ok) return sendError(res, read.refusal.status, read.refusal.error)
        body = read.value
      }
      const ctx: RouteContext = { snapshot: opts.input.current(), input: opts.input, query: url.searchParams, body }
      return sendAnswer(res, await answer(ctx), head)
    }
    if (method !== 'GET' && !head) return sendError(res, 405, `${url.pathname} takes GET, HEAD`, undefined, { Allow: 'GET, HEAD' })
    return page.serve(url.pathname, res, head)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.onInternalError?.(err)
      if (!res.headersSent) sendError(res, 500, `internal error (please report): ${err instanceof Error ? err.message : String(err)}`)
      else res.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.address, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: serverUrl(opts.address, port),
    port,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
