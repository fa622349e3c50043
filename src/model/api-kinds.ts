/**
 * The kinds netpol reads and the one apiVersion a current API server serves each as. Kinds and versions are
 * case-sensitive in the API: `kind: networkpolicy` or `apiVersion: extensions/v1beta1` is refused by
 * `kubectl apply`, so netpol refuses them too, instead of skipping such an object as some other kind.
 */
import { editDistance } from './spelling.js'

/** kind → the apiVersion it is served as (Kubernetes 1.22 and later) */
export const SERVED_KINDS: Readonly<Record<string, string>> = {
  Namespace: 'v1',
  Pod: 'v1',
  Service: 'v1',
  ReplicationController: 'v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  Node: 'v1',
  // sig-network-policy-api: ClusterNetworkPolicy from v0.2.0; AdminNetworkPolicy and BaselineAdminNetworkPolicy
  // as v0.1.x serves them
  ClusterNetworkPolicy: 'policy.networking.k8s.io/v1alpha2',
  AdminNetworkPolicy: 'policy.networking.k8s.io/v1alpha1',
  BaselineAdminNetworkPolicy: 'policy.networking.k8s.io/v1alpha1',
}

/** Versions that once served some of these kinds and were removed (extensions/v1beta1 in 1.16, batch/v1beta1 in 1.25, ...). */
const REMOVED_VERSIONS: ReadonlySet<string> = new Set([
  'extensions/v1beta1', 'apps/v1beta1', 'apps/v1beta2', 'batch/v1beta1', 'batch/v2alpha1', 'networking.k8s.io/v1beta1',
])

export type KindVerdict =
  /** a kind netpol reads, at its served version */
  | { readonly is: 'read' }
  /** some other kind: a ConfigMap, or a custom resource (even one named NetworkPolicy, like Calico's) */
  | { readonly is: 'other' }
  /** a kind netpol reads, at a Kubernetes API version that does not serve it */
  | { readonly is: 'unserved'; readonly served: string; readonly removed: boolean }
  /** not a Kubernetes kind, but close to one netpol reads: mis-cased or misspelt */
  | { readonly is: 'misspelt'; readonly suggestion: string; readonly served: string }

/**
 * Kubernetes' own API groups: the core group (apiVersion without "/"), the unsuffixed built-in groups and
 * "*.k8s.io", which is reserved for them. Any other group belongs to a custom resource, whose kinds are its own.
 */
function isKubernetesGroup(apiVersion: string): boolean {
  const slash = apiVersion.indexOf('/')
  if (slash < 0) return true
  const group = apiVersion.slice(0, slash)
  return ['core', 'apps', 'batch', 'extensions', 'policy', 'autoscaling'].includes(group) || group === 'k8s.io' || group.endsWith('.k8s.io')
}

/** Decides what an object of `kind` at `apiVersion` is to netpol. */
export function classifyKind(apiVersion: string, kind: string): KindVerdict {
  const served = SERVED_KINDS[kind]
  const kubernetes = isKubernetesGroup(apiVersion)
  if (served !== undefined) {
    if (apiVersion === served) return { is: 'read' }
    return kubernetes ? { is: 'unserved', served, removed: REMOVED_VERSIONS.has(apiVersion) } : { is: 'other' }
  }
  if (!kubernetes) return { is: 'other' }
  const suggestion = closestKind(kind)
  return suggestion === undefined ? { is: 'other' } : { is: 'misspelt', suggestion, served: SERVED_KINDS[suggestion]! }
}

/**
 * The read kind that `kind` is a slip of: the same letters in another case, a plural, or (ignoring case) at
 * most 1 edit away for a kind of up to 6 letters and 2 for a longer one. Secret or Ingress stay far enough
 * from every read kind not to be taken for one.
 */
export function closestKind(kind: string): string | undefined {
  const k = kind.toLowerCase()
  let best: string | undefined
  let bestDistance = Infinity
  for (const name of Object.keys(SERVED_KINDS)) {
    const n = name.toLowerCase()
    const plural = n.endsWith('y') ? `${n.slice(0, -1)}ies` : `${n}s`
    const d = k === plural ? 0 : editDistance(k, n)
    const limit = n.length <= 6 ? 1 : 2
    if (d <= limit && d < bestDistance) {
      best = name
      bestDistance = d
    }
  }
  return best
}
