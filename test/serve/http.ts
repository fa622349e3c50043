/** Real HTTP requests for the server's tests, with full control of the headers (Host, Origin) a browser sets. */
import { request as httpRequest } from 'node:http'
import { loadManifests } from '../../src/io/load-manifests.js'
import { fixedInput, type ServeInput } from '../../src/web/server/serve-input.js'
import { startServer, type RunningServer, type ServerOptions } from '../../src/web/server/server.js'

export interface Reply {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly text: string
  json<T = any>(): T
}

export function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; path?: string } = {}): Promise<Reply> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method: opts.method ?? 'GET', path: opts.path ?? `${u.pathname}${u.search}`, headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) })
      })
    })
    req.on('error', reject)
    if (opts.body !== undefined) req.write(opts.body)
    req.end()
  })
}

/** GET PATH as the page does (same origin): the body as JSON, failing on any status but 200. */
export async function getJson<T = any>(server: RunningServer, path: string): Promise<T> {
  const r = await request(new URL(path, server.url).toString())
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text}`)
  return r.json<T>()
}

/** POST PATH with a JSON body, as the page does: status and parsed body. */
export async function postJson(server: RunningServer, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const u = new URL(path, server.url)
  const r = await request(u.toString(), { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: `http://${u.host}` }, body: JSON.stringify(body) })
  return { status: r.status, body: r.json() }
}

/** The input of `netpol serve -f PATHS`, loaded as the command loads it (texts kept). */
export async function filesInput(paths: readonly string[]): Promise<ServeInput> {
  const r = await loadManifests(paths, { keepText: true })
  if (r.issues.length > 0) throw new Error(`the test input has errors: ${JSON.stringify(r.issues)}`)
  return fixedInput(`files: ${paths.join(', ')}`, { cluster: r.cluster, texts: r.texts, objects: [], issues: [], notes: [] })
}

/** A server on a free port of 127.0.0.1 over `input`. */
export function serveOn(input: ServeInput, opts: Partial<ServerOptions> = {}): Promise<RunningServer> {
  return startServer({ input, port: 0, address: '127.0.0.1', ...opts })
}
