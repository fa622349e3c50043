import type { IpAddress } from './ip.js'
import type { Labels } from './labels.js'
import type { NetworkPolicy } from './policy.js'
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
  /** set when this pod stands for the pods of a workload's template */
  readonly template?: { readonly kind: WorkloadKind; readonly name: string }
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
}

export const podId = (p: { namespace: string; name: string }): string => `${p.namespace}/${p.name}`

export function comparePods(a: Pod, b: Pod): number {
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}
