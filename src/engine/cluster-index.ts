import type { Cluster, Namespace, Pod } from '../model/cluster.js'
import type { Labels } from '../model/labels.js'
import type { NetworkPolicy } from '../model/policy.js'

/** Look-ups the engine needs, computed once per cluster. */
export interface ClusterIndex {
  readonly cluster: Cluster
  readonly policiesByNamespace: ReadonlyMap<string, readonly NetworkPolicy[]>
  namespaceLabels(namespace: string): Labels
}

const NO_LABELS: Labels = Object.freeze({})

export function indexCluster(cluster: Cluster): ClusterIndex {
  const byNs = new Map<string, NetworkPolicy[]>()
  for (const p of cluster.policies) {
    const list = byNs.get(p.namespace)
    if (list) list.push(p)
    else byNs.set(p.namespace, [p])
  }
  const namespaces: ReadonlyMap<string, Namespace> = cluster.namespaces
  return {
    cluster,
    policiesByNamespace: byNs,
    // a namespace the input never named still carries its name label, as the API server would set it
    namespaceLabels: (ns) => namespaces.get(ns)?.labels ?? { 'kubernetes.io/metadata.name': ns, ...NO_LABELS },
  }
}

export type { Pod }
