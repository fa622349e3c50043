import { podId } from '../model/cluster.js'
import { actionWord, formatClusterRef, type ClusterPeer } from '../model/cluster-policy.js'
import type { ClusterPolicyView, ClusterRuleView } from '../analysis/describe-cluster-policy.js'
import { clusterPeerText, clusterPortText } from './tier-words.js'
import { selectorText } from './words.js'

/**
 * The JSON contract of `describe cnp/NAME|anp/NAME|banp/default -o json`: `{"clusterPolicies": [{policy: "cnp/NAME",
 * kind, name, tier, priority, place: {position, of}, subject: {text, pods}, ingress, egress}]}`; a rule is
 * `{index, name?, action (as the kind writes it: Allow for v1alpha1), peers: [{kind, text, pods, nodes}], ports:
 * "any" | [{text, ...the port}]}`.
 */
export function describeClusterPoliciesReport(views: readonly ClusterPolicyView[]) {
  return {
    clusterPolicies: views.map((v) => {
      const p = v.policy
      const s = p.subject
      const rule = (r: ClusterRuleView) => ({
        index: r.index,
        ...(r.name !== undefined ? { name: r.name } : {}),
        action: actionWord(p.kind, r.action),
        peers: r.peers.map((pv) => ({ kind: pv.peer.kind, text: clusterPeerText(pv.peer), ...peerFields(pv.peer), pods: pv.pods.pods.map(podId), nodes: pv.nodes })),
        ports: r.ports === 'any' ? ('any' as const) : r.ports.map((port) => ({ text: clusterPortText(port), ...port })),
      })
      return {
        policy: formatClusterRef(p),
        kind: p.kind,
        name: p.name,
        tier: p.tier,
        priority: p.priority,
        place: v.place,
        subject: { text: s.kind === 'namespaces' ? `namespaces ${selectorText(s.selector)}` : `pods ${selectorText(s.podSelector)} in namespaces ${selectorText(s.namespaceSelector)}`, pods: v.subject.pods.map(podId) },
        ingress: v.ingress.map(rule),
        egress: v.egress.map(rule),
      }
    }),
  }
}

function peerFields(p: ClusterPeer) {
  switch (p.kind) {
    case 'namespaces':
    case 'nodes':
      return { selector: selectorText(p.selector) }
    case 'pods':
      return { namespaceSelector: selectorText(p.namespaceSelector), podSelector: selectorText(p.podSelector) }
    case 'networks':
      return { cidrs: p.cidrs.map((c) => c.text) }
    case 'domainNames':
      return { names: p.names }
  }
}
