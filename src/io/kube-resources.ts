/**
 * The API resources netpol reads from a live cluster: one list, used by the Kubernetes client to build its
 * request paths and by `deploy/rbac.yaml`'s test to hold the ClusterRole to exactly these (get, list, watch).
 * Every kind the manifest reader understands (model/api-kinds.ts) is here, plus the Node, whose
 * `spec.podCIDRs` tells the agent which addresses its node's pods have.
 */
import { SERVED_KINDS } from '../model/api-kinds.js'

export interface ReadResource {
  readonly kind: string
  /** '' for the core group */
  readonly group: string
  readonly version: string
  /** the lowercase plural the API paths and RBAC rules name it by */
  readonly plural: string
  readonly namespaced: boolean
}

export const READ_RESOURCES: readonly ReadResource[] = [
  { kind: 'Namespace', group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  { kind: 'Node', group: '', version: 'v1', plural: 'nodes', namespaced: false },
  { kind: 'Pod', group: '', version: 'v1', plural: 'pods', namespaced: true },
  { kind: 'Service', group: '', version: 'v1', plural: 'services', namespaced: true },
  { kind: 'ReplicationController', group: '', version: 'v1', plural: 'replicationcontrollers', namespaced: true },
  { kind: 'NetworkPolicy', group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', namespaced: true },
  { kind: 'Deployment', group: 'apps', version: 'v1', plural: 'deployments', namespaced: true },
  { kind: 'StatefulSet', group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true },
  { kind: 'DaemonSet', group: 'apps', version: 'v1', plural: 'daemonsets', namespaced: true },
  { kind: 'ReplicaSet', group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true },
  { kind: 'Job', group: 'batch', version: 'v1', plural: 'jobs', namespaced: true },
  { kind: 'CronJob', group: 'batch', version: 'v1', plural: 'cronjobs', namespaced: true },
]

/** The verbs netpol uses: it never writes to the API. */
export const READ_VERBS: readonly string[] = ['get', 'list', 'watch']

/** `v1` or `apps/v1`, as objects of the resource carry it. */
export const apiVersionOf = (r: ReadResource): string => (r.group === '' ? r.version : `${r.group}/${r.version}`)

/**
 * The collection's path across all namespaces (or in `namespace`): `/api/v1/pods`,
 * `/apis/apps/v1/namespaces/NS/deployments`.
 */
export function collectionPath(r: ReadResource, namespace?: string): string {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`
  return namespace !== undefined && r.namespaced ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}` : `${base}/${r.plural}`
}

/** The resource of `kind`, or undefined for a kind netpol does not read. */
export const readResource = (kind: string): ReadResource | undefined => READ_RESOURCES.find((r) => r.kind === kind)

/** Kinds whose objects go into the model (every read kind but Node, which only the agent uses for its pod CIDRs). */
export const MANIFEST_RESOURCES: readonly ReadResource[] = READ_RESOURCES.filter((r) => SERVED_KINDS[r.kind] !== undefined)
