/**
 * GET /api/events: server-sent events. `event: cluster` with `{"version": N}` after each change of a live
 * cluster; a comment line every `heartbeatMs` (15 s) keeps proxies and idle timeouts from closing the stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ClusterEvent } from '../api.js'
import { writeHead } from './respond.js'
import type { ServeInput } from './serve-input.js'

export const HEARTBEAT_MS = 15_000

/** Streams events to one client until it goes away or the server closes (`closing` aborts). */
export function streamEvents(req: IncomingMessage, res: ServerResponse, input: ServeInput, heartbeatMs: number, closing: AbortSignal, head = false): void {
  writeHead(res, 200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' })
  if (head) return void res.end()
  res.write(`: netpol serve, version ${input.current().version}\nretry: 2000\n\n`)
  const unsubscribe = input.subscribe((s) => {
    const event: ClusterEvent = { version: s.version }
    res.write(`event: cluster\ndata: ${JSON.stringify(event)}\n\n`)
  })
  const beat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs)
  const end = () => {
    clearInterval(beat)
    unsubscribe()
    closing.removeEventListener('abort', end)
    res.end()
  }
  req.on('close', end)
  closing.addEventListener('abort', end)
}
