/** fast-check generators of small random clusters that exercise every part of the semantics. */
import fc from 'fast-check'
import type { Cluster, Pod, Replicas } from '../src/model/cluster.js'
import type { Requirement } from '../src/model/label-selector.js'
import type { NetworkPolicy, Peer, Rule } from '../src/model/policy.js'
import type { ContainerPort, PortSpec, Protocol } from '../src/model/port.js'
import { cluster, ipPeer, namespace, nsPeer, pod, podsPeer, sel, allPorts, namedPort, port } from './builders.js'

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
