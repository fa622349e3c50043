import type { IpAddress } from './ip.js'
import type { Labels } from './labels.js'
import type { NetworkPolicy } from './policy.js'
import type { ClusterPolicy, Node } from './cluster-policy.js'
import type { ContainerPort, Protocol } from './port.js'
import type { NetpolAnnotations } from './netpol-annotations.js'
import type { SourceRef } from './source.js'

export interface Namespace {
  readonly name: string
  /** includes kubernetes.io/metadata.name, set to the name as the API server does */
  readonly labels: Labels
  /** true when no Namespace object was given and it was created because something referenced it */
  readonly implicit: boolean
  /** netpol's own annotations (`netpol.dev/...`), when the object has any */
  readonly annotations?: NetpolAnnotations
  /** where the Namespace object was given; absent for an implicit one */
  readonly source?: SourceRef
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'ReplicationController' | 'Job' | 'CronJob'

/**
 * How many pods a workload template stands for: a count read from the spec (see parse-workload.ts), or
 * 'per-node' for a DaemonSet, whose count is the number of nodes it runs on and unknown from manifests.
 */
export type Replicas = number | 'per-node'

/** A workload by kind and name (its namespace is the pod's). */
export interface WorkloadRef {
  readonly kind: WorkloadKind
  readonly name: string
}

export interface Pod {
  readonly namespace: string
  readonly name: string
  readonly labels: Labels
  /** status.podIPs (or status.podIP); the first is the primary. Empty for templates and pending pods. */
  readonly ips: readonly IpAddress[]
  /** status.hostIP: the node's address; traffic from it to this pod is always allowed */
  readonly hostIPs: readonly IpAddress[]
  readonly nodeName?: string
  readonly hostNetwork: boolean
  readonly ports: readonly ContainerPort[]
  /**
   * Set when this pod stands for the pods of a workload's template. `replicas` absent means 1. A template of
   * several replicas stands for several distinct pods with these labels and ports: its pair with itself is
   * one replica to another, evaluated as two different pods (see `standsForSeveral`).
   */
  readonly template?: { readonly kind: WorkloadKind; readonly name: string; readonly replicas?: Replicas }
  /**
   * For a real pod: the workloads it belongs to, nearest first — its controller owner and that owner's own
   * owners as far as the input shows them (`metadata.ownerReferences`), and the input's workloads whose
   * selector picks it. Absent when none. `deploy/NS/NAME` resolves through it.
   */
  readonly workloads?: readonly WorkloadRef[]
  /** netpol's own annotations (`netpol.dev/...`) of the pod, or of the workload for a template */
  readonly annotations?: NetpolAnnotations
  readonly source?: SourceRef
}

export interface ServicePort {
  readonly name?: string
  readonly port: number
  readonly protocol: Protocol
  /** number or container port name; defaults to `port` */
  readonly targetPort: number | string
}

export interface Service {
  readonly namespace: string
  readonly name: string
  /** null: no selector (endpoints managed elsewhere) */
  readonly selector: Labels | null
  readonly ports: readonly ServicePort[]
  /**
   * spec.clusterIPs (spec.clusterIP when only it is given): the Service's virtual addresses, at most one per
   * family. Empty (or absent) for a headless Service ("None") and for one whose address is not allocated yet.
   */
  readonly clusterIPs?: readonly IpAddress[]
  /** spec.externalIPs: further addresses the nodes translate to the Service's backends */
  readonly externalIPs?: readonly IpAddress[]
  /**
   * spec.type when it exposes the Service outside the cluster: NodePort or LoadBalancer ("LoadBalancer ...
   * builds on NodePort"); absent for ClusterIP (the default) and ExternalName.
   */
  readonly type?: 'NodePort' | 'LoadBalancer'
  /** netpol's own annotations (`netpol.dev/...`), when the object has any */
  readonly annotations?: NetpolAnnotations
  readonly source?: SourceRef
}

/** The whole input, validated and defaulted. Pods are sorted by namespace, then name. */
export interface Cluster {
  readonly namespaces: ReadonlyMap<string, Namespace>
  readonly pods: readonly Pod[]
  readonly policies: readonly NetworkPolicy[]
  readonly services: readonly Service[]
  /**
   * ClusterNetworkPolicies, AdminNetworkPolicies and the BaselineAdminNetworkPolicy, sorted by tier (Admin first)
   * and then in evaluation order (compareInTier).
   */
  readonly clusterPolicies: readonly ClusterPolicy[]
  /** Node objects, for `nodes` peers; sorted by name */
  readonly nodes: readonly Node[]
}

/**
 * True when the pod stands for more than one pod (a workload template of several replicas, or a DaemonSet's
 * one per node). Then "a pod may always reach itself" does not decide its pair with itself: that pair is one
 * replica connecting to another, which policies filter like any two pods.
 */
export function standsForSeveral(pod: Pod): boolean {
  const r = pod.template?.replicas
  return r !== undefined && r !== 1
}

export const podId = (p: { namespace: string; name: string }): string => `${p.namespace}/${p.name}`

export function comparePods(a: Pod, b: Pod): number {
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}
