/**
 * Which of the kinds a cluster may lack it has: the cluster policy kinds exist only where their CRDs are
 * installed (`/apis/policy.networking.k8s.io/VERSION` lists them), and Node may be closed to netpol by RBAC.
 * Kubernetes' discovery answers the first: a group version that is not served is a 404, which is not an error;
 * a served one lists its resources, and a kind is served when its plural is among them.
 */
import type { KubeClient } from './kube-client.js'
import { fail, formatKubeError, ok, type KubeError, type KubeResult, type RequestInfo } from './kube-error.js'
import { API_RESOURCES, OPTIONAL_KINDS, type KindName } from './resources.js'

/** Why an optional kind is not in the model. */
export type Absence =
  /** its API group version is not served, or does not list it (no CRD installed) */
  | { readonly kind: KindName; readonly reason: 'not_served' }
  /** RBAC does not let netpol list it */
  | { readonly kind: KindName; readonly reason: 'forbidden'; readonly error: KubeError }

/**
 * Whether the API server serves `kind`: always for a kind of the core group; for another group, what its
 * discovery document says. Never throws.
 */
export async function kindServed(client: KubeClient, kind: KindName): Promise<KubeResult<boolean>> {
  const res = API_RESOURCES[kind]
  if (res.group === '') return ok(true)
  const about: RequestInfo = { verb: 'list', resource: res }
  const doc = await client.getDiscovery(res.group, res.version, about)
  if (!doc.ok) return doc
  if (doc.value === null) return ok(false)
  const resources = (doc.value as { resources?: unknown }).resources
  if (!Array.isArray(resources)) return fail({ code: 'bad_response', context: client.context, server: client.server, detail: `the discovery document of ${res.group}/${res.version} has no resources` })
  return ok(resources.some((r) => typeof r === 'object' && r !== null && (r as { name?: unknown }).name === res.plural))
}

/**
 * What a failed list of an optional kind means: Node forbidden → absent, go on without nodes (a note names the
 * rule to grant); any other error stays an error (a cluster policy that cannot be read would change answers).
 */
export function absenceOf(kind: KindName, error: KubeError): Absence | undefined {
  return kind === 'Node' && error.code === 'forbidden' ? { kind, reason: 'forbidden', error } : undefined
}

export const isOptionalKind = (kind: KindName): boolean => OPTIONAL_KINDS.includes(kind)

/** The note for an absent kind; undefined when there is nothing to tell (no CRD installed is the usual case). */
export function absenceNote(a: Absence): string | undefined {
  if (a.reason === 'not_served') return undefined
  return `${formatKubeError(a.error)}; going on without Node objects, so the nodes peers of cluster policies match no address`
}
