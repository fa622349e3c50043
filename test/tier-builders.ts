/**
 * Builders for cluster policies and Node objects in tests (small, by hand), beside builders.ts.
 * Not used by the product.
 */
import type { ClusterAction, ClusterPeer, ClusterPolicy, ClusterPort, ClusterRule, ClusterSubject, Node, Tier } from '../src/model/cluster-policy.js'
import { parseCidr, parseIp } from '../src/model/ip.js'
import type { LabelSelector } from '../src/model/label-selector.js'
import type { Labels } from '../src/model/labels.js'
import type { Protocol } from '../src/model/port.js'

export const nsSubject = (selector: LabelSelector): ClusterSubject => ({ kind: 'namespaces', selector })
export const podSubject = (namespaceSelector: LabelSelector, podSelector: LabelSelector): ClusterSubject => ({ kind: 'pods', namespaceSelector, podSelector })

export const toNamespaces = (selector: LabelSelector): ClusterPeer => ({ kind: 'namespaces', selector })
export const toPods = (namespaceSelector: LabelSelector, podSelector: LabelSelector): ClusterPeer => ({ kind: 'pods', namespaceSelector, podSelector })
export const toNodes = (selector: LabelSelector): ClusterPeer => ({ kind: 'nodes', selector })
export const toNetworks = (...cidrs: string[]): ClusterPeer => ({ kind: 'networks', cidrs: cidrs.map((c) => parseCidr(c)!) })
export const toDomains = (...names: string[]): ClusterPeer => ({ kind: 'domainNames', names })

export const tcp = (from: number, to = from, protocol: Protocol = 'TCP'): ClusterPort => ({ kind: 'range', protocol, from, to })
export const named = (name: string): ClusterPort => ({ kind: 'named', name })

export const crule = (action: ClusterAction, peers: ClusterPeer[], ports: 'any' | ClusterPort[] = 'any', name?: string): ClusterRule => ({ action, peers, ports, ...(name !== undefined ? { name } : {}) })

export function cnp(name: string, tier: Tier, priority: number, subject: ClusterSubject, rules: { ingress?: ClusterRule[]; egress?: ClusterRule[] }): ClusterPolicy {
  return { kind: 'ClusterNetworkPolicy', tier, priority, name, subject, ingress: rules.ingress ?? [], egress: rules.egress ?? [] }
}

export function anp(name: string, priority: number, subject: ClusterSubject, rules: { ingress?: ClusterRule[]; egress?: ClusterRule[] }): ClusterPolicy {
  return { kind: 'AdminNetworkPolicy', tier: 'Admin', priority, name, subject, ingress: rules.ingress ?? [], egress: rules.egress ?? [] }
}

export function banp(subject: ClusterSubject, rules: { ingress?: ClusterRule[]; egress?: ClusterRule[] }): ClusterPolicy {
  return { kind: 'BaselineAdminNetworkPolicy', tier: 'Baseline', priority: null, name: 'default', subject, ingress: rules.ingress ?? [], egress: rules.egress ?? [] }
}

export function node(name: string, labels: Labels, addresses: string[]): Node {
  return { name, labels, addresses: addresses.map((a) => parseIp(a)!) }
}
