/**
 * Cluster policies for generated bench clusters: ClusterNetworkPolicies (policy.networking.k8s.io/v1alpha2) of both
 * tiers, in the shapes cluster admins write (sig-network-policy-api's user stories): deny across environments,
 * always allow monitoring and DNS, pass a team's own traffic down to its NetworkPolicies, keep pods off the
 * nodes' kubelet and the cloud metadata address, per-app allowances on named ports, and Baseline defaults that
 * deny what no NetworkPolicy speaks for. Node objects carry the nodes' addresses for `nodes` peers.
 */

import type { ObjectMetaJson } from './generate-cluster.js'

type Labels = Record<string, string>
export interface SelectorJson {
  matchLabels?: Labels
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[]
}
type PortJson = { tcp: { destinationPort: { number: number } | { range: { start: number; end: number } } } } | { udp: { destinationPort: { number: number } } } | { destinationNamedPort: string }
type PeerJson =
  | { namespaces: SelectorJson }
  | { pods: { namespaceSelector: SelectorJson; podSelector: SelectorJson } }
  | { networks: string[] }
  | { nodes: SelectorJson }
/** ObjectMeta as the generator writes it (cluster-scoped objects have no namespace). */
export type MetaJson = Omit<ObjectMetaJson, 'generateName' | 'ownerReferences'>
export interface ClusterRuleJson {
  name?: string
  action: 'Accept' | 'Deny' | 'Pass'
  from?: PeerJson[]
  to?: PeerJson[]
  protocols?: PortJson[]
}
export interface ClusterNetworkPolicyJson {
  apiVersion: 'policy.networking.k8s.io/v1alpha2'
  kind: 'ClusterNetworkPolicy'
  metadata: MetaJson
  spec: {
    tier: 'Admin' | 'Baseline'
    priority: number
    subject: { namespaces: SelectorJson } | { pods: { namespaceSelector: SelectorJson; podSelector: SelectorJson } }
    ingress?: ClusterRuleJson[]
    egress?: ClusterRuleJson[]
  }
}
export interface NodeJson {
  apiVersion: 'v1'
  kind: 'Node'
  metadata: MetaJson
  status: { addresses: { type: 'InternalIP' | 'Hostname'; address: string }[] }
}

/** What the generator knows of the cluster it writes cluster policies for. */
export interface PolicyWorld {
  readonly teams: readonly { readonly name: string; readonly team: string; readonly env: string; readonly apps: readonly { readonly app: string; readonly port?: string }[] }[]
  readonly nodes: readonly { readonly name: string; readonly ips: readonly string[] }[]
}

export interface PolicyRng {
  float(): number
  int(lo: number, hi: number): number
  pick<T>(xs: readonly T[]): T
  uuid(): string
}

const ns = (name: string): SelectorJson => ({ matchLabels: { 'kubernetes.io/metadata.name': name } })
const tcp = (number: number): PortJson => ({ tcp: { destinationPort: { number } } })

type Draft = Omit<ClusterNetworkPolicyJson['spec'], 'priority'> & { name: string }

/** The shapes, each from one team (or the platform), with weights. */
const SHAPES: readonly (readonly [(rng: PolicyRng, w: PolicyWorld) => Draft, number])[] = [
  [(rng, w) => {
    const t = rng.pick(w.teams)
    return { name: `isolate-${t.env}-${t.team}`, tier: 'Admin', subject: { namespaces: { matchLabels: { team: t.team, env: t.env } } }, ingress: [{ name: 'other-envs', action: 'Deny', from: [{ namespaces: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: [t.env] }] } }] }] }
  }, 3],
  [(rng, w) => {
    const t = rng.pick(w.teams)
    return { name: `monitoring-${t.team}`, tier: 'Admin', subject: { namespaces: { matchLabels: { team: t.team } } }, ingress: [{ name: 'prometheus', action: 'Accept', from: [{ namespaces: ns('monitoring') }], protocols: [tcp(9090), { destinationNamedPort: 'metrics' }] }] }
  }, 2],
  [(rng, w) => {
    const t = rng.pick(w.teams)
    return { name: `team-${t.team}-${t.env}-own`, tier: 'Admin', subject: { namespaces: { matchLabels: { team: t.team, env: t.env } } }, ingress: [{ action: 'Pass', from: [{ namespaces: { matchLabels: { team: t.team } } }] }], egress: [{ action: 'Pass', to: [{ namespaces: { matchLabels: { team: t.team } } }] }] }
  }, 3],
  [(rng, w) => {
    const t = rng.pick(w.teams)
    return { name: `egress-guard-${t.name}`, tier: 'Admin', subject: { namespaces: ns(t.name) }, egress: [
      { name: 'dns', action: 'Accept', to: [{ pods: { namespaceSelector: ns('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } } }], protocols: [{ udp: { destinationPort: { number: 53 } } }, tcp(53)] },
      { name: 'metadata', action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] },
      { name: 'kubelet', action: 'Deny', to: [{ nodes: {} }], protocols: [tcp(10250)] },
    ] }
  }, 2],
  [(rng, w) => {
    const t = rng.pick(w.teams)
    const a = rng.pick(t.apps)
    const from = rng.pick(w.teams)
    const b = rng.pick(from.apps)
    return { name: `allow-${from.team}-${b.app}-to-${t.name}-${a.app}`, tier: 'Admin', subject: { pods: { namespaceSelector: ns(t.name), podSelector: { matchLabels: { app: a.app } } } }, ingress: [{ action: 'Accept', from: [{ pods: { namespaceSelector: { matchLabels: { team: from.team } }, podSelector: { matchLabels: { app: b.app } } } }], protocols: [{ destinationNamedPort: a.port ?? 'http' }] }] }
  }, 4],
  [(rng, w) => {
    const t = rng.pick(w.teams)
    return { name: `baseline-${t.name}`, tier: 'Baseline', subject: { namespaces: ns(t.name) }, ingress: [{ name: 'same-team', action: 'Accept', from: [{ namespaces: { matchLabels: { team: t.team } } }] }, { name: 'rest', action: 'Deny', from: [{ namespaces: {} }] }] }
  }, 3],
  [(rng, w) => {
    const t = rng.pick(w.teams)
    return { name: `baseline-egress-${t.name}`, tier: 'Baseline', subject: { namespaces: ns(t.name) }, egress: [{ action: 'Accept', to: [{ networks: ['10.244.0.0/16'] }] }, { name: 'internet', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }] }
  }, 2],
]

/** `count` ClusterNetworkPolicies with distinct names and random priorities, sorted by name. */
export function makeClusterPolicies(rng: PolicyRng, world: PolicyWorld, count: number, meta: (name: string) => ClusterNetworkPolicyJson['metadata']): ClusterNetworkPolicyJson[] {
  if (world.teams.length === 0) return []
  const total = SHAPES.reduce((s, [, w]) => s + w, 0)
  const taken = new Set<string>()
  const out: ClusterNetworkPolicyJson[] = []
  while (out.length < count) {
    let r = rng.float() * total
    const shape = SHAPES.find(([, w]) => (r -= w) < 0)?.[0] ?? SHAPES[0]![0]
    const { name: base, ...spec } = shape(rng, world)
    let name = base.slice(0, 240)
    for (let n = 2; taken.has(name); n++) name = `${base.slice(0, 240)}-${n}`
    taken.add(name)
    out.push({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: meta(name), spec: { ...spec, priority: rng.int(0, 1000) } as ClusterNetworkPolicyJson['spec'] })
  }
  return out.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))
}

/** The nodes as Node objects: their addresses, and the labels a `nodes` peer picks them by. */
export function nodeObjects(world: PolicyWorld, meta: (name: string, labels: Labels) => NodeJson['metadata']): NodeJson[] {
  return world.nodes.map((n, i) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(n.name, { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': `zone-${'abc'[i % 3]}` }),
    status: { addresses: [...n.ips.map((address) => ({ type: 'InternalIP' as const, address })), { type: 'Hostname', address: n.name }] },
  }))
}
