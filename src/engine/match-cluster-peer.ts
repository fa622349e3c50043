/**
 * Cluster policy peers (ClusterNetworkPolicy v1alpha2, AdminNetworkPolicy / BaselineAdminNetworkPolicy v1alpha1)
 * against the other end of a connection.
 */
import { selectorMatches } from '../model/label-selector.js'
import { cidrContains } from '../model/ip.js'
import type { ClusterPeer } from '../model/cluster-policy.js'
import type { ClusterIndex } from './cluster-index.js'
import { matchNames, type NameResolution } from './name-resolution.js'
import type { Endpoint } from './verdict.js'

export type ClusterPeerMatch = { readonly kind: 'yes' } | { readonly kind: 'no' } | { readonly kind: 'undecided'; readonly names: readonly string[] }

const YES: ClusterPeerMatch = { kind: 'yes' }
const NO: ClusterPeerMatch = { kind: 'no' }

export function clusterPeerMatches(index: ClusterIndex, peer: ClusterPeer, e: Endpoint, resolution: NameResolution): ClusterPeerMatch {
  switch (peer.kind) {
    case 'namespaces':
    case 'pods': {
      // "host-networked pods are not included": a namespaces/pods peer selects only pods on the pod network
      if (e.kind !== 'pod' || e.pod.hostNetwork) return NO
      if (!selectorMatches(peer.kind === 'namespaces' ? peer.selector : peer.namespaceSelector, index.namespaceLabels(e.pod.namespace))) return NO
      return peer.kind === 'namespaces' || selectorMatches(peer.podSelector, e.pod.labels) ? YES : NO
    }
    case 'networks':
      // "cluster-internal traffic will be checked against the rule as well": pod addresses count; an end with no
      // address of the connection's family (a workload template) is in no network
      return e.ip !== null && peer.cidrs.some((c) => cidrContains(c, e.ip!)) ? YES : NO
    case 'nodes': {
      // "selects the nodeIPs ... by matching on the IPs present in the node.Status.Addresses field"
      const ip = e.ip
      if (ip === null) return NO
      return index.cluster.nodes.some((n) => selectorMatches(peer.selector, n.labels) && n.addresses.some((a) => a.family === ip.family && a.value === ip.value)) ? YES : NO
    }
    case 'domainNames': {
      // a pod's address is never one of the domain names' answers netpol considers
      if (e.kind === 'pod' || e.ip === null) return NO
      const m = matchNames(peer.names, e.ip, resolution)
      return m.kind === 'undecided' ? m : m.kind === 'yes' ? YES : NO
    }
  }
}
