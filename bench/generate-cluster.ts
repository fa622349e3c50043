/**
 * A seeded generator of large, realistic clusters for benchmarks: Namespaces, running Pods and NetworkPolicies,
 * shaped as `kubectl get ns,pods,netpol -A -o json` prints them (after API-server defaulting: `protocol` and
 * `policyTypes` always set, empty lists omitted, map keys sorted).
 *
 * Realism that matters to a benchmark: many pods share few label sets (apps with replicas), label values repeat
 * across namespaces, and policies mix the shapes seen in real clusters (default deny, same-namespace, AND/OR peers,
 * matchExpressions, ipBlocks with except, numeric, ranged and named ports, DNS egress, `{}` rules).
 *
 * Usage: npx tsx bench/generate-cluster.ts --seed 1 --pods 10000 --namespaces 200 --policies 10000 \
 *          [--cluster-policies 500] [--format json|yaml] [--dual-stack] [--out FILE]
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { dump } from 'js-yaml'
import { formatIpValue } from '../src/model/ip.js'
import { makeClusterPolicies, nodeObjects, type ClusterNetworkPolicyJson, type NodeJson, type PolicyWorld } from './generate-cluster-policies.js'
import type { Protocol } from '../src/model/port.js'

// ---------------------------------------------------------------------------------------------------------------
// Output shapes: the fields this generator writes, in the order the API server serializes them.

type Labels = Record<string, string>
export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
export interface LabelSelectorJson {
  matchLabels?: Labels
  matchExpressions?: { key: string; operator: Operator; values?: string[] }[]
}
export interface ObjectMetaJson {
  name: string
  generateName?: string
  namespace?: string
  uid: string
  resourceVersion: string
  generation?: number
  creationTimestamp: string
  labels?: Labels
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller: boolean; blockOwnerDeletion: boolean }[]
}
export interface NamespaceJson {
  apiVersion: 'v1'
  kind: 'Namespace'
  metadata: ObjectMetaJson
  spec: { finalizers: string[] }
  status: { phase: 'Active' }
}
export interface ContainerPortJson { name?: string; containerPort: number; protocol: Protocol }
export interface PodJson {
  apiVersion: 'v1'
  kind: 'Pod'
  metadata: ObjectMetaJson
  spec: { containers: { name: string; image: string; ports: ContainerPortJson[]; [k: string]: unknown }[]; nodeName: string; [k: string]: unknown }
  status: {
    phase: 'Running'
    conditions: { type: string; status: 'True'; lastProbeTime: null; lastTransitionTime: string }[]
    hostIP: string
    hostIPs: { ip: string }[]
    podIP: string
    podIPs: { ip: string }[]
    startTime: string
    containerStatuses: Record<string, unknown>[]
    qosClass: string
  }
}
export interface PolicyPortJson { protocol: Protocol; port?: number | string; endPort?: number }
export interface PolicyPeerJson {
  podSelector?: LabelSelectorJson
  namespaceSelector?: LabelSelectorJson
  ipBlock?: { cidr: string; except?: string[] }
}
export interface IngressRuleJson { from?: PolicyPeerJson[]; ports?: PolicyPortJson[] }
export interface EgressRuleJson { to?: PolicyPeerJson[]; ports?: PolicyPortJson[] }
export interface NetworkPolicySpecJson {
  podSelector: LabelSelectorJson
  ingress?: IngressRuleJson[]
  egress?: EgressRuleJson[]
  policyTypes: ('Ingress' | 'Egress')[]
}
/** NetworkPolicy has no `status` in networking.k8s.io/v1 since Kubernetes 1.28, so kubectl prints none. */
export interface NetworkPolicyJson {
  apiVersion: 'networking.k8s.io/v1'
  kind: 'NetworkPolicy'
  metadata: ObjectMetaJson
  spec: NetworkPolicySpecJson
}
export type KubeObject = NamespaceJson | PodJson | NetworkPolicyJson | NodeJson | ClusterNetworkPolicyJson

export interface ClusterOptions {
  readonly seed: number
  readonly pods: number
  readonly namespaces: number
  readonly policies: number
  /** give every pod and node a second, IPv6 address (pods from fd00:10:244::/64) */
  readonly dualStack?: boolean
  /**
   * this many ClusterNetworkPolicies (both tiers; see generate-cluster-policies.ts), written after the
   * NetworkPolicies with the Node objects they may name; none by default, and then the output is as it was
   */
  readonly clusterPolicies?: number
}

// ---------------------------------------------------------------------------------------------------------------
// Randomness: mulberry32, a 32-bit generator small enough to keep here; same seed, same sequence.

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The alphabet Kubernetes uses for generated name suffixes and pod-template-hash (no vowels, no 0/1/3). */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789'
const HEX = '0123456789abcdef'

class Rng {
  private readonly next: () => number
  constructor(seed: number) { this.next = mulberry32(seed) }
  float(): number { return this.next() }
  /** integer in [lo, hi] */
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)) }
  chance(p: number): boolean { return this.next() < p }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]! }
  weighted<T>(xs: readonly (readonly [T, number])[]): T {
    let r = this.next() * xs.reduce((s, [, w]) => s + w, 0)
    for (const [x, w] of xs) if ((r -= w) < 0) return x
    return xs[xs.length - 1]![0]
  }
  chars(alphabet: string, n: number): string {
    let s = ''
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)]
    return s
  }
  uuid(): string {
    const h = this.chars(HEX, 32)
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20)}`
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary. Selectors are built from these same words, so most of them select something.

type Tier = 'frontend' | 'backend' | 'db' | 'cache' | 'worker'
const TEAMS = ['payments', 'checkout', 'search', 'identity', 'catalog', 'shipping', 'analytics', 'growth', 'messaging', 'media', 'risk', 'support']
const PURPOSES = ['api', 'web', 'data', 'jobs', 'core', 'edge']
const ENVS = [['prod', 5], ['staging', 3], ['dev', 2]] as const
const NS_TIERS = ['frontend', 'backend', 'data']
const TIERS: readonly (readonly [Tier, number])[] = [['frontend', 2], ['backend', 5], ['db', 1], ['cache', 1], ['worker', 2]]
const APPS: Record<Tier, readonly string[]> = {
  frontend: ['web', 'storefront', 'admin-ui', 'gateway', 'docs'],
  backend: ['api', 'orders', 'billing', 'auth', 'catalog', 'inventory', 'search', 'notifications', 'profile', 'pricing', 'recommendations', 'sessions'],
  db: ['postgres', 'mysql', 'mongodb'],
  cache: ['redis', 'memcached'],
  worker: ['mailer', 'indexer', 'exporter', 'scheduler', 'queue-worker', 'thumbnailer'],
}
const REPLICAS: Record<Tier, readonly (readonly [number, number])[]> = {
  frontend: [[1, 10], [2, 25], [3, 30], [5, 15], [10, 12], [20, 8]],
  backend: [[1, 15], [2, 25], [3, 30], [5, 15], [10, 10], [20, 5]],
  db: [[1, 50], [2, 20], [3, 30]],
  cache: [[1, 30], [2, 30], [3, 40]],
  worker: [[1, 30], [2, 30], [3, 20], [5, 20]],
}
const VERSIONS = [['v1', 5], ['v2', 3], ['v3', 1]] as const
const CONSUMER: Record<Tier, Tier> = { frontend: 'frontend', backend: 'frontend', db: 'backend', cache: 'backend', worker: 'backend' }

const cport = (name: string, containerPort: number, protocol: Protocol = 'TCP'): ContainerPortJson => ({ name, containerPort, protocol })
const METRICS = cport('metrics', 9090)
const TIER_PORTS: Record<Tier, readonly ContainerPortJson[]> = {
  frontend: [cport('http', 8080), METRICS],
  backend: [cport('http', 8080), cport('grpc', 9000), METRICS],
  db: [cport('db', 5432), METRICS],
  cache: [cport('redis', 6379), METRICS],
  worker: [METRICS],
}
/** Some backends speak Diameter over SCTP, as telecom workloads do. */
const SCTP_PORT = cport('diameter', 3868, 'SCTP')

// ---------------------------------------------------------------------------------------------------------------
// The cluster model the objects are rendered from.

interface Workload {
  readonly namespace: string
  readonly name: string
  /** pod labels without pod-template-hash */
  readonly labels: Labels
  /** the labels a policy uses to pick this workload out */
  readonly key: Labels
  readonly tier: Tier
  readonly hash: string
  readonly replicas: number
  readonly ports: readonly ContainerPortJson[]
  readonly image: string
}
interface Ns {
  readonly name: string
  readonly labels: Labels
  readonly team?: string
  readonly env?: string
  readonly platform: boolean
  readonly apps: Workload[]
}
interface Node {
  readonly index: number
  readonly name: string
  readonly ips: string[]
  /** offset of the node's pod range (a /24, or a /25 past 256 nodes) from 10.244.0.0 (past 512 nodes the pod network is 10.244.0.0/14) */
  readonly blockStart: number
  used: number
}

const POD_CIDR_BASE = 0x0af40000n // 10.244.0.0
const POD_V6_BASE = 0xfd000010024400000000000000000000n // fd00:10:244::
const NODE_BASE = 0xac120000n // 172.18.0.0
const NODE_V6_BASE = 0xfc00f8530ccde7930000000000000000n // fc00:f853:ccd:e793::
const PODS_PER_NODE = 100
const MAX_PODS_PER_NODE = 110 // the kubelet's default --max-pods
/**
 * 512 nodes of /25 each fill 10.244.0.0/16; a larger cluster (100,000 pods, as large clusters run) goes on into
 * 10.245-10.247: 2048 nodes fill 10.244.0.0/14. Clusters that fit in the /16 are laid out as before.
 */
export const MAX_PODS = 2048 * PODS_PER_NODE
const EPOCH = Date.UTC(2024, 4, 1) // creation times are spread before and after this instant

const sortLabels = (l: Labels): Labels => Object.fromEntries(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : 1)))
const byNsName = (a: { metadata: ObjectMetaJson }, b: { metadata: ObjectMetaJson }): number => {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`
  return ka < kb ? -1 : ka > kb ? 1 : 0
}

/** Splits `total` into integers proportional to `weights` (largest remainder); the parts sum to `total`. */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0)
  if (sum === 0) return weights.map(() => 0)
  const exact = weights.map((w) => (total * w) / sum)
  const parts = exact.map(Math.floor)
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (let k = 0, left = total - parts.reduce((s, p) => s + p, 0); k < left; k++) parts[order[k]![1]]! += 1
  return parts
}

function uniqueName(taken: Set<string>, base: string): string {
  let name = base
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`
  taken.add(name)
  return name
}

/** Problems with the options, as messages; empty when `generateCluster` will accept them. */
export function checkOptions(o: ClusterOptions): string[] {
  const issues: string[] = []
  for (const k of ['seed', 'pods', 'namespaces', 'policies'] as const) {
    if (!Number.isSafeInteger(o[k]) || o[k] < 0) issues.push(`${k}: expected a non-negative integer, got ${o[k]}`)
  }
  if (o.clusterPolicies !== undefined && (!Number.isSafeInteger(o.clusterPolicies) || o.clusterPolicies < 0)) issues.push(`clusterPolicies: expected a non-negative integer, got ${o.clusterPolicies}`)
  if (issues.length > 0) return issues
  if (o.namespaces === 0 && (o.pods > 0 || o.policies > 0)) issues.push('namespaces: pods and policies need at least one namespace')
  if (o.pods > MAX_PODS) issues.push(`pods: at most ${MAX_PODS} fit in 10.244.0.0/14 at ${PODS_PER_NODE} pods per node`)
  return issues
}

/**
 * Generates a cluster: `namespaces` Namespaces, `pods` Running Pods and `policies` NetworkPolicies, sorted by kind
 * (in that order), then namespace, then name. Deterministic: the same options give deep-equal output.
 * Throws a RangeError when `checkOptions` reports a problem.
 *
 * With two or more namespaces one is kube-system (CoreDNS, labelled `k8s-app: kube-dns`); with ten or more,
 * monitoring (Prometheus) and ingress-nginx are added. The rest are team namespaces labelled team/env (some tier).
 */
export function generateCluster(opts: ClusterOptions): KubeObject[] {
  const issues = checkOptions(opts)
  if (issues.length > 0) throw new RangeError(issues.join('; '))
  const rng = new Rng(opts.seed)
  let rv = 1000
  /** ObjectMeta in the API server's field order; `extra` fills generateName, generation and ownerReferences. */
  const meta = (name: string, namespace: string | undefined, at: number, labels?: Labels, extra: Partial<ObjectMetaJson> = {}): ObjectMetaJson => ({
    name,
    ...(extra.generateName === undefined ? {} : { generateName: extra.generateName }),
    ...(namespace === undefined ? {} : { namespace }),
    uid: rng.uuid(),
    resourceVersion: String(rv++),
    ...(extra.generation === undefined ? {} : { generation: extra.generation }),
    creationTimestamp: timestamp(at),
    ...(labels === undefined ? {} : { labels: sortLabels(labels) }),
    ...(extra.ownerReferences === undefined ? {} : { ownerReferences: extra.ownerReferences }),
  })

  const namespaces = makeNamespaces(rng, opts.namespaces)
  makeWorkloads(rng, namespaces, opts.pods)
  const nodes = makeNodes(opts.pods, opts.dualStack === true)

  const nsObjects: NamespaceJson[] = namespaces.map((ns, i) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta(ns.name, undefined, EPOCH - (opts.namespaces - i) * 3_600_000, ns.labels),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }))

  const pods: PodJson[] = []
  for (const ns of namespaces) {
    const names = new Set<string>()
    for (const w of ns.apps) {
      const rsUid = rng.uuid()
      const imageId = `${w.image.split(':')[0]}@sha256:${rng.chars(HEX, 64)}`
      for (let r = 0; r < w.replicas; r++) {
        let name: string
        do name = `${w.name}-${w.hash}-${rng.chars(SAFE, 5)}`
        while (names.has(name))
        names.add(name)
        const node = schedule(rng, nodes)
        const start = EPOCH + rng.int(0, 30 * 86_400) * 1000
        // .0 is the network and .1 the node's bridge; the node's range starts at blockStart
        const podIps = [formatIpValue(4, POD_CIDR_BASE + BigInt(node.blockStart + node.used + 2))]
        if (opts.dualStack === true) podIps.push(formatIpValue(6, POD_V6_BASE + (BigInt(node.index) << 16n) + BigInt(node.used + 2)))
        node.used++
        const metadata = meta(name, ns.name, start, { ...w.labels, 'pod-template-hash': w.hash }, {
          generateName: `${w.name}-${w.hash}-`,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${w.name}-${w.hash}`, uid: rsUid, controller: true, blockOwnerDeletion: true }],
        })
        pods.push(podObject(w, metadata, imageId, node, podIps, start, rng))
      }
    }
  }

  const policies = makePolicies(rng, namespaces, opts).map(
    ({ ns, name, spec }): NetworkPolicyJson => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(name, ns, EPOCH + rng.int(0, 30 * 86_400) * 1000, undefined, { generation: 1 }),
      spec,
    }),
  )
  const objects: KubeObject[] = [...nsObjects.sort(byNsName), ...pods.sort(byNsName), ...policies.sort(byNsName)]
  if ((opts.clusterPolicies ?? 0) > 0) {
    // drawn after everything else, so the rest of the cluster is the one generated without them
    const world: PolicyWorld = {
      teams: namespaces.filter((n) => !n.platform && n.apps.length > 0).map((n) => ({
        name: n.name,
        team: n.team!,
        env: n.env!,
        apps: n.apps.map((w) => ({ app: w.key.app ?? w.name, ...(w.ports[0]?.name !== undefined ? { port: w.ports[0].name } : {}) })),
      })),
      nodes: nodes.map((n) => ({ name: n.name, ips: n.ips })),
    }
    objects.push(...nodeObjects(world, (name, labels) => ({ name, uid: rng.uuid(), resourceVersion: String(rv++), creationTimestamp: timestamp(EPOCH - 86_400_000), labels })))
    objects.push(...makeClusterPolicies(rng, world, opts.clusterPolicies!, (name) => ({ name, uid: rng.uuid(), resourceVersion: String(rv++), generation: 1, creationTimestamp: timestamp(EPOCH + rng.int(0, 30 * 86_400) * 1000) })))
  }
  return objects
}

const timestamp = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')

function makeNamespaces(rng: Rng, count: number): Ns[] {
  const out: Ns[] = []
  const platform: [string, Labels][] = [
    ['kube-system', {}],
    ['monitoring', { team: 'platform', env: 'prod' }],
    ['ingress-nginx', { team: 'platform', env: 'prod', tier: 'frontend' }],
  ]
  const platformCount = count >= 10 ? 3 : count >= 2 ? 1 : 0
  for (const [name, labels] of platform.slice(0, platformCount)) {
    out.push({ name, labels: { ...labels, 'kubernetes.io/metadata.name': name }, platform: true, apps: [], ...labels })
  }
  const taken = new Set(out.map((n) => n.name))
  while (out.length < count) {
    const team = rng.pick(TEAMS)
    const env = rng.weighted(ENVS)
    const name = uniqueName(taken, `${team}-${rng.pick(PURPOSES)}-${env}`)
    const labels: Labels = { 'kubernetes.io/metadata.name': name, team, env }
    if (rng.chance(0.3)) labels.tier = rng.pick(NS_TIERS)
    out.push({ name, labels, team, env, platform: false, apps: [] })
  }
  return out
}

/** Fills namespaces with workloads whose replicas add up to `pods`: a few platform pods, the rest skewed. */
function makeWorkloads(rng: Rng, namespaces: Ns[], pods: number): void {
  let left = pods
  const add = (ns: Ns, w: Omit<Workload, 'namespace' | 'hash' | 'replicas'>, replicas: number): void => {
    const n = Math.min(replicas, left)
    if (n <= 0) return
    ns.apps.push({ ...w, namespace: ns.name, hash: rng.chars(SAFE, rng.int(9, 10)), replicas: n })
    left -= n
  }
  const platformApp = (name: string, key: Labels, tier: Tier, image: string, ports: ContainerPortJson[]) =>
    ({ name, labels: key, key, tier, image, ports })
  for (const ns of namespaces.filter((n) => n.platform)) {
    if (ns.name === 'kube-system') {
      add(ns, platformApp('coredns', { 'k8s-app': 'kube-dns' }, 'backend', 'registry.k8s.io/coredns/coredns:v1.11.1',
        [cport('dns', 53, 'UDP'), cport('dns-tcp', 53, 'TCP'), cport('metrics', 9153)]), 2)
      add(ns, platformApp('metrics-server', { 'k8s-app': 'metrics-server' }, 'backend', 'registry.k8s.io/metrics-server/metrics-server:v0.7.1',
        [cport('https', 10250)]), 1)
    } else if (ns.name === 'monitoring') {
      add(ns, platformApp('prometheus', { app: 'prometheus', tier: 'backend', version: 'v2' }, 'backend', 'quay.io/prometheus/prometheus:v2.52.0',
        [cport('http', 9090)]), 2)
      add(ns, platformApp('grafana', { app: 'grafana', tier: 'frontend', version: 'v1' }, 'frontend', 'docker.io/grafana/grafana:10.4.2',
        [cport('http', 3000)]), 1)
    } else {
      add(ns, platformApp('ingress-nginx-controller',
        { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, 'frontend',
        'registry.k8s.io/ingress-nginx/controller:v1.10.1', [cport('http', 80), cport('https', 443), cport('metrics', 10254)]), 2)
    }
  }
  const teams = namespaces.filter((n) => !n.platform)
  const budgets = apportion(left, teams.map(() => 0.25 - Math.log(1 - rng.float())))
  teams.forEach((ns, i) => {
    let budget = budgets[i]!
    const names = new Set<string>()
    while (budget > 0) {
      const tier = rng.weighted(TIERS)
      const name = appName(rng, names, tier)
      const version = rng.weighted(VERSIONS)
      let replicas = Math.min(budget, rng.weighted(REPLICAS[tier]))
      budget -= replicas
      const ports = tier === 'backend' && rng.chance(0.05) ? [...TIER_PORTS[tier], SCTP_PORT] : TIER_PORTS[tier]
      const w = { name, key: { app: name }, tier, ports, image: `registry.example.com/${ns.team}/${name}:${version}` }
      // a canary: one replica of the same app at the next version, from its own ReplicaSet
      if (replicas >= 3 && rng.chance(0.15)) {
        replicas--
        const next = version === 'v1' ? 'v2' : 'v3'
        add(ns, { ...w, labels: { app: name, tier, version: next }, image: `registry.example.com/${ns.team}/${name}:${next}` }, 1)
      }
      add(ns, { ...w, labels: { app: name, tier, version } }, replicas)
    }
  })
}

/** A tier's app name not yet used in the namespace; when they run out, a variant such as `api-internal`. */
function appName(rng: Rng, taken: Set<string>, tier: Tier): string {
  const free = APPS[tier].filter((n) => !taken.has(n))
  const name = free.length > 0 ? rng.pick(free) : `${rng.pick(APPS[tier])}-${rng.pick(['internal', 'public', 'batch', 'east', 'west'])}`
  return uniqueName(taken, name)
}

function makeNodes(pods: number, dualStack: boolean): Node[] {
  const count = Math.max(1, Math.ceil(pods / PODS_PER_NODE))
  const block = count <= 256 ? 256 : 128
  return Array.from({ length: count }, (_, i) => {
    const ips = [formatIpValue(4, NODE_BASE + BigInt(i + 2))]
    if (dualStack) ips.push(formatIpValue(6, NODE_V6_BASE + BigInt(i + 2)))
    return { index: i, name: `node-${String(i).padStart(4, '0')}`, ips, blockStart: i * block, used: 0 }
  })
}

function schedule(rng: Rng, nodes: Node[]): Node {
  let i = rng.int(0, nodes.length - 1)
  while (nodes[i]!.used >= MAX_PODS_PER_NODE) i = (i + 1) % nodes.length
  return nodes[i]!
}

function podObject(w: Workload, metadata: ObjectMetaJson, imageID: string, node: Node, podIps: string[], start: number, rng: Rng): PodJson {
  const at = timestamp(start)
  const ready = timestamp(start + rng.int(2, 40) * 1000)
  const container = w.name.startsWith('ingress-nginx') ? 'controller' : w.name
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: {
      containers: [{
        name: container,
        image: w.image,
        ports: w.ports.map((p) => ({ ...p })),
        resources: { requests: { cpu: '100m', memory: '128Mi' } },
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
      }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      nodeName: node.name,
      securityContext: {},
      schedulerName: 'default-scheduler',
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: 'Running',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
        type, status: 'True', lastProbeTime: null, lastTransitionTime: type === 'Ready' || type === 'ContainersReady' ? ready : at,
      })),
      hostIP: node.ips[0]!,
      hostIPs: node.ips.map((ip) => ({ ip })),
      podIP: podIps[0]!,
      podIPs: podIps.map((ip) => ({ ip })),
      startTime: at,
      containerStatuses: [{
        name: container,
        state: { running: { startedAt: ready } },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: w.image,
        imageID,
        containerID: `containerd://${rng.chars(HEX, 64)}`,
        started: true,
      }],
      qosClass: 'Burstable',
    },
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Policies: a per-namespace baseline (default deny, DNS, same namespace), then app policies drawn from templates.

interface PolicyDraft { readonly name: string; readonly spec: NetworkPolicySpecJson }
interface PolicyCtx {
  readonly rng: Rng
  readonly ns: Ns
  /** the workload the policy protects */
  readonly w: Workload
  /** a workload of some team namespace (maybe this one), for cross-namespace peers */
  readonly peer: { readonly ns: Ns; readonly w: Workload } | undefined
  readonly dualStack: boolean
}
type Template = (c: PolicyCtx) => PolicyDraft | null

const sel = (labels: Labels): LabelSelectorJson => ({ matchLabels: sortLabels(labels) })
const nsNamed = (name: string): LabelSelectorJson => sel({ 'kubernetes.io/metadata.name': name })
/** "If not specified, this field defaults to TCP" (NetworkPolicyPort.protocol): the stored object always has it. */
const port = (protocol: Protocol, p?: number | string, endPort?: number): PolicyPortJson =>
  ({ protocol, ...(p === undefined ? {} : { port: p }), ...(endPort === undefined ? {} : { endPort }) })
const tcp = (p: number | string, endPort?: number): PolicyPortJson => port('TCP', p, endPort)
const dnsRule = (): EgressRuleJson => ({
  to: [{ podSelector: sel({ 'k8s-app': 'kube-dns' }), namespaceSelector: nsNamed('kube-system') }],
  ports: [port('UDP', 53), tcp(53)],
})

/**
 * A policy as stored. null: the direction is not in policyTypes; []: it is, with no rules (deny), and the empty
 * list is omitted from the output as the API server's omitempty does. policyTypes is always written: the server
 * fills it in from the rules present when it is left out.
 */
function policy(name: string, podSelector: LabelSelectorJson, ingress: IngressRuleJson[] | null, egress: EgressRuleJson[] | null): PolicyDraft {
  const spec: NetworkPolicySpecJson = {
    podSelector,
    ...(ingress !== null && ingress.length > 0 ? { ingress } : {}),
    ...(egress !== null && egress.length > 0 ? { egress } : {}),
    policyTypes: [...(ingress !== null ? (['Ingress'] as const) : []), ...(egress !== null ? (['Egress'] as const) : [])],
  }
  return { name, spec }
}

/** Usually the app; sometimes app + tier, or only the canary's version. */
function target({ rng, ns, w }: PolicyCtx): LabelSelectorJson {
  if (ns.platform) return sel(w.key)
  const r = rng.float()
  return r < 0.15 ? sel({ ...w.key, tier: w.tier }) : r < 0.2 ? sel({ ...w.key, version: w.labels.version ?? 'v1' }) : sel(w.key)
}
/** The workload's first container port, by name or by number. */
function mainPort({ rng, w }: PolicyCtx): PolicyPortJson {
  const p = w.ports[0] ?? METRICS
  return port(p.protocol, rng.chance(0.5) && p.name !== undefined ? p.name : p.containerPort)
}

const fromConsumerTier: Template = (c) =>
  policy(`allow-${c.w.name}-from-${CONSUMER[c.w.tier]}`, target(c), [{ from: [{ podSelector: sel({ tier: CONSUMER[c.w.tier] }) }], ports: [mainPort(c)] }], null)

/** podSelector and namespaceSelector in one peer: both must hold (AND). */
const fromTeamApp: Template = (c) => {
  const p = c.peer ?? { ns: c.ns, w: c.w }
  const team = p.ns.team ?? 'platform'
  return policy(`allow-${c.w.name}-from-${team}-${p.w.name}`, target(c),
    [{ from: [{ podSelector: sel(p.w.key), namespaceSelector: sel({ team }) }], ports: [tcp(8080)] }], null)
}

/** Two peers: either may match (OR). */
const fromEnvOrFrontends: Template = (c) => {
  const env = c.peer?.ns.env ?? 'prod'
  return policy(`allow-${c.w.name}-from-${env}-or-frontend`, target(c),
    [{ from: [{ namespaceSelector: sel({ env }) }, { podSelector: sel({ tier: 'frontend' }) }], ports: [tcp(8080), tcp(9000)] }], null)
}

const withExpressions: Template = (c) => {
  const other = c.rng.pick(c.ns.apps.length > 0 ? c.ns.apps : [c.w]).name
  const podSelector: LabelSelectorJson = c.ns.platform
    ? sel(c.w.key)
    : { matchExpressions: [{ key: 'app', operator: 'In', values: [...new Set([c.w.name, other])].sort() }] }
  return policy(`allow-${c.w.name}-from-non-dev`, podSelector, [{
    from: [{
      podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend', 'frontend'] }, { key: 'canary', operator: 'DoesNotExist' }] },
      namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }, { key: 'team', operator: 'Exists' }] },
    }],
    ports: [mainPort(c)],
  }], null)
}

const fromSameEnvUntiered: Template = (c) => {
  const env = c.ns.env ?? 'prod'
  return policy(`allow-${c.w.name}-from-${env}-untiered`, target(c), [{
    from: [{
      podSelector: { matchLabels: { tier: CONSUMER[c.w.tier] }, matchExpressions: [{ key: 'version', operator: 'NotIn', values: ['v1'] }] },
      namespaceSelector: { matchLabels: { env }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] },
    }],
  }], null)
}

const egressExternal: Template = (c) => {
  const except = c.rng.chance(0.5) ? ['10.0.0.0/8', '169.254.169.254/32'] : ['10.0.0.0/8', '169.254.169.254/32', '172.16.0.0/12', '192.168.0.0/16']
  const to: PolicyPeerJson[] = [{ ipBlock: { cidr: '0.0.0.0/0', except } }]
  if (c.dualStack) to.push({ ipBlock: { cidr: '::/0', except: ['fd00::/8'] } })
  const ports = c.rng.chance(0.3) ? [tcp(443), tcp(80)] : [tcp(443)]
  return policy(`allow-${c.w.name}-egress-internet`, target(c), null, [{ to, ports }, ...(c.rng.chance(0.6) ? [dnsRule()] : [])])
}

/** An ipBlock over part of the pod network: a /20 of 10.244.0.0/16. */
const egressPodRange: Template = (c) => {
  const third = c.rng.int(0, 15) * 16
  return policy(`allow-${c.w.name}-egress-pods-${third}`, target(c), null, [{ to: [{ ipBlock: { cidr: `10.244.${third}.0/20` } }], ports: [tcp(8000, 8999)] }])
}

const fromLoadBalancers: Template = (c) =>
  policy(`allow-${c.w.name}-from-lb`, target(c), [{
    from: [
      { ipBlock: { cidr: '203.0.113.0/24' } },
      { ipBlock: { cidr: '198.51.100.0/24', except: ['198.51.100.128/25'] } },
      { ipBlock: { cidr: '10.244.0.0/16', except: [`10.244.${c.rng.int(0, 255)}.0/24`] } },
    ],
    ports: [mainPort(c)],
  }], null)

/** endPort: "the range of ports from port to endPort if set, inclusive" (NetworkPolicyPort). */
const portRanges: Template = (c) =>
  policy(`allow-${c.w.name}-port-ranges`, target(c), [{
    from: [{ namespaceSelector: sel({ team: c.ns.team ?? 'platform' }) }],
    ports: [tcp(30000, 32767), port('UDP', 5000, 5100), tcp(8080)],
  }], null)

const metricsScrape: Template = (c) => {
  const all = c.rng.chance(0.5)
  return policy(all ? 'allow-metrics-scrape' : `allow-${c.w.name}-metrics`,
    all ? { matchExpressions: [{ key: 'app', operator: 'Exists' }] } : target(c),
    [{ from: [{ podSelector: sel({ app: 'prometheus' }), namespaceSelector: nsNamed('monitoring') }], ports: [tcp('metrics')] }], null)
}

const egressToData: Template = (c) =>
  policy(`allow-${c.w.name}-egress-data`, target(c), null, [
    { to: [{ podSelector: sel({ tier: 'db' }) }], ports: [tcp(5432)] },
    { to: [{ podSelector: sel({ tier: 'cache' }) }], ports: [tcp(6379)] },
    dnsRule(),
  ])

const bothDirections: Template = (c) =>
  policy(`${c.w.name}-ingress-egress`, target(c),
    [{ from: [{ podSelector: sel({ tier: CONSUMER[c.w.tier] }) }], ports: [mainPort(c)] }],
    [{ to: [{ podSelector: sel({ tier: 'db' }) }], ports: [tcp('db')] }, dnsRule()])

/** An empty namespaceSelector: every namespace. */
const fromAllNamespaces: Template = (c) =>
  policy(`allow-${c.w.name}-from-all-namespaces`, target(c), [{
    from: [c.rng.chance(0.5) ? { namespaceSelector: {} } : { podSelector: sel({ tier: 'frontend' }), namespaceSelector: {} }],
    ports: [tcp(8080)],
  }], null)

/** `{}`: "If this field is empty or missing, this rule matches all sources" and all ports. */
const allowAllIngress: Template = (c) => policy(`allow-all-ingress-${c.w.name}`, target(c), [{}], null)
const allowAllEgress: Template = (c) => policy(`allow-all-egress-${c.w.name}`, target(c), null, [{}])

const sctpSignalling: Template = (c) => {
  const w = c.ns.apps.find((a) => a.ports.some((p) => p.protocol === 'SCTP'))
  if (w === undefined) return null
  return policy(`allow-${w.name}-diameter`, sel(w.key), [{
    from: [{ namespaceSelector: sel({ env: c.ns.env ?? 'prod' }) }],
    ports: [port('SCTP', 3868), port('SCTP', 3869, 3870)],
  }], null)
}

const isolateEgress: Template = (c) => policy(`deny-${c.w.name}-egress`, target(c), null, [])

/** Left over from a removed app or environment: selects no pod, or admits from no namespace. */
const legacy: Template = (c) =>
  c.rng.chance(0.5)
    ? policy(`legacy-${c.w.name}`, sel({ app: `${c.w.name}-legacy` }), [{ from: [{ podSelector: sel({ tier: 'frontend' }) }] }], null)
    : policy(`allow-${c.w.name}-from-qa`, target(c), [{ from: [{ namespaceSelector: sel({ env: 'qa' }) }] }], null)

const TEMPLATES: readonly (readonly [Template, number])[] = [
  [fromConsumerTier, 4], [fromTeamApp, 3], [fromEnvOrFrontends, 2], [withExpressions, 2], [fromSameEnvUntiered, 1],
  [egressExternal, 2], [egressPodRange, 1], [fromLoadBalancers, 1], [portRanges, 1], [metricsScrape, 2],
  [egressToData, 2], [bothDirections, 1.5], [fromAllNamespaces, 1], [allowAllIngress, 0.5], [allowAllEgress, 0.5],
  [sctpSignalling, 0.5], [isolateEgress, 0.5], [legacy, 0.3],
]

function baseline(rng: Rng, ns: Ns): PolicyDraft[] {
  const dnsPorts = (): PolicyPortJson[] => [port('UDP', 53), tcp(53)]
  switch (ns.name) {
    case 'kube-system':
      return [policy('allow-dns', sel({ 'k8s-app': 'kube-dns' }), [{ ports: dnsPorts() }], null)]
    case 'monitoring':
      return [
        policy('default-deny-ingress', {}, [], null),
        policy('allow-prometheus-egress', sel({ app: 'prometheus' }), null, [{}]),
        policy('allow-grafana-from-ingress', sel({ app: 'grafana' }), [{ from: [{ namespaceSelector: nsNamed('ingress-nginx') }], ports: [tcp('http')] }], null),
      ]
    case 'ingress-nginx':
      return [policy('allow-web', sel({ 'app.kubernetes.io/name': 'ingress-nginx' }), [{ ports: [tcp(80), tcp(443)] }], null)]
  }
  const out: PolicyDraft[] = []
  const mode = rng.weighted([['all', 40], ['ingress', 35], ['egress', 10], ['none', 15]] as const)
  if (mode === 'all') out.push(policy('default-deny-all', {}, [], []))
  if (mode === 'ingress') out.push(policy('default-deny-ingress', {}, [], null))
  if (mode === 'egress') out.push(policy('default-deny-egress', {}, null, []))
  if (mode === 'all' || mode === 'egress') out.push(policy('allow-dns', {}, null, [dnsRule()]))
  if (rng.chance(0.6)) out.push(policy('allow-same-namespace', {}, [{ from: [{ podSelector: {} }] }], null))
  return out
}

/** Exactly `opts.policies` policies, spread over namespaces in proportion to their apps. */
function makePolicies(rng: Rng, namespaces: readonly Ns[], opts: ClusterOptions): { ns: string; name: string; spec: NetworkPolicySpecJson }[] {
  const counts = apportion(opts.policies, namespaces.map((n) => (n.platform ? 1 : n.apps.length + 3)))
  const teams = namespaces.filter((n) => !n.platform && n.apps.length > 0)
  const out: { ns: string; name: string; spec: NetworkPolicySpecJson }[] = []
  namespaces.forEach((ns, i) => {
    const count = counts[i]!
    const drafts = baseline(rng, ns).slice(0, count)
    while (drafts.length < count) {
      const w = ns.apps.length > 0 ? rng.pick(ns.apps) : phantom(rng, ns)
      const other = teams.length > 0 ? rng.pick(teams) : undefined
      const peer = other === undefined ? undefined : { ns: other, w: rng.pick(other.apps) }
      const draft = rng.weighted(TEMPLATES)({ rng, ns, w, peer, dualStack: opts.dualStack === true })
      if (draft !== null) drafts.push(draft)
    }
    const names = new Set<string>()
    for (const d of drafts) out.push({ ns: ns.name, name: uniqueName(names, d.name), spec: d.spec })
  })
  return out
}

/** An app a policy may name in a namespace that has no pods (yet): its policies select nothing. */
function phantom(rng: Rng, ns: Ns): Workload {
  const name = rng.pick(APPS.backend)
  return { namespace: ns.name, name, labels: { app: name, tier: 'backend', version: 'v1' }, key: { app: name }, tier: 'backend', hash: '', replicas: 0, ports: TIER_PORTS.backend, image: '' }
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering and the command line.

export type Format = 'json' | 'yaml'

/**
 * JSON: one `List`, indented as kubectl indents it. YAML: one document per object, separated by `---`,
 * sequences not indented under their key (kubectl's style).
 */
export function renderCluster(objects: readonly KubeObject[], format: Format): string {
  return [...renderChunks(objects, format)].join('')
}

/**
 * The same text as {@link renderCluster}, a piece at a time: a 100,000-pod List is longer than the longest
 * string V8 can hold (~512 MiB).
 */
export function* renderChunks(objects: readonly KubeObject[], format: Format): Generator<string> {
  if (format === 'yaml') {
    for (let i = 0; i < objects.length; i++) yield `${i ? '---\n' : ''}${dump(objects[i], { noRefs: true, lineWidth: -1, noArrayIndent: true })}`
    return
  }
  if (objects.length === 0) {
    yield `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [], metadata: { resourceVersion: '' } }, null, 4)}\n`
    return
  }
  // as JSON.stringify(list, null, 4) writes it: each item indented two levels
  yield '{\n    "apiVersion": "v1",\n    "kind": "List",\n    "items": [\n'
  for (let i = 0; i < objects.length; i++) yield `${i ? ',\n' : ''}        ${JSON.stringify(objects[i], null, 4).replaceAll('\n', '\n        ')}`
  yield '\n    ],\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n'
}

const USAGE = 'usage: generate-cluster [--seed N] [--pods N] [--namespaces N] [--policies N] [--cluster-policies N] [--format json|yaml] [--dual-stack] [--out FILE]'

function main(argv: string[]): number {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        seed: { type: 'string', default: '1' },
        pods: { type: 'string', default: '1000' },
        namespaces: { type: 'string', default: '20' },
        policies: { type: 'string', default: '1000' },
        'cluster-policies': { type: 'string', default: '0' },
        format: { type: 'string', default: 'json' },
        'dual-stack': { type: 'boolean', default: false },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`)
    return 2
  }
  if (values.help === true) { process.stdout.write(`${USAGE}\n`); return 0 }
  const num = (k: string): number => (/^[0-9]+$/.test(String(values[k])) ? Number(values[k]) : NaN)
  const opts: ClusterOptions = { seed: num('seed'), pods: num('pods'), namespaces: num('namespaces'), policies: num('policies'), clusterPolicies: num('cluster-policies'), dualStack: values['dual-stack'] === true }
  const issues = checkOptions(opts)
  if (values.format !== 'json' && values.format !== 'yaml') issues.push(`format: expected json or yaml, got ${String(values.format)}`)
  if (issues.length > 0) { process.stderr.write(`${issues.join('\n')}\n${USAGE}\n`); return 2 }

  const t0 = performance.now()
  const objects = generateCluster(opts)
  const t1 = performance.now()
  const out = values.out as string | undefined
  if (out !== undefined) mkdirSync(dirname(out), { recursive: true })
  const fd = out === undefined ? 1 : openSync(out, 'w')
  let bytes = 0
  let pending: string[] = []
  let pendingLength = 0
  const flush = (): void => {
    const buf = Buffer.from(pending.join(''))
    for (let off = 0; off < buf.length; ) {
      try {
        off += writeSync(fd, buf, off)
      } catch (e) {
        // a pipe on stdout may be non-blocking: wait for the reader
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5)
      }
    }
    bytes += buf.length
    pending = []
    pendingLength = 0
  }
  for (const chunk of renderChunks(objects, values.format as Format)) {
    pending.push(chunk)
    pendingLength += chunk.length
    if (pendingLength > 1 << 22) flush()
  }
  flush()
  if (out !== undefined) closeSync(fd)
  const t2 = performance.now()
  process.stderr.write(
    `generated ${objects.length} objects in ${(t1 - t0).toFixed(0)} ms, rendered ${values.format} in ${(t2 - t1).toFixed(0)} ms: ` +
      `${(bytes / 1048576).toFixed(1)} MiB${out === undefined ? '' : ` → ${out}`}\n`,
  )
  return 0
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2))
}
