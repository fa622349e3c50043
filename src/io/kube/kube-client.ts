/**
 * Raw JSON requests to the API server of a loaded kubeconfig, over node:https with the options client-node's
 * `applyToHTTPSOptions` gives (CA, client certificate, Authorization header, proxy agent). The bodies are read
 * as the API server's JSON, not client-node's typed model, which renames fields (`from` → `_from`).
 */
import * as http from 'node:http'
import * as https from 'node:https'
import type { LoadedKubeConfig } from './kube-config.js'
import { fail, ok, type KubeError, type KubeResult, type RequestInfo } from './kube-error.js'
import { resourcePath } from './resources.js'

export type Query = Readonly<Record<string, string | number | boolean | undefined>>

/** An authenticated connection to one context's API server. */
export interface KubeClient {
  readonly context: string
  readonly server: string
  readonly user: string
  /** GET of a collection (list) or an object (get); the reply's JSON. Never throws. */
  getJson(req: RequestInfo, query?: Query): Promise<KubeResult<unknown>>
  /**
   * Opens a watch (`watch=1` is added) and calls `onEvent` with each decoded line, in order. Resolves when the
   * stream ends: ok when the server ended it or `signal` aborted it, an error when the request failed or the
   * connection broke. Never throws (an exception from `onEvent` ends the stream as a bad_response).
   */
  watch(req: RequestInfo, query: Query, onEvent: (event: unknown) => void, signal?: AbortSignal): Promise<KubeResult<void>>
  /**
   * GET of a group version's discovery document (`/apis/GROUP/VERSION`, an APIResourceList): null when the API
   * server does not serve that group version (404). `about` names the request in error messages. Never throws.
   */
  getDiscovery(group: string, version: string, about: RequestInfo): Promise<KubeResult<unknown>>
}

export interface KubeClientOptions {
  /** how long a list or get may stay silent before it fails (default 60 s) */
  readonly requestTimeoutMs?: number
  /** how long a watch may stay silent beyond its timeoutSeconds (default 30 s) */
  readonly watchSlackMs?: number
}

/** The client of a loaded kubeconfig (see loadKubeConfig). */
export function createKubeClient(cfg: LoadedKubeConfig, opts: KubeClientOptions = {}): KubeClient {
  return new HttpsKubeClient(cfg, opts)
}

const USER_AGENT = `netpol (node ${process.version})`
const NODE_CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS/

class HttpsKubeClient implements KubeClient {
  readonly context: string
  readonly server: string
  readonly user: string
  private agent: http.Agent | undefined

  constructor(private readonly cfg: LoadedKubeConfig, private readonly opts: KubeClientOptions) {
    this.context = cfg.context
    this.server = cfg.server.replace(/\/+$/, '')
    this.user = cfg.user
  }

  async getJson(req: RequestInfo, query: Query = {}): Promise<KubeResult<unknown>> {
    const opened = await this.open(req, query, this.opts.requestTimeoutMs ?? 60_000)
    if (!opened.ok) return opened
    const res = opened.value
    const body = await readBody(res).catch((err: unknown) => err as Error)
    if (body instanceof Error) return fail(this.connectionError(body))
    if (res.statusCode !== 200) return fail(this.statusError(req, res.statusCode ?? 0, body))
    try {
      return ok(JSON.parse(body))
    } catch {
      return fail({ code: 'bad_response', context: this.context, server: this.server, detail: snippet(body) })
    }
  }

  async getDiscovery(group: string, version: string, about: RequestInfo): Promise<KubeResult<unknown>> {
    const path = `/apis/${encodeURIComponent(group)}/${encodeURIComponent(version)}`
    const opened = await this.open(about, {}, this.opts.requestTimeoutMs ?? 60_000, undefined, path)
    if (!opened.ok) return opened
    const res = opened.value
    const body = await readBody(res).catch((err: unknown) => err as Error)
    if (body instanceof Error) return fail(this.connectionError(body))
    if (res.statusCode === 404) return ok(null)
    if (res.statusCode !== 200) return fail(this.statusError(about, res.statusCode ?? 0, body))
    try {
      return ok(JSON.parse(body))
    } catch {
      return fail({ code: 'bad_response', context: this.context, server: this.server, detail: snippet(body) })
    }
  }

  async watch(req: RequestInfo, query: Query, onEvent: (event: unknown) => void, signal?: AbortSignal): Promise<KubeResult<void>> {
    const seconds = Number(query.timeoutSeconds ?? 0)
    const idle = seconds > 0 ? seconds * 1000 + (this.opts.watchSlackMs ?? 30_000) : 0
    const opened = await this.open(req, { ...query, watch: 1 }, idle, signal)
    if (!opened.ok) return opened
    const res = opened.value
    if (res.statusCode !== 200) {
      const body = await readBody(res).catch(() => '')
      return fail(this.statusError(req, res.statusCode ?? 0, body))
    }
    return new Promise((resolve) => {
      let buffered = ''
      let done = false
      const finish = (r: KubeResult<void>) => {
        if (done) return
        done = true
        signal?.removeEventListener('abort', onAbort)
        resolve(r)
      }
      const onAbort = () => {
        res.destroy()
        finish(ok(undefined))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        if (done) return
        buffered += chunk
        let start = 0
        let nl: number
        while ((nl = buffered.indexOf('\n', start)) >= 0) {
          const line = buffered.slice(start, nl).trim()
          start = nl + 1
          if (line === '') continue
          let event: unknown
          try {
            event = JSON.parse(line)
          } catch {
            res.destroy()
            return finish(fail({ code: 'bad_response', context: this.context, server: this.server, detail: snippet(line) }))
          }
          try {
            onEvent(event)
          } catch (err) {
            res.destroy()
            return finish(fail({ code: 'bad_response', context: this.context, server: this.server, detail: `event not handled: ${err instanceof Error ? err.message : String(err)}` }))
          }
          if (done) return
        }
        buffered = buffered.slice(start)
      })
      res.on('end', () => finish(ok(undefined)))
      res.on('error', (err) => finish(signal?.aborted ? ok(undefined) : fail(this.connectionError(err))))
      res.on('close', () => finish(signal?.aborted || res.complete ? ok(undefined) : fail(this.connectionError(Object.assign(new Error('the connection was closed during the request'), { code: 'ECONNRESET' })))))
    })
  }

  /** Sends the request; the response once its headers arrived, or the connection error. */
  private async open(req: RequestInfo, query: Query, idleMs: number, signal?: AbortSignal, path = resourcePath(req.resource, req.namespace, req.name)): Promise<KubeResult<http.IncomingMessage>> {
    const url = new URL(this.server + path)
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v))
    const options: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json', 'User-Agent': USER_AGENT } }
    try {
      await this.cfg.kc.applyToHTTPSOptions(options)
    } catch (err) {
      return fail({ code: 'credentials_failed', context: this.context, user: this.user, detail: err instanceof Error ? err.message : String(err) })
    }
    // one agent (one TLS session, kept alive) per client, made from the first request's options
    this.agent ??= options.agent instanceof http.Agent ? keepAlive(options) : undefined
    if (this.agent) options.agent = this.agent
    const lib = url.protocol === 'http:' ? http : https
    return new Promise((resolve) => {
      const r = lib.request(url, options, (res) => resolve(ok(res)))
      if (idleMs > 0) r.setTimeout(idleMs, () => r.destroy(Object.assign(new Error(`no reply within ${idleMs / 1000} s`), { code: 'ETIMEDOUT' })))
      r.on('error', (err) => resolve(fail(this.connectionError(err))))
      if (signal) {
        if (signal.aborted) r.destroy()
        else signal.addEventListener('abort', () => r.destroy(), { once: true })
      }
      r.end()
    })
  }

  private connectionError(err: Error): KubeError {
    const code = (err as { code?: string }).code ?? ''
    const certificate = NODE_CERT_CODES.test(code)
    // Node's words for a connection cut mid-reply ("aborted", "socket hang up") say little to a user
    const said = err.message === 'aborted' || err.message === 'socket hang up' ? 'the connection was closed during the request' : err.message
    const cause = said.includes(code) || code === '' ? said : `${said} (${code})`
    return { code: 'unreachable', context: this.context, server: this.server, cause, certificate }
  }

  private statusError(req: RequestInfo, status: number, body: string): KubeError {
    const st = parseStatus(body)
    const message = st?.message ?? (snippet(body) || `HTTP ${status}`)
    switch (status) {
      case 401:
        return { code: 'unauthorized', context: this.context, server: this.server, user: this.user }
      case 403: {
        const subject = /User "([^"]*)"/.exec(message)?.[1]
        return { code: 'forbidden', context: this.context, request: req, ...(subject !== undefined ? { subject } : {}), message }
      }
      case 404:
        return req.name !== undefined && st?.details?.name === req.name
          ? { code: 'not_found', context: this.context, request: req }
          : { code: 'not_served', context: this.context, server: this.server, request: req }
      case 410:
        return { code: 'expired', context: this.context, message }
      default:
        return { code: 'http_error', context: this.context, server: this.server, request: req, status, message }
    }
  }
}

/** A keep-alive agent with the TLS material of `options` (a proxy agent from the kubeconfig is kept as it is). */
function keepAlive(options: https.RequestOptions): http.Agent {
  const given = options.agent as http.Agent
  if (given.constructor !== https.Agent) return given
  const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = options as https.RequestOptions & { servername?: string }
  return new https.Agent({ keepAlive: true, ca, cert, key, pfx, passphrase, ...(rejectUnauthorized !== undefined ? { rejectUnauthorized } : {}), ...(servername ? { servername } : {}) })
}

interface Status {
  readonly kind?: string
  readonly message?: string
  readonly reason?: string
  readonly code?: number
  readonly details?: { readonly name?: string; readonly kind?: string; readonly group?: string }
}

function parseStatus(body: string): Status | undefined {
  try {
    const v = JSON.parse(body) as Status
    return v && typeof v === 'object' && v.kind === 'Status' ? v : undefined
  } catch {
    return undefined
  }
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    res.on('data', (c: Buffer) => chunks.push(c))
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    res.on('error', reject)
    res.on('aborted', () => reject(Object.assign(new Error('the connection was closed during the request'), { code: 'ECONNRESET' })))
  })
}

function snippet(s: string): string {
  const t = s.trim().replace(/\s+/g, ' ')
  return t.length > 200 ? `${t.slice(0, 200)}…` : t
}
