/**
 * The per-flow tier chain: evaluateFlow on a sample of pod pairs of the generated cluster (10k pods / 10k
 * NetworkPolicies by default), as it is (the baseline, no cluster policies) and with N cluster policies added
 * (Admin and Baseline ClusterNetworkPolicies, ANPs and the BANP, namespace and pod subjects, namespaces, pods and
 * networks peers, every action), in the same run.
 *
 *   npx tsx bench/tier-chain-bench.ts [--cluster-policies 500 --sample 20000 --pods 10000 ...]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { generateCluster, mulberry32, renderCluster } from './generate-cluster.js'
import { CLUSTER_SIZE_OPTIONS, clusterBase, clusterSize } from './cluster-size.js'
import { loadManifests } from '../src/io/load-manifests.js'
import { indexCluster } from '../src/engine/cluster-index.js'
import { evaluateFlow } from '../src/engine/evaluate.js'
import { podEndpoint } from '../src/engine/endpoint.js'
import { sortClusterPolicies, type ClusterAction, type ClusterPeer, type ClusterPolicy, type ClusterRule } from '../src/model/cluster-policy.js'
import { makeSelector, type LabelSelector } from '../src/model/label-selector.js'
import { parseCidr } from '../src/model/ip.js'
import type { Cluster } from '../src/model/cluster.js'

const { values } = parseArgs({ options: { ...CLUSTER_SIZE_OPTIONS, sample: { type: 'string', default: '20000' }, 'cluster-policies': { type: 'string', default: '500' } } })
const size = clusterSize(values)
const base = clusterBase(size)
mkdirSync('bench/out', { recursive: true })
if (!existsSync(`${base}.json`)) writeFileSync(`${base}.json`, renderCluster(generateCluster(size), 'json'))
const cluster = (await loadManifests([`${base}.json`])).cluster

const rand = mulberry32(size.seed + 13)
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
const namespaces = [...cluster.namespaces.keys()]
const appLabels = [...new Set(cluster.pods.map((p) => p.labels.app).filter((a) => a !== undefined))]
const is = (key: string, value: string): LabelSelector => makeSelector([{ key, operator: 'In', values: [value], fromMatchLabels: true }])
const nsSel = () => (rand() < 0.1 ? makeSelector([]) : is('kubernetes.io/metadata.name', pick(namespaces)))
const peer = (egress: boolean): ClusterPeer => {
  const r = rand()
  if (r < 0.4) return { kind: 'namespaces', selector: nsSel() }
  if (r < 0.8 || !egress) return { kind: 'pods', namespaceSelector: nsSel(), podSelector: is('app', pick(appLabels)) }
  return { kind: 'networks', cidrs: [parseCidr(pick(['10.0.0.0/8', '10.1.0.0/16', '0.0.0.0/0', '192.168.0.0/16']))!] }
}
const rules = (egress: boolean, actions: readonly ClusterAction[]): ClusterRule[] =>
  Array.from({ length: 1 + Math.floor(rand() * 4) }, () => ({
    action: pick(actions),
    peers: Array.from({ length: 1 + Math.floor(rand() * 2) }, () => peer(egress)),
    ports: rand() < 0.5 ? 'any' : [{ kind: 'range', protocol: 'TCP', from: pick([80, 443, 8080, 5432]), to: pick([80, 443, 8080, 5432]) + 10 }],
  }))
function clusterPolicies(n: number): ClusterPolicy[] {
  const out: ClusterPolicy[] = []
  for (let i = 0; i < n; i++) {
    const subject = rand() < 0.5 ? { kind: 'namespaces' as const, selector: nsSel() } : { kind: 'pods' as const, namespaceSelector: nsSel(), podSelector: is('app', pick(appLabels)) }
    const body = { name: `cp-${i}`, subject, ingress: rules(false, ['Accept', 'Deny', 'Pass']), egress: rules(true, ['Accept', 'Deny', 'Pass']) }
    const r = rand()
    out.push(r < 0.4 ? { kind: 'ClusterNetworkPolicy', tier: 'Admin', priority: Math.floor(rand() * 1000), ...body } : r < 0.7 ? { kind: 'AdminNetworkPolicy', tier: 'Admin', priority: Math.floor(rand() * 1000), ...body } : { kind: 'ClusterNetworkPolicy', tier: 'Baseline', priority: Math.floor(rand() * 1000), ...body })
  }
  out.push({ kind: 'BaselineAdminNetworkPolicy', tier: 'Baseline', priority: null, name: 'default', subject: { kind: 'namespaces', selector: makeSelector([]) }, ingress: rules(false, ['Accept', 'Deny']), egress: rules(true, ['Accept', 'Deny']) })
  return sortClusterPolicies(out)
}

const n = cluster.pods.length
const sample = Number(values.sample)
const pairs = Array.from({ length: sample }, () => [Math.floor(rand() * n), Math.floor(rand() * n)] as const)
const ends = cluster.pods.map((p) => podEndpoint(p, 4))

function run(name: string, c: Cluster) {
  const index = indexCluster(c)
  // one pass to fill the per-pod memos (as describe and check on a server do), then the timed pass
  const once = () => pairs.map(([i, j]) => evaluateFlow(index, { from: ends[i]!, to: ends[j]!, port: 8080, protocol: 'TCP' }))
  let t = performance.now()
  once()
  const coldMs = performance.now() - t
  t = performance.now()
  const vs = once()
  const warmMs = performance.now() - t
  const allowed = vs.filter((v) => v.allowed).length
  const tiered = vs.filter((v) => !['not-isolated', 'allowed', 'denied', 'self'].includes(v.ingress.kind) || !['not-isolated', 'allowed', 'denied', 'self'].includes(v.egress.kind)).length
  console.log(`${name.padEnd(34)} ${((coldMs / sample) * 1000).toFixed(1).padStart(6)} µs/pair first pass  ${((warmMs / sample) * 1000).toFixed(1).padStart(6)} µs/pair after  (${allowed} of ${sample} allowed, ${tiered} decided by a cluster policy rule)`)
  return warmMs
}

const cps = Number(values['cluster-policies'])
console.log(`cluster: ${n} pods, ${size.namespaces} namespaces, ${cluster.policies.length} NetworkPolicies; ${sample} pod pairs, port 8080/TCP\n`)
const baseMs = run('no cluster policies (baseline)', cluster)
const withMs = run(`with ${cps + 1} cluster policies`, { ...cluster, clusterPolicies: clusterPolicies(cps) })
console.log(`\nratio: ${(withMs / baseMs).toFixed(2)}×`)
