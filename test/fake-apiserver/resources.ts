/**
 * The resources the fake API server serves, as a real kube-apiserver names them. Kept apart from
 * src/io/kube/resources.ts on purpose: the fake states the wire format on its own, so a mistake in the
 * client's table shows up as a failing request instead of being shared by both sides.
 */
export interface FakeResource {
  readonly kind: string
  readonly group: string
  readonly version: string
  /** the resource name in the URL: pods, networkpolicies */
  readonly plural: string
  readonly namespaced: boolean
  readonly shortNames?: readonly string[]
}

export const FAKE_RESOURCES: readonly FakeResource[] = [
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
  // custom resources of sig-network-policy-api's CRDs (not served unless the fake is started with policyApi)
  { kind: 'ClusterNetworkPolicy', group: 'policy.networking.k8s.io', version: 'v1alpha2', plural: 'clusternetworkpolicies', namespaced: false, shortNames: ['cnp'] },
  { kind: 'AdminNetworkPolicy', group: 'policy.networking.k8s.io', version: 'v1alpha1', plural: 'adminnetworkpolicies', namespaced: false, shortNames: ['anp'] },
  { kind: 'BaselineAdminNetworkPolicy', group: 'policy.networking.k8s.io', version: 'v1alpha1', plural: 'baselineadminnetworkpolicies', namespaced: false, shortNames: ['banp'] },
]

/** The API group of the CRDs above. */
export const POLICY_GROUP = 'policy.networking.k8s.io'

/**
 * A group version's discovery document (`GET /apis/GROUP/VERSION`, `GET /api/v1`), as kube-apiserver writes an
 * APIResourceList: each resource with its verbs, and a custom resource's status subresource.
 */
export function resourceList(group: string, version: string): Record<string, unknown> | undefined {
  const served = FAKE_RESOURCES.filter((r) => r.group === group && r.version === version)
  if (served.length === 0) return undefined
  const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
  const resources = served.flatMap((r) => {
    const singularName = r.kind.toLowerCase()
    const main = { name: r.plural, singularName, namespaced: r.namespaced, kind: r.kind, verbs, ...(r.shortNames ? { shortNames: r.shortNames } : {}) }
    return group === POLICY_GROUP ? [main, { name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] }] : [main]
  })
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources }
}

export const apiVersionOf = (r: FakeResource): string => (r.group === '' ? r.version : `${r.group}/${r.version}`)

export type Obj = { kind?: string; apiVersion?: string; metadata: Meta; [k: string]: unknown }
export type Meta = { name: string; namespace?: string; uid?: string; resourceVersion?: string; labels?: Record<string, string>; [k: string]: unknown }

/**
 * Whether `obj` matches a label selector as the API server parses it: `k=v`, `k==v`, `k!=v`, `k`, `!k`,
 * `k in (a,b)`, `k notin (a,b)`, joined by commas.
 */
export function matchesLabels(obj: Obj, selector: string | null): boolean {
  if (!selector) return true
  const labels = obj.metadata.labels ?? {}
  for (const term of splitTerms(selector)) {
    const t = term.trim()
    let m: RegExpMatchArray | null
    if ((m = t.match(/^([^\s!=]+)\s+(in|notin)\s+\((.*)\)$/))) {
      const vals = m[3]!.split(',').map((s) => s.trim())
      const has = m[1]! in labels && vals.includes(labels[m[1]!]!)
      if (m[2] === 'in' ? !has : has) return false
    } else if ((m = t.match(/^([^\s!=]+)\s*!=\s*(.*)$/))) {
      if (labels[m[1]!] === m[2]) return false
    } else if ((m = t.match(/^([^\s!=]+)\s*==?\s*(.*)$/))) {
      if (labels[m[1]!] !== m[2]) return false
    } else if (t.startsWith('!')) {
      if (t.slice(1) in labels) return false
    } else if (!(t in labels)) return false
  }
  return true
}

function splitTerms(s: string): string[] {
  const out: string[] = []
  let depth = 0
  let cur = ''
  for (const c of s) {
    if (c === '(') depth++
    if (c === ')') depth--
    if (c === ',' && depth === 0) {
      out.push(cur)
      cur = ''
    } else cur += c
  }
  out.push(cur)
  return out.filter((t) => t.trim() !== '')
}

/** The fields a field selector may name: metadata.name, metadata.namespace, and a pod's spec.nodeName and status.phase. */
export function fieldValue(obj: Obj, field: string): string | undefined {
  switch (field) {
    case 'metadata.name':
      return obj.metadata.name
    case 'metadata.namespace':
      return obj.metadata.namespace ?? ''
    case 'spec.nodeName':
      return String((obj.spec as { nodeName?: string } | undefined)?.nodeName ?? '')
    case 'status.phase':
      return String((obj.status as { phase?: string } | undefined)?.phase ?? '')
    default:
      return undefined
  }
}

/** Whether `obj` matches a field selector (`f=v`, `f==v`, `f!=v`, joined by commas); null when a field is not supported. */
export function matchesFields(obj: Obj, selector: string | null): boolean | null {
  if (!selector) return true
  for (const term of selector.split(',')) {
    const m = term.trim().match(/^([^!=]+?)\s*(!=|==|=)\s*(.*)$/)
    if (!m) return null
    const v = fieldValue(obj, m[1]!)
    if (v === undefined) return null
    if ((m[2] === '!=') === (v === m[3])) return false
  }
  return true
}
