import { failedRequirements, selectorMatches } from '../model/label-selector.js'
import { ipBlockMatch } from '../model/ip-block.js'
import { canonicalCidr, type Cidr } from '../model/ip.js'
import type { Peer } from '../model/policy.js'
import type { ClusterIndex } from './cluster-index.js'
import type { Endpoint, PeerMiss, PeerResult } from './verdict.js'

/**
 * Does one peer of a rule in a policy of namespace `policyNamespace` match endpoint `e` (the other end)?
 * - podSelector alone "selects particular Pods in the same namespace as the NetworkPolicy";
 * - namespaceSelector alone "selects all Pods in the namespaces selected";
 * - both: "selects particular Pods within particular namespaces";
 * - ipBlock: "particular IP CIDR ranges"; the except entries "should not be included".
 * Selector peers match only pods; an ipBlock matches the endpoint's address, pod or not.
 */
export function peerMatches(index: ClusterIndex, peer: Peer, policyNamespace: string, e: Endpoint): boolean {
  if (peer.kind === 'ipBlock') return e.ip !== null && ipBlockMatch(peer.block, e.ip).matched
  if (e.kind !== 'pod') return false
  const ns = e.pod.namespace
  if (peer.namespaces.kind === 'own') {
    if (ns !== policyNamespace) return false
  } else if (!selectorMatches(peer.namespaces.selector, index.namespaceLabels(ns))) return false
  return selectorMatches(peer.podSelector, e.pod.labels)
}

/** A CIDR as written, and for an IPv4-mapped one (`::ffff:10.0.0.0/104`) also the IPv4 range it stands for. */
function shownCidr(c: Cidr): string {
  return c.maskSize === c.prefix ? c.text : `${c.text} (IPv4 ${canonicalCidr(c)})`
}

/** The same decision as {@link peerMatches}, with every reason it failed. */
export function explainPeer(index: ClusterIndex, peer: Peer, i: number, policyNamespace: string, e: Endpoint): PeerMiss[] {
  if (peer.kind === 'ipBlock') {
    const cidr = shownCidr(peer.block.cidr)
    if (e.ip === null) return [{ code: 'no-ip', peer: i, pod: e.kind === 'pod' ? `${e.pod.namespace}/${e.pod.name}` : '', cidr }]
    const m = ipBlockMatch(peer.block, e.ip)
    if (m.matched) return []
    return m.why === 'outside'
      ? [{ code: 'ip-outside', peer: i, ip: e.ip.text, cidr }]
      : [{ code: 'ip-excepted', peer: i, ip: e.ip.text, cidr, except: shownCidr(m.except) }]
  }
  if (e.kind !== 'pod') return [{ code: 'not-a-pod', peer: i, ip: e.ip.text }]
  const misses: PeerMiss[] = []
  const ns = e.pod.namespace
  if (peer.namespaces.kind === 'own') {
    if (ns !== policyNamespace) misses.push({ code: 'other-namespace', peer: i, podNamespace: ns, policyNamespace })
  } else {
    const labels = index.namespaceLabels(ns)
    const failed = failedRequirements(peer.namespaces.selector, labels)
    if (failed.length > 0) misses.push({ code: 'namespace-labels', peer: i, namespace: ns, labels, failed })
  }
  const failed = failedRequirements(peer.podSelector, e.pod.labels)
  if (failed.length > 0) misses.push({ code: 'pod-labels', peer: i, pod: `${ns}/${e.pod.name}`, labels: e.pod.labels, failed })
  return misses
}

/** "If this field is empty or missing, this rule matches all sources/destinations" (from/to). */
export function matchPeers(index: ClusterIndex, peers: 'any' | readonly Peer[], policyNamespace: string, e: Endpoint): PeerResult {
  if (peers === 'any') return { ok: true, peer: 'any' }
  for (let i = 0; i < peers.length; i++) if (peerMatches(index, peers[i]!, policyNamespace, e)) return { ok: true, peer: i }
  const misses: PeerMiss[] = []
  for (let i = 0; i < peers.length; i++) misses.push(...explainPeer(index, peers[i]!, i, policyNamespace, e))
  return { ok: false, misses }
}
