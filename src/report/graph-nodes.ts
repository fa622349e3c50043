/**
 * The nodes of a graph at one level: which pods each node holds, and what the page prints about it. Nodes are
 * built from the matrix's classes (src/engine/identities.ts), so the edges can be decided per class and
 * folded into nodes (graph-edges.ts).
 */
import { shortHash } from '../model/short-hash.js'
import { podId, standsForSeveral, type Cluster, type Pod } from '../model/cluster.js'
import { ipBlockContains, type IpBlock } from '../model/ip-block.js'
import { canonicalCidr, type IpAddress } from '../model/ip.js'
import { labelsKey, type Labels } from '../model/labels.js'
import type { Identities } from '../engine/identities.js'
import { namedPortsKey } from '../engine/identities.js'
import { WORKLOAD_SHORT } from '../analysis/resolve-workload.js'
import type { GraphLevel, GraphNode } from './graph-types.js'
import { count, NOISY_LABELS } from './words.js'

/** A node of pods: its description, and its pods as indexes into the pods the classes were computed over. */
export interface PodNode {
  readonly id: string
  readonly kind: Exclude<GraphNode['kind'], 'external'>
  readonly namespace: string
  readonly label: string
  readonly labels: Labels
  readonly members: readonly number[]
}

/** The workload a pod stands for or belongs to (its top owner), or null for a bare pod. */
export function workloadOf(pod: Pod): { kind: keyof typeof WORKLOAD_SHORT; name: string } | null {
  if (pod.template) return { kind: pod.template.kind, name: pod.template.name }
  const w = pod.workloads
  return w && w.length > 0 ? { kind: w[w.length - 1]!.kind, name: w[w.length - 1]!.name } : null
}

/** How many workloads (bare pods counted as their own) and classes the cluster has: what "auto" chooses by. */
export function countWorkloads(pods: readonly Pod[]): number {
  const seen = new Set<string>()
  for (const p of pods) {
    const w = workloadOf(p)
    seen.add(w ? `${p.namespace}/${w.kind}/${w.name}` : `${p.namespace}//${p.name}`)
  }
  return seen.size
}

/**
 * The nodes of `level`, in cluster order (namespace, then first pod). At class level, the namespaces in
 * `collapsed` are one node each (as at namespace level) holding their classes' pods.
 */
export function podNodes(cluster: Cluster, pods: readonly Pod[], ids: Identities, blocks: readonly IpBlock[], level: GraphLevel, collapsed?: ReadonlySet<string>): PodNode[] {
  switch (level) {
    case 'pod':
      return pods.map((p, i) => ({ id: podId(p), kind: 'pod', namespace: p.namespace, label: podLabel(p), labels: p.labels, members: [i] }))
    case 'namespace': {
      const byNs = new Map<string, number[]>()
      pods.forEach((p, i) => push(byNs, p.namespace, i))
      return [...byNs].map(([ns, members]) => namespaceNode(cluster, ns, members))
    }
    case 'workload': {
      const byKey = new Map<string, { pod: Pod; members: number[] }>()
      pods.forEach((p, i) => {
        const w = workloadOf(p)
        const key = w ? `${p.namespace}/${WORKLOAD_SHORT[w.kind]}/${w.name}` : podId(p)
        const entry = byKey.get(key)
        if (entry) entry.members.push(i)
        else byKey.set(key, { pod: p, members: [i] })
      })
      return [...byKey].map(([id, { pod, members }]) => {
        const w = workloadOf(pod)
        return w
          ? { id, kind: 'workload', namespace: pod.namespace, label: `${WORKLOAD_SHORT[w.kind]}/${w.name}`, labels: sharedLabels(members.map((i) => pods[i]!.labels)), members }
          : { id, kind: 'pod', namespace: pod.namespace, label: podLabel(pod), labels: pod.labels, members }
      })
    }
    case 'class': {
      // the blocks holding a class's address are those of its address class: named once per address class
      // (only for the classes drawn: with every namespace collapsed, none)
      const texts = blocks.map(blockText)
      const named: (string | undefined)[] = []
      const inBlocks = (a: number) => (named[a] ??= blocksHolding(ids.addressClasses[a]!.rep.ip, blocks, texts))
      if (collapsed !== undefined && collapsed.size > 0) return withCollapsed(cluster, ids, collapsed, classNodes(pods, ids.classes.filter((c) => !collapsed.has(c.namespace)), ids, inBlocks))
      return classNodes(pods, ids.classes, ids, inBlocks)
    }
  }
}

/** The id text of the blocks holding an address, one a line ("no address" for a pod without one in the family). */
const blocksHolding = (ip: IpAddress | null, blocks: readonly IpBlock[], texts: readonly string[]): string =>
  ip === null ? 'no address' : blocks.flatMap((b, i) => (ipBlockContains(b, ip) ? [texts[i]!] : [])).join('\n')

/** A namespace as one node. */
const namespaceNode = (cluster: Cluster, ns: string, members: readonly number[]): PodNode => ({ id: ns, kind: 'namespace', namespace: ns, label: ns, labels: cluster.namespaces.get(ns)?.labels ?? {}, members })

/**
 * The class nodes of some classes, and at the place of each collapsed namespace's first class the namespace as
 * one node holding all its classes' pods (in pod order, as at namespace level).
 */
function withCollapsed(cluster: Cluster, ids: Identities, collapsed: ReadonlySet<string>, open: PodNode[]): PodNode[] {
  const byNs = new Map<string, number[]>()
  for (const c of ids.classes) if (collapsed.has(c.namespace)) for (const m of c.members) push(byNs, c.namespace, m)
  const out: PodNode[] = []
  let next = 0
  for (const c of ids.classes) {
    if (!collapsed.has(c.namespace)) out.push(open[next++]!)
    else {
      const members = byNs.get(c.namespace)
      if (members === undefined) continue
      byNs.delete(c.namespace)
      out.push(namespaceNode(cluster, c.namespace, members.sort((a, b) => a - b)))
    }
  }
  return out
}

/** The nodes of some classes (in their order): the matrix's classes named by their labels, ports and ipBlocks. */
function classNodes(pods: readonly Pod[], classes: Identities['classes'], ids: Identities, inBlocks: (addressClass: number) => string): PodNode[] {
  const nodes = classes.map((c) => {
    const pod = c.rep.pod
    const key = `${labelsKey(pod.labels)}\n${namedPortsKey(pod)}\n${inBlocks(ids.addressOf[c.index]!)}`
    const n = c.members.reduce((sum, i) => sum + replicasOf(pods[i]!), 0)
    return { id: `${c.namespace}/class/${shortHash(key)}`, kind: 'class' as const, namespace: c.namespace, label: `${classWords(pod.labels)} (${count(n, 'pod')})`, labels: pod.labels, members: c.members }
  })
  // several classes of one namespace with the same labels (told apart by named ports, ipBlocks or having no
  // address of the family): number them
  const seen = new Map<string, number>()
  const ids_ = new Set<string>()
  return nodes.map((n) => {
    const k = `${n.namespace}\n${n.label}`
    const nth = (seen.get(k) ?? 0) + 1
    seen.set(k, nth)
    // a hash collision must not merge two nodes
    let id = n.id
    while (ids_.has(id)) id += '-'
    ids_.add(id)
    return nth === 1 && id === n.id ? n : { ...n, id, label: nth === 1 ? n.label : `${n.label} #${nth}` }
  })
}

/** Pods a member stands for: a template's replicas (one for a DaemonSet's, whose count is unknown). */
const replicasOf = (p: Pod): number => (typeof p.template?.replicas === 'number' ? p.template.replicas : 1)

const podLabel = (p: Pod) => (standsForSeveral(p) ? `${p.name} (${p.template!.replicas === 'per-node' ? 'one per node' : `${p.template!.replicas} replicas`})` : p.name)

/** `app=api, tier=backend`, without labels that only tell pods apart; "no labels" when none is left. */
function classWords(labels: Labels): string {
  const keys = Object.keys(labels).filter((k) => !NOISY_LABELS.has(k)).sort()
  return keys.length === 0 ? 'no labels' : keys.map((k) => `${k}=${labels[k]}`).join(', ')
}

function sharedLabels(all: readonly Labels[]): Labels {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(all[0] ?? {})) if (all.every((l) => l[k] === v)) out[k] = v
  return out
}

/** "0.0.0.0/0 except 10.0.0.0/8" with canonical CIDRs: the id text of an external node. */
export const blockText = (b: IpBlock): string => `${canonicalCidr(b.cidr)}${b.except.length ? ` except ${b.except.map(canonicalCidr).sort().join(', ')}` : ''}`


function push(m: Map<string, number[]>, k: string, v: number): void {
  const list = m.get(k)
  if (list) list.push(v)
  else m.set(k, [v])
}
