/** Writing answers: every one with the security headers (guard.ts), JSON bodies as the API contract says. */
import type { ServerResponse } from 'node:http'
import type { ApiError } from '../api.js'
import { SECURITY_HEADERS } from './guard.js'

/**
 * A route's answer: a status and a JSON body; JSON text already written (`raw`: a report streamed as the CLI
 * streams it); or a refusal (status 4xx/5xx with an ApiError).
 */
export type Answer =
  | { readonly status?: number; readonly body: unknown }
  | { readonly status?: number; readonly raw: string }
  | { readonly status: number; readonly error: string; readonly path?: string }

export function writeHead(res: ServerResponse, status: number, headers: Readonly<Record<string, string | number>>): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers })
}

export function sendJson(res: ServerResponse, status: number, body: unknown, head = false, text = JSON.stringify(body)): void {
  writeHead(res, status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' })
  res.end(head ? undefined : text)
}

export function sendError(res: ServerResponse, status: number, error: string, path?: string, extra: Readonly<Record<string, string>> = {}): void {
  const body: ApiError = path === undefined ? { error } : { error, path }
  const text = JSON.stringify(body)
  writeHead(res, status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...extra })
  res.end(text)
}

export function sendAnswer(res: ServerResponse, a: Answer, head = false): void {
  if ('error' in a) sendError(res, a.status, a.error, a.path)
  else if ('raw' in a) sendJson(res, a.status ?? 200, undefined, head, a.raw)
  else sendJson(res, a.status ?? 200, a.body, head)
}

/** A user mistake in a request: status 400 and what was expected, about `path` (a query parameter or body field). */
export const badRequest = (error: string, path?: string): Answer => (path === undefined ? { status: 400, error } : { status: 400, error, path })
