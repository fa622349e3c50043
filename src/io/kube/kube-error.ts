/**
 * What can go wrong between netpol and a cluster, as values a user can act on, and their messages. Every
 * error names the context (or the kubeconfig) it concerns; `formatKubeError` makes the one-line message.
 */
import { POLICY_API_GROUP, qualifiedName, type ApiResource, apiVersionOf } from './resources.js'

/** A request as the user would name it: verb, resource and scope (for RBAC and 404 messages). */
export interface RequestInfo {
  readonly verb: 'get' | 'list' | 'watch'
  readonly resource: ApiResource
  /** undefined for a cluster-scope request */
  readonly namespace?: string
  readonly name?: string
}

/** Where netpol looked for a kubeconfig, and what it found there. */
export interface LookedFor {
  readonly what: string
  readonly found: string
}

export type KubeError =
  /** no kubeconfig anywhere and not in a pod */
  | { readonly code: 'no_kubeconfig'; readonly looked: readonly LookedFor[] }
  /** a kubeconfig file that cannot be read or used */
  | { readonly code: 'bad_kubeconfig'; readonly file: string; readonly problem: string }
  /** --context (or current-context) names no context of the kubeconfig */
  | { readonly code: 'unknown_context'; readonly file: string; readonly context: string; readonly available: readonly string[] }
  /** the credentials could not be made (an exec plugin failed, a certificate or token file is missing) */
  | { readonly code: 'credentials_failed'; readonly context: string; readonly user: string; readonly detail: string }
  /** no connection: refused, no route, DNS, timeout, or the server's certificate (`certificate` true) */
  | { readonly code: 'unreachable'; readonly context: string; readonly server: string; readonly cause: string; readonly certificate: boolean }
  /** 401: the credentials are missing, wrong or expired */
  | { readonly code: 'unauthorized'; readonly context: string; readonly server: string; readonly user: string }
  /** 403: RBAC denies the request; `subject` is the user the API server named, when it did */
  | { readonly code: 'forbidden'; readonly context: string; readonly request: RequestInfo; readonly subject?: string; readonly message: string }
  /** 404 for a collection: the API server does not serve the group/version or resource */
  | { readonly code: 'not_served'; readonly context: string; readonly server: string; readonly request: RequestInfo }
  /** 404 for one object */
  | { readonly code: 'not_found'; readonly context: string; readonly request: RequestInfo }
  /** 410 Gone / Expired: a resourceVersion or continue token too old (the watcher relists; a list starts over) */
  | { readonly code: 'expired'; readonly context: string; readonly message: string }
  /** any other HTTP status */
  | { readonly code: 'http_error'; readonly context: string; readonly server: string; readonly request: RequestInfo; readonly status: number; readonly message: string }
  /** a reply that is not the JSON the API promises */
  | { readonly code: 'bad_response'; readonly context: string; readonly server: string; readonly detail: string }

export type KubeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: KubeError }

export const ok = <T>(value: T): KubeResult<T> => ({ ok: true, value })
export const fail = <T = never>(error: KubeError): KubeResult<T> => ({ ok: false, error })

/** Where netpol's RBAC rules are, named in every 403 message. */
export const RBAC_FILE = 'deploy/20-rbac.yaml'

function scopeText(r: RequestInfo): string {
  if (!r.resource.namespaced || r.namespace === undefined) return r.name === undefined ? 'at cluster scope' : `"${r.name}" at cluster scope`
  return r.name === undefined ? `in namespace "${r.namespace}"` : `"${r.name}" in namespace "${r.namespace}"`
}

/** `cannot list pods at cluster scope`, `cannot get deployments.apps "web" in namespace "shop"` */
export function deniedText(r: RequestInfo): string {
  return `cannot ${r.verb} ${qualifiedName(r.resource)} ${scopeText(r)}`
}

/** The one-line message for an error, prefixed with the cluster it concerns. */
export function formatKubeError(e: KubeError): string {
  switch (e.code) {
    case 'no_kubeconfig':
      return `no cluster to read: no kubeconfig found (looked for ${e.looked.map((l) => `${l.what}: ${l.found}`).join('; ')}); pass --kubeconfig FILE, set KUBECONFIG, or read files with -f`
    case 'bad_kubeconfig':
      return `kubeconfig ${e.file}: ${e.problem}`
    case 'unknown_context':
      return `kubeconfig ${e.file}: no context "${e.context}"${e.available.length > 0 ? ` (contexts: ${e.available.join(', ')})` : ' (it defines no contexts)'}`
    case 'credentials_failed':
      return `cluster ${e.context}: cannot get credentials for user "${e.user}": ${e.detail}`
    case 'unreachable':
      return e.certificate
        ? `cluster ${e.context}: cannot verify the API server ${e.server}: ${e.cause} (check certificate-authority in the kubeconfig)`
        : `cluster ${e.context}: cannot reach the API server ${e.server}: ${e.cause}`
    case 'unauthorized':
      return `cluster ${e.context}: the API server ${e.server} rejected the credentials of user "${e.user}" (401 Unauthorized): they are missing or expired; log in again or renew the token in the kubeconfig`
    case 'forbidden': {
      const who = e.subject !== undefined ? `user "${e.subject}" ` : ''
      return `cluster ${e.context}: ${who}${deniedText(e.request)}: grant get/list/watch on ${qualifiedName(e.request.resource)}; see ${RBAC_FILE}`
    }
    case 'not_served':
      return e.request.resource.group === POLICY_API_GROUP
        ? `cluster ${e.context}: the API server ${e.server} does not serve ${apiVersionOf(e.request.resource)} ${e.request.resource.plural} (404): its CustomResourceDefinition was removed while netpol read the cluster`
        : `cluster ${e.context}: the API server ${e.server} does not serve ${apiVersionOf(e.request.resource)} ${e.request.resource.plural} (404): netpol needs Kubernetes 1.22 or later`
    case 'not_found':
      return `cluster ${e.context}: ${e.request.resource.kind} ${e.request.namespace !== undefined ? `${e.request.namespace}/` : ''}${e.request.name ?? ''} not found`
    case 'expired':
      return `cluster ${e.context}: ${e.message} (410 Gone)`
    case 'http_error':
      return `cluster ${e.context}: the API server ${e.server} answered ${e.status} to ${e.request.verb} ${qualifiedName(e.request.resource)}: ${e.message}`
    case 'bad_response':
      return `cluster ${e.context}: the API server ${e.server} sent a reply that is not Kubernetes JSON: ${e.detail}`
  }
}
