/** Builders for model objects in tests: small defaults, tweaks by spread. */
import type { Cluster, Namespace, Pod } from '../src/model/cluster.js'
import { comparePods } from '../src/model/cluster.js'
import { compareNodes, sortClusterPolicies, type ClusterPolicy, type Node } from '../src/model/cluster-policy.js'
import { parseCidr, parseIp, canonicalCidr, type IpAddress } from '../src/model/ip.js'
import type { IpBlock } from '../src/model/ip-block.js'
import { makeSelector, type LabelSelector, type Requirement } from '../src/model/label-selector.js'
import type { Labels } from '../src/model/labels.js'
import type { NetworkPolicy, Peer, Rule } from '../src/model/policy.js'
import type { ContainerPort, PortSpec, Protocol } from '../src/model/port.js'

export function ip(text: string): IpAddress {
  const v = parseIp(text)
  if (v === null) throw new Error(`bad ip ${text}`)
  return v
}

export function sel(matchLabels: Labels = {}, exprs: Omit<Requirement, 'fromMatchLabels'>[] = []): LabelSelector {
  return makeSelector([
    ...Object.entries(matchLabels).map(([key, v]) => ({ key, operator: 'In' as const, values: [v], fromMatchLabels: true })),
    ...exprs,
  ])
}

export function block(cidr: string, except: string[] = []): IpBlock {
  const c = parseCidr(cidr)!
  const ex = except.map((e) => parseCidr(e)!)
  return { cidr: c, except: ex, key: [canonicalCidr(c), ...ex.map(canonicalCidr).sort()].join(' ') }
}

export const podsPeer = (pod: LabelSelector, ns?: LabelSelector): Peer =>
  ns === undefined
    ? { kind: 'pods', podSelector: pod, namespaces: { kind: 'own' }, written: { podSelector: true, namespaceSelector: false } }
    : { kind: 'pods', podSelector: pod, namespaces: { kind: 'selector', selector: ns }, written: { podSelector: true, namespaceSelector: true } }
export const nsPeer = (ns: LabelSelector): Peer => ({
  kind: 'pods',
  podSelector: makeSelector([]),
  namespaces: { kind: 'selector', selector: ns },
  written: { podSelector: false, namespaceSelector: true },
})
export const ipPeer = (cidr: string, except: string[] = []): Peer => ({ kind: 'ipBlock', block: block(cidr, except) })

export const port = (p: number, protocol: Protocol = 'TCP', endPort?: number): PortSpec => ({ protocol, port: { kind: 'range', from: p, to: endPort ?? p } })
export const namedPort = (name: string, protocol: Protocol = 'TCP'): PortSpec => ({ protocol, port: { kind: 'named', name } })
export const allPorts = (protocol: Protocol = 'TCP'): PortSpec => ({ protocol, port: { kind: 'all' } })

export const rule = (peers: 'any' | Peer[] = 'any', ports: 'any' | PortSpec[] = 'any'): Rule => ({ peers, ports })

export function policy(namespace: string, name: string, tweak: Partial<NetworkPolicy> = {}): NetworkPolicy {
  return { namespace, name, podSelector: makeSelector([]), ingress: [], egress: null, ...tweak }
}

export function pod(id: string, labels: Labels = {}, tweak: Partial<Omit<Pod, 'ips' | 'hostIPs'>> & { ips?: string[]; hostIPs?: string[]; ports?: ContainerPort[] } = {}): Pod {
  const [namespace, name] = id.split('/') as [string, string]
  const { ips, hostIPs, ...rest } = tweak
  return { namespace, name, labels, ips: (ips ?? []).map(ip), hostIPs: (hostIPs ?? []).map(ip), hostNetwork: false, ports: [], ...rest }
}

export function namespace(name: string, labels: Labels = {}): Namespace {
  return { name, labels: { ...labels, 'kubernetes.io/metadata.name': name }, implicit: false }
}

export function cluster(parts: { namespaces?: Namespace[]; pods?: Pod[]; policies?: NetworkPolicy[]; clusterPolicies?: ClusterPolicy[]; nodes?: Node[] }): Cluster {
  const namespaces = new Map<string, Namespace>()
  for (const ns of parts.namespaces ?? []) namespaces.set(ns.name, ns)
  for (const p of [...(parts.pods ?? []), ...(parts.policies ?? [])]) if (!namespaces.has(p.namespace)) namespaces.set(p.namespace, namespace(p.namespace))
  return {
    namespaces,
    pods: [...(parts.pods ?? [])].sort(comparePods),
    policies: [...(parts.policies ?? [])],
    services: [],
    clusterPolicies: sortClusterPolicies(parts.clusterPolicies ?? []),
    nodes: [...(parts.nodes ?? [])].sort(compareNodes),
  }
}
