import { expect, test } from 'vitest'
import { openEvents } from '../../../test/serve/built-serve.js'
import { filesInput, request, serveOn } from '../../../test/serve/http.js'
import { Listeners, type ServeInput, type Snapshot } from './serve-input.js'

test('/api/events: an event per new version, a comment every heartbeat, and the stream ends when the server closes', async () => {
  const files = await filesInput(['examples/three-tier/'])
  // an input whose versions the test makes
  let current = files.current()
  const listeners = new Listeners<Snapshot>()
  const input: ServeInput = { ...files, live: true, current: () => current, subscribe: (l) => listeners.add(l) }
  const server = await serveOn(input, { heartbeatMs: 50 })
  const events = openEvents(server.url)
  try {
    const r = await request(new URL('/api/events', server.url).toString(), { method: 'HEAD' })
    expect(r.status).toBe(200)
    await expect.poll(() => events.comments.filter((c) => c === 'heartbeat').length).toBeGreaterThan(1)
    expect(events.comments[0]).toBe('netpol serve, version 1')
    const next = events.next('cluster')
    current = { ...current, version: 2 }
    listeners.emit(current)
    expect(JSON.parse((await next).data)).toEqual({ version: 2 })
    expect((await (await fetch(new URL('/api/cluster', server.url))).json() as { version: number }).version).toBe(2)
  } finally {
    events.close()
    await server.close()
  }
})
