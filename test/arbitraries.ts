/** fast-check generators of small random clusters that exercise every part of the semantics. */
import fc from 'fast-check'
import type { Cluster, Pod, Replicas } from '../src/model/cluster.js'
import type { Requirement } from '../src/model/label-selector.js'
import type { Direction, NetworkPolicy, Peer, Rule } from '../src/model/policy.js'
import type { ClusterAction, ClusterPeer, ClusterPolicy, ClusterPort, ClusterRule, ClusterSubject, Node } from '../src/model/cluster-policy.js'
import { parseCidr } from '../src/model/ip.js'
import type { ContainerPort, PortSpec, Protocol } from '../src/model/port.js'
import { cluster, ip, ipPeer, namespace, nsPeer, pod, podsPeer, sel, allPorts, namedPort, port } from './builders.js'

const KEYS = ['app', 'tier', 'env']
const VALUES = ['a', 'b', 'c']
export const NAMESPACES = ['x', 'y', 'z']
export const PORTS: { port: number; protocol: Protocol }[] = [
  { port: 80, protocol: 'TCP' },
  { port: 81, protocol: 'TCP' },
  { port: 8080, protocol: 'TCP' },
  { port: 53, protocol: 'UDP' },
  { port: 80, protocol: 'UDP' },
  { port: 9000, protocol: 'SCTP' },
]
export const EXTERNAL_IPS = ['10.0.9.9', '192.168.1.1', '8.8.8.8', 'fd00::99', '2001:db8::1']

const labels = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 3 })

const requirement: fc.Arbitrary<Omit<Requirement, 'fromMatchLabels'>> = fc.oneof(
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 2 }) }),
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const), values: fc.constant([]) }),
)
const selector = fc.tuple(labels, fc.array(requirement, { maxLength: 2 })).map(([m, e]) => sel(m, e))
// namespace selectors also use the name label, as users often do
const nsSelector = fc.oneof(selector, fc.constantFrom(...NAMESPACES).map((n) => sel({ 'kubernetes.io/metadata.name': n })))

const CIDRS: [string, string[]][] = [
  ['10.0.0.0/16', []],
  ['10.0.0.0/16', ['10.0.1.0/24']],
  ['10.0.1.0/24', ['10.0.1.8/29']],
  ['0.0.0.0/0', ['10.0.0.0/8']],
  ['0.0.0.0/0', []],
  ['10.0.2.5/32', []],
  ['fd00::/64', []],
  ['::/0', ['fd00::/120']],
  ['192.168.0.0/16', []],
]
const peer: fc.Arbitrary<Peer> = fc.oneof(
  selector.map((s) => podsPeer(s)),
  fc.tuple(selector, nsSelector).map(([p, n]) => podsPeer(p, n)),
  nsSelector.map((n) => nsPeer(n)),
  fc.constantFrom(...CIDRS).map(([c, e]) => ipPeer(c, e)),
)
const portSpec: fc.Arbitrary<PortSpec> = fc.oneof(
  fc.constantFrom(80, 81, 53, 8080, 9000).chain((p) => fc.constantFrom<Protocol>('TCP', 'UDP', 'SCTP').map((pr) => port(p, pr))),
  fc.constant(port(79, 'TCP', 81)),
  fc.constant(port(8000, 'TCP', 9000)),
  fc.constantFrom(namedPort('http'), namedPort('dns', 'UDP'), namedPort('dns'), namedPort('sctp', 'SCTP'), namedPort('nope')),
  fc.constantFrom<Protocol>('TCP', 'UDP', 'SCTP').map(allPorts),
)
const rule: fc.Arbitrary<Rule> = fc.record({
  peers: fc.oneof(fc.constant('any' as const), fc.array(peer, { minLength: 1, maxLength: 3 })),
  ports: fc.oneof(fc.constant('any' as const), fc.array(portSpec, { minLength: 1, maxLength: 2 })),
})
const rules = fc.oneof(fc.constant(null), fc.array(rule, { maxLength: 2 }))

const policies: fc.Arbitrary<NetworkPolicy[]> = fc
  .array(fc.record({ ns: fc.constantFrom(...NAMESPACES), podSelector: selector, ingress: rules, egress: rules }), { maxLength: 5 })
  .map((list) => list.map((p, i) => ({ namespace: p.ns, name: `p${i}`, podSelector: p.podSelector, ingress: p.ingress, egress: p.egress })))

const CONTAINER_PORTS: ContainerPort[] = [
  { name: 'http', port: 80, protocol: 'TCP' },
  { name: 'http', port: 8080, protocol: 'TCP' },
  { name: 'dns', port: 53, protocol: 'UDP' },
  { port: 81, protocol: 'TCP' },
  { name: 'sctp', port: 9000, protocol: 'SCTP' },
]
const podIps = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 20 })).map(([a, b]) => [`10.0.${a}.${b}`]) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 300 }).map((b) => [`fd00::${b.toString(16)}`]) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 300 })).map(([a, b]) => [`10.0.1.${a}`, `fd00::${b.toString(16)}`]) },
  { weight: 1, arbitrary: fc.constant([] as string[]) },
)

/**
 * null: a real pod. Otherwise a workload template (no addresses) standing for this many pods: one replica's
 * pair with itself is self, several replicas' is one replica to another.
 */
const replicas = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom<Replicas>(1, 2, 3, 'per-node') },
)

const pods: fc.Arbitrary<Pod[]> = fc
  .array(fc.record({ ns: fc.constantFrom(...NAMESPACES), labels, ips: podIps, ports: fc.subarray(CONTAINER_PORTS, { maxLength: 3 }), replicas }), { minLength: 1, maxLength: 7 })
  .map((list) => {
    const used = new Set<string>()
    return list.map((p, i) => {
      const ips = p.ips.filter((a) => !used.has(a))
      ips.forEach((a) => used.add(a))
      // one port name per protocol on a pod (two containers may not both define "http")
      const names = new Set<string>()
      const ports = p.ports.filter((cp) => cp.name === undefined || (!names.has(cp.name) && names.add(cp.name)))
      if (p.replicas === null) return pod(`${p.ns}/pod${i}`, p.labels, { ips, ports })
      const template = { kind: p.replicas === 'per-node' ? ('DaemonSet' as const) : ('Deployment' as const), name: `pod${i}`, replicas: p.replicas }
      return pod(`${p.ns}/pod${i}`, p.labels, { ports, template })
    })
  })

export const clusters: fc.Arbitrary<Cluster> = fc
  .tuple(fc.tuple(labels, labels, labels), pods, policies)
  .map(([nsLabels, ps, pols]) => cluster({ namespaces: NAMESPACES.map((n, i) => namespace(n, nsLabels[i])), pods: ps, policies: pols }))

// ---- cluster policy tiers: ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, Nodes ----

/** Node addresses: some are also EXTERNAL_IPS (an outside end that is a node), and hostNetwork pods use them. */
export const NODE_ADDRESSES = ['192.168.1.1', '192.168.1.2', '10.0.9.9', 'fd00::99', 'fd00::98']
const NODE_NAMES = ['n0', 'n1', 'n2']

const nodes: fc.Arbitrary<Node[]> = fc
  .tuple(...NODE_NAMES.map(() => fc.tuple(labels, fc.subarray(NODE_ADDRESSES, { minLength: 1, maxLength: 2 }))))
  .map((list) => {
    const used = new Set<string>()
    return list.map(([l, addrs], i) => ({ name: NODE_NAMES[i]!, labels: l, addresses: addrs.filter((a) => !used.has(a) && used.add(a)).map(ip) }))
  })

const CLUSTER_CIDRS = ['10.0.0.0/16', '10.0.1.0/24', '0.0.0.0/0', '192.168.1.0/24', '192.168.1.2/32', 'fd00::/64', '::/0', '10.0.9.9/32']
const clusterPeer = (dir: Direction): fc.Arbitrary<ClusterPeer> => {
  const pods = [
    nsSelector.map((s): ClusterPeer => ({ kind: 'namespaces', selector: s })),
    fc.tuple(nsSelector, selector).map(([n, p]): ClusterPeer => ({ kind: 'pods', namespaceSelector: n, podSelector: p })),
  ]
  if (dir === 'ingress') return fc.oneof(...pods)
  return fc.oneof(
    ...pods,
    selector.map((s): ClusterPeer => ({ kind: 'nodes', selector: s })),
    fc.subarray(CLUSTER_CIDRS, { minLength: 1, maxLength: 2 }).map((cs): ClusterPeer => ({ kind: 'networks', cidrs: cs.map((c) => parseCidr(c)!) })),
  )
}
const clusterPort: fc.Arbitrary<ClusterPort> = fc.oneof(
  fc.tuple(fc.constantFrom(80, 81, 53, 8080, 9000), fc.constantFrom<Protocol>('TCP', 'UDP', 'SCTP')).map(([p, pr]): ClusterPort => ({ kind: 'range', protocol: pr, from: p, to: p })),
  fc.constantFrom<ClusterPort>({ kind: 'range', protocol: 'TCP', from: 79, to: 81 }, { kind: 'range', protocol: 'TCP', from: 8000, to: 9000 }, { kind: 'range', protocol: 'UDP', from: 50, to: 80 }),
  fc.constantFrom<ClusterPort>({ kind: 'named', name: 'http' }, { kind: 'named', name: 'dns' }, { kind: 'named', name: 'sctp' }, { kind: 'named', name: 'nope' }),
)
const clusterRules = (dir: Direction, actions: readonly ClusterAction[]): fc.Arbitrary<ClusterRule[]> =>
  fc.array(
    fc.record({
      action: fc.constantFrom(...actions),
      peers: fc.array(clusterPeer(dir), { minLength: 1, maxLength: 2 }),
      ports: fc.oneof(fc.constant('any' as const), fc.array(clusterPort, { minLength: 1, maxLength: 2 })),
      name: fc.option(fc.constantFrom('r', 'block'), { nil: undefined }),
    }).map((r): ClusterRule => (r.name === undefined ? { action: r.action, peers: r.peers, ports: r.ports } : r)),
    { maxLength: 3 },
  )
const clusterSubject: fc.Arbitrary<ClusterSubject> = fc.oneof(
  nsSelector.map((s): ClusterSubject => ({ kind: 'namespaces', selector: s })),
  fc.tuple(nsSelector, selector).map(([n, p]): ClusterSubject => ({ kind: 'pods', namespaceSelector: n, podSelector: p })),
)
const ALL_ACTIONS: ClusterAction[] = ['Accept', 'Deny', 'Pass']
/** small priorities and names from a short list, so equal priorities (and equal names across kinds) are common */
const clusterPolicy: fc.Arbitrary<ClusterPolicy> = fc
  .record({
    kind: fc.constantFrom('cnp-admin', 'cnp-baseline', 'anp'),
    priority: fc.integer({ min: 0, max: 3 }),
    name: fc.constantFrom('a', 'b', 'c'),
    subject: clusterSubject,
    ingress: clusterRules('ingress', ALL_ACTIONS),
    egress: clusterRules('egress', ALL_ACTIONS),
  })
  .map(({ kind, priority, name, subject, ingress, egress }): ClusterPolicy => {
    const body = { name, subject, ingress, egress }
    if (kind === 'anp') return { kind: 'AdminNetworkPolicy', tier: 'Admin', priority, ...body }
    return { kind: 'ClusterNetworkPolicy', tier: kind === 'cnp-admin' ? 'Admin' : 'Baseline', priority, ...body }
  })
const banp: fc.Arbitrary<ClusterPolicy> = fc
  .record({ subject: clusterSubject, ingress: clusterRules('ingress', ['Accept', 'Deny']), egress: clusterRules('egress', ['Accept', 'Deny']) })
  .map((b) => ({ kind: 'BaselineAdminNetworkPolicy', tier: 'Baseline', priority: null, name: 'default', ...b }))

const clusterPolicies: fc.Arbitrary<ClusterPolicy[]> = fc
  .tuple(fc.array(clusterPolicy, { maxLength: 5 }), fc.option(banp, { nil: undefined }))
  .map(([list, b]) => {
    // one policy per kind and name, as the API server keeps them
    const seen = new Set<string>()
    const unique = list.filter((p) => !seen.has(`${p.kind}/${p.name}`) && seen.add(`${p.kind}/${p.name}`))
    return b === undefined ? unique : [...unique, b]
  })

/** Pods that run on a node (their hostIP is one of its addresses) and hostNetwork pods, which use the node's addresses. */
const placement = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.record({ node: fc.integer({ min: 0, max: 2 }), hostNetwork: fc.boolean() }) },
)

/** Clusters with NetworkPolicies, cluster policies of every kind and tier, Nodes, and pods on them. */
export const tieredClusters: fc.Arbitrary<Cluster> = fc
  .tuple(clusters, clusterPolicies, nodes, fc.array(placement, { minLength: 7, maxLength: 7 }))
  .map(([c, cps, ns, places]) => {
    const ps = c.pods.map((p, i) => {
      const at = places[i]
      const node = at ? ns[at.node]! : undefined
      if (!node || node.addresses.length === 0) return p
      const hostIPs = node.addresses.map((a) => a.text)
      // a hostNetwork pod's addresses are its node's
      if (at!.hostNetwork && p.template === undefined) return pod(`${p.namespace}/${p.name}`, p.labels, { ports: [...p.ports], hostNetwork: true, nodeName: node.name, ips: hostIPs, hostIPs })
      return p.template === undefined ? pod(`${p.namespace}/${p.name}`, p.labels, { ports: [...p.ports], nodeName: node.name, ips: p.ips.map((a) => a.text), hostIPs }) : p
    })
    return cluster({ namespaces: [...c.namespaces.values()], pods: ps, policies: [...c.policies], clusterPolicies: cps, nodes: ns })
  })
