/**
 * Live: `/api/events` (server-sent events). On `event: cluster` with a version newer than the page's, the page
 * refetches and updates the graph in place. The browser's EventSource reconnects by itself after a drop.
 */
import type { ClusterEvent } from '../../src/web/api.js'

export function watchCluster(version: () => number, changed: () => Promise<void> | void): EventSource {
  const es = new EventSource('/api/events')
  let busy: Promise<void> | null = null
  let again = false
  es.addEventListener('cluster', (ev) => {
    let v: number
    try {
      v = (JSON.parse((ev as MessageEvent<string>).data) as ClusterEvent).version
    } catch {
      return
    }
    if (v <= version()) return
    // one refetch at a time; events that arrive meanwhile cause one more
    if (busy) {
      again = true
      return
    }
    const run = async (): Promise<void> => {
      do {
        again = false
        await changed()
      } while (again)
      busy = null
    }
    busy = run()
  })
  return es
}
