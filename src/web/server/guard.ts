/**
 * What every request passes before a route sees it: the Host header against DNS rebinding, the Origin of a
 * request that carries one, and the limits of a request body. Pure functions of the request's headers, plus
 * the body reader; each refusal is a status and one sentence for the ApiError body.
 */
import type { IncomingMessage } from 'node:http'

/** Headers on every answer: no inline script may run, nothing is sniffed, no referrer leaves the page. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
}

/** A request body above this is refused with 413. */
export const MAX_BODY_BYTES = 1 << 20

export interface Refusal {
  readonly status: number
  readonly error: string
}

/**
 * The host names a request may be addressed to: the loopback names, the address the server is bound to, and
 * each --allow-host. A page of another site that resolves its own name to 127.0.0.1 (DNS rebinding) sends its
 * own name in Host, and is refused.
 */
export function allowedHosts(boundAddress: string, allowHost: readonly string[]): ReadonlySet<string> {
  return new Set(['localhost', '127.0.0.1', '::1', boundAddress, ...allowHost].map(normalHost))
}

/** `[::1]` and `::1` alike, lower case, no trailing dot. */
function normalHost(h: string): string {
  const bare = h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h
  return bare.toLowerCase().replace(/\.$/, '')
}

/** The host name of a Host header (`name`, `name:port`, `[v6]`, `[v6]:port`); null when it is not one. */
export function hostName(header: string): string | null {
  const h = header.trim()
  if (h.startsWith('[')) {
    const end = h.indexOf(']')
    if (end < 0) return null
    const rest = h.slice(end + 1)
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null
    return normalHost(h.slice(0, end + 1))
  }
  const m = /^([^:\s/@]+)(?::(\d{1,5}))?$/.exec(h)
  return m ? normalHost(m[1]!) : null
}

/** 403 unless the Host header names one of `allowed`. */
export function checkHost(req: IncomingMessage, allowed: ReadonlySet<string>): Refusal | null {
  const header = req.headers.host
  const name = header === undefined ? null : hostName(header)
  if (name !== null && allowed.has(name)) return null
  const shown = header === undefined ? 'no Host header' : `Host "${header.slice(0, 100)}"`
  return {
    status: 403,
    error: `${shown} is not one this server answers to (${[...allowed].join(', ')}): a page of another site may not read it through DNS rebinding; start netpol serve with --allow-host NAME to reach it under another name`,
  }
}

/**
 * 403 when an Origin header is present and is not this server's own origin (`http://` + the Host header): a
 * page of another site may not post to it. Browsers send Origin on every POST, and on cross-site requests.
 */
export function checkOrigin(req: IncomingMessage): Refusal | null {
  const origin = req.headers.origin
  if (origin === undefined) return null
  const host = req.headers.host ?? ''
  if (origin.toLowerCase() === `http://${host}`.toLowerCase()) return null
  return { status: 403, error: `Origin "${origin.slice(0, 100)}" is not this server's own (http://${host}): requests from other sites are refused` }
}

/** The JSON body of a POST: at most MAX_BODY_BYTES (413), `Content-Type: application/json` (415), JSON (400). */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<{ ok: true; value: unknown } | { ok: false; refusal: Refusal }> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json') {
    req.resume()
    return { ok: false, refusal: { status: 415, error: `the body must be JSON, sent with Content-Type: application/json (got ${type === '' ? 'none' : `"${type.slice(0, 100)}"`})` } }
  }
  const tooLarge: Refusal = { status: 413, error: `the body is larger than ${limit} bytes` }
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) {
    req.resume()
    return { ok: false, refusal: tooLarge }
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) {
      req.resume()
      return { ok: false, refusal: tooLarge }
    }
    chunks.push(chunk)
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) }
  } catch (err) {
    return { ok: false, refusal: { status: 400, error: `the body is not JSON: ${err instanceof Error ? err.message : String(err)}` } }
  }
}
