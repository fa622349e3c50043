/**
 * Paginated lists (`limit` and `continue`, as kubectl pages), read as raw JSON. A continue token that expired
 * mid-list (410) starts the list over, since the pages before it and after it would not be one snapshot.
 */
import type { KubeClient } from './kube-client.js'
import { fail, ok, type KubeResult, type RequestInfo } from './kube-error.js'
import { withKind, type KubeObject } from './kube-object.js'
import { API_RESOURCES, type KindName } from './resources.js'

export interface ListOptions {
  /** one namespace; every namespace when omitted (ignored for cluster-scoped kinds) */
  readonly namespace?: string
  readonly labelSelector?: string
  readonly fieldSelector?: string
  /** page size (default 500, as kubectl) */
  readonly limit?: number
  /** called after each page with how many objects of this list have been read so far */
  readonly onProgress?: (read: number) => void
  /** how many times an expired continue token restarts the list (default 3) */
  readonly restarts?: number
}

export interface ListResult {
  /** the objects in the API server's order, kind and apiVersion filled in */
  readonly items: KubeObject[]
  /** the list's metadata.resourceVersion: a watch from it misses nothing */
  readonly resourceVersion: string
}

const DEFAULT_LIMIT = 500

/** Every object of `kind` (in `namespace`, or all), page by page. Never throws. */
export async function listAll(client: KubeClient, kind: KindName, opts: ListOptions = {}): Promise<KubeResult<ListResult>> {
  const resource = API_RESOURCES[kind]
  const req: RequestInfo = { verb: 'list', resource, ...(resource.namespaced && opts.namespace !== undefined ? { namespace: opts.namespace } : {}) }
  const limit = opts.limit ?? DEFAULT_LIMIT
  let restarts = opts.restarts ?? 3
  for (;;) {
    const items: KubeObject[] = []
    let cont: string | undefined
    let resourceVersion = ''
    let expired = false
    do {
      const page = await client.getJson(req, { limit, continue: cont, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector })
      if (!page.ok) {
        if (page.error.code === 'expired' && cont !== undefined && restarts-- > 0) {
          expired = true
          break
        }
        return page
      }
      const list = page.value as { metadata?: { resourceVersion?: string; continue?: string }; items?: unknown[] } | null
      if (!list || typeof list !== 'object' || !Array.isArray(list.items)) {
        return fail({ code: 'bad_response', context: client.context, server: client.server, detail: `a ${kind} list without items` })
      }
      for (const item of list.items) items.push(withKind(resource, item))
      if (cont === undefined) resourceVersion = list.metadata?.resourceVersion ?? ''
      cont = list.metadata?.continue || undefined
      opts.onProgress?.(items.length)
    } while (cont !== undefined)
    if (!expired) return ok({ items, resourceVersion })
  }
}
