/**
 * fast-check generators of small clusters with cluster policy tiers: ClusterNetworkPolicies, AdminNetworkPolicies
 * and a BaselineAdminNetworkPolicy over the pods of `clusters`, hostNetwork pods on Nodes, and Node objects.
 */
import fc from 'fast-check'
import { comparePods, type Cluster, type Pod } from '../src/model/cluster.js'
import { sortClusterPolicies, type ClusterPeer, type ClusterPolicy, type ClusterPort, type ClusterRule, type ClusterSubject, type Node } from '../src/model/cluster-policy.js'
import { makeSelector, type LabelSelector } from '../src/model/label-selector.js'
import { parseCidr } from '../src/model/ip.js'
import type { Protocol } from '../src/model/port.js'
import { clusters, NAMESPACES } from './arbitraries.js'
import { edits } from './diff-edits.js'
import { ip, pod, sel } from './builders.js'

const selector: fc.Arbitrary<LabelSelector> = fc.oneof(
  fc.constant(makeSelector([])),
  fc.dictionary(fc.constantFrom('app', 'tier'), fc.constantFrom('a', 'b', 'c'), { minKeys: 1, maxKeys: 1 }).map((m) => sel(m)),
  fc.constantFrom('a', 'b').map((v) => sel({}, [{ key: 'app', operator: 'NotIn', values: [v] }])),
)
const nsSelector = fc.oneof(selector, fc.constantFrom(...NAMESPACES).map((n) => sel({ 'kubernetes.io/metadata.name': n })))
const nodeSelector = fc.oneof(fc.constant(makeSelector([])), fc.constantFrom('a', 'b').map((v) => sel({ zone: v })))

export const NODE_IPS = ['10.0.0.1', '10.0.3.1', '192.168.7.7', 'fd00::1']
const CIDRS = ['10.0.0.0/16', '10.0.1.0/24', '10.0.0.0/30', '0.0.0.0/0', '192.168.0.0/16', 'fd00::/64', '::/0', '10.0.2.5/32']

const subject: fc.Arbitrary<ClusterSubject> = fc.oneof(
  nsSelector.map((s) => ({ kind: 'namespaces' as const, selector: s })),
  fc.tuple(nsSelector, selector).map(([n, p]) => ({ kind: 'pods' as const, namespaceSelector: n, podSelector: p })),
)
const ingressPeer: fc.Arbitrary<ClusterPeer> = fc.oneof(
  nsSelector.map((s) => ({ kind: 'namespaces' as const, selector: s })),
  fc.tuple(nsSelector, selector).map(([n, p]) => ({ kind: 'pods' as const, namespaceSelector: n, podSelector: p })),
)
const egressPeer: fc.Arbitrary<ClusterPeer> = fc.oneof(
  ingressPeer,
  fc.uniqueArray(fc.constantFrom(...CIDRS), { minLength: 1, maxLength: 2 }).map((cs) => ({ kind: 'networks' as const, cidrs: cs.map((c) => parseCidr(c)!) })),
  nodeSelector.map((s) => ({ kind: 'nodes' as const, selector: s })),
  fc.constant({ kind: 'domainNames' as const, names: ['*.example.com'] }),
)
const clusterPort: fc.Arbitrary<ClusterPort> = fc.oneof(
  fc.constantFrom(80, 81, 53, 8080, 9000).chain((p) => fc.constantFrom<Protocol>('TCP', 'UDP', 'SCTP').map((protocol) => ({ kind: 'range' as const, protocol, from: p, to: p }))),
  fc.constant({ kind: 'range' as const, protocol: 'TCP' as const, from: 79, to: 81 }),
  fc.constant({ kind: 'range' as const, protocol: 'TCP' as const, from: 8000, to: 9000 }),
  fc.constantFrom('http', 'dns', 'sctp', 'nope').map((name) => ({ kind: 'named' as const, name })),
)
const rule = (peer: fc.Arbitrary<ClusterPeer>, actions: ClusterRule['action'][]): fc.Arbitrary<ClusterRule> =>
  fc
    .record({
      action: fc.constantFrom(...actions),
      peers: fc.array(peer, { minLength: 1, maxLength: 2 }),
      ports: fc.oneof(fc.constant('any' as const), fc.array(clusterPort, { minLength: 1, maxLength: 2 })),
      name: fc.option(fc.constantFrom('r1', 'r2'), { nil: undefined }),
    })
    // domainNames only in Accept rules
    .map((r) => ({ ...r, peers: r.action === 'Accept' ? r.peers : r.peers.filter((p) => p.kind !== 'domainNames') }))
    .filter((r) => r.peers.length > 0)
    .map(({ name, ...r }) => (name === undefined ? r : { ...r, name }))

const body = (actions: ClusterRule['action'][]) =>
  fc.record({ subject, ingress: fc.array(rule(ingressPeer, actions), { maxLength: 3 }), egress: fc.array(rule(egressPeer, actions), { maxLength: 3 }) })

const cnp = fc.tuple(fc.constantFrom<'Admin' | 'Baseline'>('Admin', 'Baseline'), fc.constantFrom(1, 2, 5), body(['Accept', 'Deny', 'Pass'])).map(([tier, priority, b]) => ({ kind: 'ClusterNetworkPolicy' as const, tier, priority, ...b }))
const anp = fc.tuple(fc.constantFrom(1, 2, 5), body(['Accept', 'Deny', 'Pass'])).map(([priority, b]) => ({ kind: 'AdminNetworkPolicy' as const, tier: 'Admin' as const, priority, ...b }))
const banp = body(['Accept', 'Deny']).map((b) => ({ kind: 'BaselineAdminNetworkPolicy' as const, tier: 'Baseline' as const, priority: null, ...b }))

export const clusterPolicies: fc.Arbitrary<ClusterPolicy[]> = fc
  .tuple(fc.array(fc.oneof(cnp, anp), { maxLength: 4 }), fc.option(banp, { nil: undefined }))
  .map(([list, b]) => [...list.map((p, i) => ({ ...p, name: `c${i}` })), ...(b ? [{ ...b, name: 'default' }] : [])] as ClusterPolicy[])

const nodes: fc.Arbitrary<Node[]> = fc.subarray(NODE_IPS, { maxLength: 3 }).chain((ips) =>
  fc.tuple(...ips.map(() => fc.constantFrom('a', 'b'))).map((zones) => ips.map((a, i) => ({ name: `n${i}`, labels: { zone: zones[i]! }, addresses: [ip(a)] }))),
)

/** `clusters` with cluster policies, Nodes and a few hostNetwork pods on those Nodes' addresses. */
export const tierClusters: fc.Arbitrary<Cluster> = fc
  .tuple(clusters, clusterPolicies, nodes, fc.array(fc.tuple(fc.constantFrom(...NAMESPACES), fc.constantFrom('a', 'b')), { maxLength: 2 }))
  .map(([c, cps, ns, hosts]) => {
    const hostPods = hosts.flatMap(([n, app], i) => {
      const node = ns[i % Math.max(1, ns.length)]
      if (node === undefined) return []
      return [pod(`${n}/host${i}`, { app }, { ips: [node.addresses[0]!.text], hostNetwork: true, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] })]
    })
    return { ...c, pods: [...c.pods, ...hostPods].sort(comparePods), clusterPolicies: sortClusterPolicies(cps), nodes: ns }
  })

/**
 * `edits` with cluster policies: after is before with some NetworkPolicy edits (as `edits` makes them) and some
 * cluster policies removed, changed (another's body under the same kind and name) or added, sometimes a Node
 * relabeled or dropped.
 */
export const tierEdits = fc
  .tuple(edits, tierClusters, tierClusters, fc.array(fc.nat(4), { minLength: 12, maxLength: 12 }))
  .map(([{ before: plain, after: plainAfter, family }, a, b, dice]) => {
    // the edits of `edits` (policies, pod and namespace labels, a pod dropped) with a's tiers, Nodes and hostNetwork pods
    const hosts = a.pods.filter((p) => p.hostNetwork)
    const withHosts = (ps: readonly Pod[]) => [...ps, ...hosts].sort(comparePods)
    const before: Cluster = { ...plain, pods: withHosts(plain.pods), clusterPolicies: a.clusterPolicies, nodes: a.nodes }
    const keep = a.clusterPolicies.filter((_, i) => dice[i] !== 0)
    const byName = new Map(keep.map((p) => [`${p.kind}/${p.name}`, p]))
    b.clusterPolicies.forEach((q, i) => {
      const roll = dice[5 + (i % 5)]!
      const p = a.clusterPolicies[i]
      if (roll === 0 && p !== undefined && p.kind === q.kind) byName.set(`${p.kind}/${p.name}`, { ...q, name: p.name } as ClusterPolicy)
      else if (roll === 1) byName.set(`${q.kind}/${q.kind === 'BaselineAdminNetworkPolicy' ? 'default' : `n${i}`}`, { ...q, name: q.kind === 'BaselineAdminNetworkPolicy' ? 'default' : `n${i}` } as ClusterPolicy)
    })
    const nodes = dice[10] === 0 ? a.nodes.map((n, i) => (i === 0 ? { ...n, labels: { zone: n.labels.zone === 'a' ? 'b' : 'a' } } : n)) : dice[11] === 0 ? a.nodes.slice(1) : a.nodes
    const after: Cluster = { ...plainAfter, pods: withHosts(plainAfter.pods), clusterPolicies: sortClusterPolicies(byName.values()), nodes }
    return { before, after, family }
  })
