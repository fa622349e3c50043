/**
 * The API resources netpol reads from a live cluster, as the API server serves them: group, version, the
 * plural name in the URL, and whether objects live in a namespace.
 */
export interface ApiResource {
  readonly kind: string
  /** '' for the core group */
  readonly group: string
  readonly version: string
  /** the resource name in the URL and in RBAC rules: pods, networkpolicies */
  readonly plural: string
  readonly namespaced: boolean
}

const r = (kind: string, group: string, plural: string, namespaced: boolean, version = 'v1'): ApiResource => ({ kind, group, version, plural, namespaced })

/** The API group of the cluster policy kinds (sig-network-policy-api), served only where its CRDs are installed. */
export const POLICY_API_GROUP = 'policy.networking.k8s.io'

/** Every kind netpol reads, by kind. */
export const API_RESOURCES = {
  Namespace: r('Namespace', '', 'namespaces', false),
  Node: r('Node', '', 'nodes', false),
  Pod: r('Pod', '', 'pods', true),
  Service: r('Service', '', 'services', true),
  ReplicationController: r('ReplicationController', '', 'replicationcontrollers', true),
  NetworkPolicy: r('NetworkPolicy', 'networking.k8s.io', 'networkpolicies', true),
  Deployment: r('Deployment', 'apps', 'deployments', true),
  StatefulSet: r('StatefulSet', 'apps', 'statefulsets', true),
  DaemonSet: r('DaemonSet', 'apps', 'daemonsets', true),
  ReplicaSet: r('ReplicaSet', 'apps', 'replicasets', true),
  Job: r('Job', 'batch', 'jobs', true),
  CronJob: r('CronJob', 'batch', 'cronjobs', true),
  ClusterNetworkPolicy: r('ClusterNetworkPolicy', POLICY_API_GROUP, 'clusternetworkpolicies', false, 'v1alpha2'),
  AdminNetworkPolicy: r('AdminNetworkPolicy', POLICY_API_GROUP, 'adminnetworkpolicies', false, 'v1alpha1'),
  BaselineAdminNetworkPolicy: r('BaselineAdminNetworkPolicy', POLICY_API_GROUP, 'baselineadminnetworkpolicies', false, 'v1alpha1'),
} as const satisfies Record<string, ApiResource>

export type KindName = keyof typeof API_RESOURCES

/** The kinds the model is always built from (see loadCluster): every cluster serves them and netpol must read them. */
export const MODEL_KINDS: readonly KindName[] = [
  'Namespace', 'Pod', 'Service', 'NetworkPolicy', 'ReplicationController',
  'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob',
]

/**
 * Kinds the model is built from when the cluster has them: the cluster policy kinds, when their API group and
 * version are served (their CRDs installed), and Node, when netpol may list nodes (`nodes` peers need them).
 */
export const OPTIONAL_KINDS: readonly KindName[] = ['Node', 'ClusterNetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']

/** Every kind a live cluster's model is built from: MODEL_KINDS, and OPTIONAL_KINDS where the cluster has them. */
export const LIVE_KINDS: readonly KindName[] = [...MODEL_KINDS, ...OPTIONAL_KINDS]

/** `v1` or `apps/v1` */
export const apiVersionOf = (res: ApiResource): string => (res.group === '' ? res.version : `${res.group}/${res.version}`)

/** The name of a resource in RBAC rules and kubectl: `pods`, `deployments.apps`. */
export const qualifiedName = (res: ApiResource): string => (res.group === '' ? res.plural : `${res.plural}.${res.group}`)

/** The collection path: `/api/v1/pods`, `/apis/apps/v1/namespaces/NS/deployments`; with `name`, one object. */
export function resourcePath(res: ApiResource, namespace?: string, name?: string): string {
  const base = res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`
  const ns = res.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : ''
  return `${base}${ns}/${res.plural}${name !== undefined ? `/${encodeURIComponent(name)}` : ''}`
}

/** The verbs netpol uses on every resource it reads (deploy/ grants exactly these): it never writes to the API. */
export const READ_VERBS: readonly string[] = ['get', 'list', 'watch']
