import { podId } from '../model/cluster.js'
import { formatRef } from '../model/policy.js'
import { formatClusterRef } from '../model/cluster-policy.js'
import type { TierEntry } from '../analysis/describe-cluster-policy.js'
import type { ExternalView, PodSet, PodView, PolicyView, PortReach, RuleView } from '../analysis/describe.js'
import { peerWords, portWords, selectorText } from './words.js'

const ids = (s: PodSet) => s.pods.map(podId)

const tierEntry = (e: TierEntry) => ({ policy: formatClusterRef(e.policy), kind: e.policy.kind, name: e.policy.name, tier: e.tier, priority: e.priority })

/**
 * The JSON contract of `describe -o json` for policies:
 * `{"policies": [{namespace, name, podSelector, selectedPods, policyTypes, ingress, egress, ignored}]}` where
 * ingress/egress is null when policyTypes lacks the direction, else a list of rules
 * `{index, peers: "any" | [peer], ports: "any" | [port], pods}`; a peer is
 * `{kind: "pods", text, podSelector, namespaceSelector (null: the policy's namespace), pods, namespaces}` or
 * `{kind: "ipBlock", text, cidr, except, pods}`; a port is `{protocol, port, endPort}` (numbers, or null for all
 * ports) or `{protocol, name, resolved: [{ports, pods}], unresolved}`. Selectors are given as text.
 */
export function describePoliciesReport(views: readonly PolicyView[]) {
  const rule = (r: RuleView) => ({
    index: r.index,
    peers:
      r.peers === 'any'
        ? 'any'
        : r.peers.map(({ peer, matched }) =>
            peer.kind === 'ipBlock'
              ? { kind: 'ipBlock', text: peerWords(peer), cidr: peer.block.cidr.text, except: peer.block.except.map((e) => e.text), pods: ids(matched) }
              : {
                  kind: 'pods',
                  text: peerWords(peer),
                  podSelector: selectorText(peer.podSelector),
                  namespaceSelector: peer.namespaces.kind === 'own' ? null : selectorText(peer.namespaces.selector),
                  pods: ids(matched),
                  namespaces: matched.namespaces,
                },
          ),
    ports:
      r.ports === 'any'
        ? 'any'
        : r.ports.map((pv) => {
            const s = pv.spec
            if (s.port.kind === 'named') {
              return { protocol: s.protocol, name: s.port.name, text: portWords(pv), resolved: pv.named!.resolved.map((g) => ({ ports: g.ports, pods: g.pods.map(podId) })), unresolved: pv.named!.unresolved.map(podId) }
            }
            return s.port.kind === 'range' ? { protocol: s.protocol, port: s.port.from, endPort: s.port.to } : { protocol: s.protocol, port: null, endPort: null }
          }),
    pods: ids(r.pods),
  })
  return {
    policies: views.map((v) => ({
      namespace: v.policy.namespace,
      name: v.policy.name,
      podSelector: selectorText(v.policy.podSelector),
      selectedPods: ids(v.selected),
      policyTypes: v.policyTypes.map((d) => (d === 'ingress' ? 'Ingress' : 'Egress')),
      ingress: v.ingress === null ? null : v.ingress.map(rule),
      egress: v.egress === null ? null : v.egress.map(rule),
      ignored: { ingress: v.ignored.ingress.map(rule), egress: v.ignored.egress.map(rule) },
    })),
  }
}

/**
 * The JSON contract of `describe pod -o json`: `{"pods": [{pod, labels, ips, family, selectedBy, ingress, egress,
 * inbound, outbound}]}`; ingress/egress is `{isolated, by: ["ns/name"]}`; inbound/outbound entries are
 * `{port, protocol, name?, considered, allowed: {pods: n, namespaces: [..]}, allowedPods: ["ns/name"],
 * external: "any" | ["cidr" or "cidr except a, b"]}`. When cluster policies select the pod, `tiers: {ingress,
 * egress}` lists them per direction in evaluation order as `{policy: "cnp/NAME", kind, name, tier, priority}`
 * (priority null for the BaselineAdminNetworkPolicy).
 */
export function describePodsReport(views: readonly PodView[]) {
  const external = (e: ExternalView) => (e.kind === 'any' ? 'any' : e.blocks.map((b) => `${b.cidr.text}${b.except.length ? ` except ${b.except.map((x) => x.text).join(', ')}` : ''}`))
  const reach = (r: PortReach) => ({
    port: r.port,
    protocol: r.protocol,
    ...(r.name !== undefined ? { name: r.name } : {}),
    considered: r.considered,
    allowed: { pods: r.allowed.pods.length, namespaces: r.allowed.namespaces },
    allowedPods: ids(r.allowed),
    external: external(r.external),
  })
  return {
    pods: views.map((v) => ({
      pod: podId(v.pod),
      labels: v.pod.labels,
      ips: v.pod.ips.map((a) => a.text),
      family: v.family,
      selectedBy: v.selectedBy.map(formatRef),
      ingress: { isolated: v.ingress.by.length > 0, by: v.ingress.by.map(formatRef) },
      egress: { isolated: v.egress.by.length > 0, by: v.egress.by.map(formatRef) },
      inbound: v.inbound.map(reach),
      outbound: v.outbound.map(reach),
      ...(v.tiers ? { tiers: { ingress: v.tiers.ingress.map(tierEntry), egress: v.tiers.egress.map(tierEntry) } } : {}),
    })),
  }
}
