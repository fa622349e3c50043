/** One object by name (the agent's own Node, for its pod CIDRs), as raw JSON with kind and apiVersion. */
import type { KubeClient } from './kube-client.js'
import { fail, ok, type KubeResult } from './kube-error.js'
import { withKind, type KubeObject } from './kube-object.js'
import { API_RESOURCES, type KindName } from './resources.js'

/** GET of one object; `not_found` when it does not exist. Never throws. */
export async function getObject(client: KubeClient, kind: KindName, namespace: string | undefined, name: string): Promise<KubeResult<KubeObject>> {
  const resource = API_RESOURCES[kind]
  const r = await client.getJson({ verb: 'get', resource, ...(resource.namespaced && namespace !== undefined ? { namespace } : {}), name })
  if (!r.ok) return r
  const o = r.value as { metadata?: { name?: unknown } } | null
  if (!o || typeof o !== 'object' || typeof o.metadata?.name !== 'string') {
    return fail({ code: 'bad_response', context: client.context, server: client.server, detail: `a ${kind} without metadata.name` })
  }
  return ok(withKind(resource, o))
}
