/**
 * Reading cluster policies: the generated cluster (10k pods, 10k NetworkPolicies by default) parsed and built
 * alone, and with 500 cluster policies (ClusterNetworkPolicies of both tiers and AdminNetworkPolicies, each with
 * 10 rules of namespaces, pods, networks, nodes and domainNames peers and ports) and 100 Nodes, in the same run.
 *   npx tsx bench/cluster-policy-parse.ts [--pods N --namespaces N --policies N --seed N] [--cluster-policies N]
 */
import { parseArgs } from 'node:util'
import { buildCluster } from '../src/model/build-cluster.js'
import { splitDocuments } from '../src/model/documents.js'
import { CLUSTER_SIZE_OPTIONS, clusterSize } from './cluster-size.js'
import { generateCluster, renderCluster } from './generate-cluster.js'

const { values } = parseArgs({ options: { ...CLUSTER_SIZE_OPTIONS, 'cluster-policies': { type: 'string', default: '500' }, nodes: { type: 'string', default: '100' } } })
const size = clusterSize(values)
const clusterPolicies = Number(values['cluster-policies'])
const nodes = Number(values.nodes)

/** One cluster policy of each shape in turn: CNP Admin, CNP Baseline, ANP; rules of every peer kind. */
function clusterPolicy(i: number): object {
  const kind = i % 3 === 2 ? 'AdminNetworkPolicy' : 'ClusterNetworkPolicy'
  const v1 = kind === 'AdminNetworkPolicy'
  const accept = v1 ? 'Allow' : 'Accept'
  const port = (n: number) => (v1 ? { portNumber: { protocol: 'TCP', port: n } } : { tcp: { destinationPort: { number: n } } })
  const range = (a: number, b: number) => (v1 ? { portRange: { protocol: 'UDP', start: a, end: b } } : { udp: { destinationPort: { range: { start: a, end: b } } } })
  const ports = v1 ? 'ports' : 'protocols'
  const ns = (n: number) => ({ matchLabels: { 'kubernetes.io/metadata.name': `ns-${n % size.namespaces}` } })
  const ingress = Array.from({ length: 5 }, (_, r) => ({
    name: `in-${r}`,
    action: ['Deny', accept, 'Pass'][r % 3],
    from: [{ namespaces: ns(i + r) }, { pods: { namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [`a${r}`, `b${r}`] }] } } }],
    [ports]: [port(80 + r), range(1000, 2000 + r)],
  }))
  const egress = Array.from({ length: 5 }, (_, r) => ({
    name: `out-${r}`,
    action: r === 4 ? accept : ['Deny', 'Pass'][r % 2],
    to: r === 4 ? [{ domainNames: ['example.com', `*.s${r}.example.org`] }] : [{ networks: [`10.${r}.0.0/16`, `fd00:${r}::/64`] }, { nodes: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } } }],
    [ports]: [port(443)],
  }))
  const spec = { ...(v1 ? {} : { tier: i % 3 === 1 ? 'Baseline' : 'Admin' }), priority: i % 1000, subject: { namespaces: ns(i) }, ingress, egress }
  return { apiVersion: v1 ? 'policy.networking.k8s.io/v1alpha1' : 'policy.networking.k8s.io/v1alpha2', kind, metadata: { name: `cp-${i}` }, spec }
}

function node(i: number): object {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}`, labels: { 'kubernetes.io/os': 'linux', ...(i < 3 ? { 'node-role.kubernetes.io/control-plane': '' } : {}) } }, spec: { podCIDR: `10.244.${i}.0/24` }, status: { addresses: [{ type: 'InternalIP', address: `10.0.${i >> 8}.${i & 255}` }, { type: 'Hostname', address: `node-${i}` }] } }
}

const base = JSON.parse(renderCluster(generateCluster({ seed: size.seed, pods: size.pods, namespaces: size.namespaces, policies: size.policies }), 'json')) as { items: object[] }
const withTiers = { ...base, items: [...base.items, ...Array.from({ length: clusterPolicies }, (_, i) => clusterPolicy(i)), ...Array.from({ length: nodes }, (_, i) => node(i))] }
const texts = { without: JSON.stringify(base), with: JSON.stringify(withTiers) }

function run(text: string): { ms: number; clusterPolicies: number; nodes: number; issues: number } {
  const t = performance.now()
  const r = buildCluster(splitDocuments('gen.json', text).docs)
  return { ms: performance.now() - t, clusterPolicies: r.cluster.clusterPolicies.length, nodes: r.cluster.nodes.length, issues: r.issues.length }
}

run(texts.without)
run(texts.with)
const times: Record<'without' | 'with', number[]> = { without: [], with: [] }
let last = run(texts.with)
for (let i = 0; i < 5; i++) {
  times.without.push(run(texts.without).ms)
  last = run(texts.with)
  times.with.push(last.ms)
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
if (last.issues > 0 || last.clusterPolicies !== clusterPolicies || last.nodes !== nodes) throw new Error(`the generated cluster policies did not load: ${JSON.stringify(last)}`)
const m0 = median(times.without)
const m1 = median(times.with)
console.log(`${size.pods} pods, ${size.policies} policies, ${size.namespaces} namespaces (seed ${size.seed}): parse+build median of 5`)
console.log(`  without cluster policies: ${m0.toFixed(0)} ms (${(texts.without.length / 1e6).toFixed(1)} MB JSON)`)
console.log(`  with ${clusterPolicies} cluster policies (10 rules each) and ${nodes} Nodes: ${m1.toFixed(0)} ms (${(texts.with.length / 1e6).toFixed(1)} MB JSON), +${(m1 - m0).toFixed(0)} ms, ${((m1 - m0) / clusterPolicies * 1000).toFixed(0)} µs per cluster policy`)
