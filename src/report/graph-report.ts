/**
 * `graphReport(cluster, options)`: the graph of who may talk to whom on one port (or "any"), at one level —
 * pods, workloads, the matrix's classes, or namespaces — built from the class-based reachability, never pod by
 * pod. The same object is `GET /api/graph` and what `matrix -o dot|mermaid` draws.
 */
import type { Cluster, Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import type { IpBlock } from '../model/ip-block.js'
import { formatRef, type Direction, type NetworkPolicy } from '../model/policy.js'
import type { PortSpec } from '../model/port.js'
import { indexCluster, type ClusterIndex } from '../engine/cluster-index.js'
import { destinationPorts } from '../analysis/diff-ports.js'
import { clusterAddressSets, computeIdentities, distinctIpBlocks, type Identities } from '../engine/identities.js'
import { matrixPorts } from '../analysis/matrix-ports.js'
import { ClassSides, computeReachability, type PortProtocol } from '../analysis/reachability.js'
import { foldEdges, SourceFolder, type EdgeInput, type FoundEdge } from './graph-edges.js'
import { foldEdgesAfter, type Fold } from './graph-edges-change.js'
import { externalSpace, ExternalVerdicts, type ExternalSpace } from './graph-external.js'
import { countWorkloads, podNodes, type PodNode } from './graph-nodes.js'
import type { GraphEdge, GraphLevel, GraphNode, GraphReport } from './graph-types.js'
import { parsePort, portText } from './port-text.js'

export interface GraphOptions {
  /** one port, or "any": every port a pod serves or a policy names, each counted where the destination serves it or a policy names it */
  readonly port: PortProtocol | 'any'
  readonly level: GraphLevel | 'auto'
  /** show the nodes with pods in these namespaces (all when empty) */
  readonly namespaces?: readonly string[]
  /** show the nodes with pods carrying every one of these labels ("K=V", or "K" for any value) */
  readonly labels?: readonly string[]
  /** default as `matrix`: IPv4 unless every addressed pod is IPv6-only */
  readonly family?: Family
  /**
   * List at most this many edges; the others are counted in `omittedEdges`. A server sets it: 10k pods at class
   * level have over ten million edges, which no page draws. No limit when absent.
   */
  readonly maxEdges?: number
  /**
   * At class level: each namespace not in `open` drawn as one node holding its classes (collapsed), its edges the
   * union of theirs. Default: collapsed when the graph would show more than AUTO_LIMIT classes (10,000 pods have
   * about as many classes: more than a page draws or a reader follows), so a large cluster opens at class level
   * with every namespace collapsed, and a namespace opens into its classes on demand.
   */
  readonly collapse?: boolean
  /** with `collapse`: the namespaces drawn as their classes */
  readonly open?: readonly string[]
}

/**
 * Up to this many workloads, "auto" draws workloads; else classes, and above this many classes shown the
 * namespaces are collapsed (see GraphOptions.collapse).
 */
export const AUTO_LIMIT = 500

export const GRAPH_LEVELS: readonly GraphLevel[] = ['namespace', 'class', 'workload', 'pod']

/** The options as a query string or the command line gives them; mistakes come back as values. */
export function parseGraphOptions(q: { port?: string; level?: string; namespaces?: readonly string[]; labels?: readonly string[]; family?: Family; collapse?: string; open?: readonly string[] }):
  | { ok: true; value: GraphOptions }
  | { ok: false; error: { field: 'port' | 'level' | 'collapse'; message: string } } {
  let port: GraphOptions['port'] = 'any'
  if (q.port !== undefined && q.port.toLowerCase() !== 'any') {
    const p = parsePort(q.port)
    if (!p.ok) return { ok: false, error: { field: 'port', message: `${p.error}, or "any"` } }
    port = p.value
  }
  const level = q.level ?? 'auto'
  if (level !== 'auto' && !GRAPH_LEVELS.includes(level as GraphLevel)) {
    return { ok: false, error: { field: 'level', message: `--level "${level}": expected auto, ${GRAPH_LEVELS.join(', ')}` } }
  }
  if (q.collapse !== undefined && q.collapse !== 'true' && q.collapse !== 'false') return { ok: false, error: { field: 'collapse', message: `collapse "${q.collapse}": expected true or false` } }
  const open = [...new Set(q.open ?? [])].sort()
  return {
    ok: true,
    value: {
      port, level: level as GraphLevel | 'auto', namespaces: q.namespaces ?? [], labels: q.labels ?? [], ...(q.family ? { family: q.family } : {}),
      ...(q.collapse !== undefined ? { collapse: q.collapse === 'true' } : {}), ...(open.length ? { open } : {}),
    },
  }
}

/** The level "auto" picks for these pods: workloads while they are few, else classes (collapsed when many). */
export function autoLevel(pods: readonly Pod[]): GraphLevel {
  return countWorkloads(pods) <= AUTO_LIMIT ? 'workload' : 'class'
}

/**
 * The level "auto" picks for a cluster: `ClusterSummary.defaultLevel`. (`family`: kept for callers; the level no
 * longer depends on it.)
 */
export function defaultGraphLevel(cluster: Cluster, _family?: Family): GraphLevel {
  return autoLevel(cluster.pods)
}

/** The address family of a graph when none is asked for: as `matrix`, IPv4 unless every addressed pod is IPv6-only. */
export function defaultFamily(pods: readonly Pod[]): Family {
  return pods.some((p) => p.ips.some((a) => a.family === 4)) || !pods.some((p) => p.ips.length) ? 4 : 6
}

/**
 * `before`: the graph of the same options before a change, when `sides` reuse its classes (a what-if): only the
 * node pairs whose class rows the change flips are folded again (graph-edges-change.ts).
 * `idBlocks`: the ipBlocks class ids are named by (default: the cluster's). graphChange names both sides' classes
 * by the blocks of both, so a class that did not change keeps its id when a policy adds or drops an ipBlock.
 * `sides`: the class sides of the cluster's pods in the graph's family, when a caller keeps them (see DiffBase).
 */
export function graphReport(cluster: Cluster, options: GraphOptions, index: ClusterIndex = indexCluster(cluster), idBlocks?: readonly IpBlock[], sides?: ClassSides, before?: GraphReport): GraphReport {
  const pods = cluster.pods
  const family = options.family ?? defaultFamily(pods)
  const ports = options.port === 'any' ? matrixPorts(cluster) : [options.port]
  // the sides answer which policies isolate a class (kept per class, and reused by a what-if's side after)
  const classSides = sides ?? new ClassSides(index, computeIdentities(pods, index.cluster.policies, family, index.cluster))
  const r = computeReachability(index, pods, ports, family, classSides)
  const ids = r.identities
  const level = options.level === 'auto' ? autoLevelOf(pods) : options.level
  const blocks = ipBlocksOf(cluster.policies)
  const wanted = podFilter(options)
  const collapsed = level === 'class' ? collapsedNamespaces(options, ids, pods, wanted) : null
  const nodes = podNodes(cluster, pods, ids, idBlocks ?? blocks, level, collapsed ?? undefined)
  const { external, verdicts } = sidesExtras(classSides, { index, blocks, family, pods })
  const shown = new Uint8Array(nodes.length + external.nodes.length)
  nodes.forEach((n, i) => (shown[i] = n.members.some((m) => wanted(pods[m]!)) ? 1 : 0))
  shown.fill(1, nodes.length)
  const considered = options.port === 'any' ? consideredPods(cluster, index, pods, ids, ports, family) : ports.map(() => null)
  const named = options.port === 'any' ? policyPorts(cluster, ports) : ports.map(() => true)
  // the opened namespaces' edges are listed first (a reader opened them to see those)
  const first = collapsed !== null && options.maxEdges !== undefined && nodes.some((n) => n.kind === 'class') ? Uint8Array.from(nodes, (n) => (n.kind === 'class' ? 1 : 0)) : undefined
  const input: EdgeInput = { pods, ids, nodes, results: r.results, considered, externalPorts: named, external, verdicts, shown, ...(options.maxEdges !== undefined ? { maxEdges: options.maxEdges } : {}), ...(first ? { first } : {}) }
  const prior = before && folds.get(before)
  const after = prior ? foldEdgesAfter(prior, input) : null
  const fold = after ?? wholeFold(input)
  const found = fold.found

  // the fold after a change succeeds only over the same nodes and pods: then the nodes before may be reused
  const describe = nodeDescriber((c, dir) => classSides.isolating(c, dir), ids, pods, after !== null ? describedBy.get(before!) : undefined)
  const idOf = (i: number) => (i < nodes.length ? nodes[i]!.id : external.nodes[i - nodes.length]!.id)
  const linked = new Set(found.edges.flatMap((e) => [e.from, e.to]))
  const outNodes: GraphNode[] = []
  const described: (DescribedNode | undefined)[] = new Array(nodes.length)
  nodes.forEach((n, i) => {
    if (!shown[i]) return
    described[i] = describe(n, i)
    outNodes.push(described[i]!.node)
  })
  external.nodes.forEach((x, i) => {
    if (linked.has(nodes.length + i)) outNodes.push({ id: x.id, kind: 'external', label: x.label, pods: [], labels: {}, isolated: { ingress: false, egress: false }, selectedBy: [] })
  })
  // by source, then destination, in node order (external nodes last)
  const sorted = [...found.edges].sort((x, y) => x.from - y.from || x.to - y.to)
  // an edge the fold kept from the graph before (same nodes and ports) is handed out as the same object
  const edges: GraphEdge[] = sorted.map((e) => {
    let g = edgeObjects.get(e)
    if (g !== undefined) return g
    const from = idOf(e.from)
    const to = idOf(e.to)
    g = { id: `${from}->${to}`, from, to, all: e.all, ...(options.port === 'any' ? { ports: e.ports.map((p) => portText(ports[p]!)) } : {}) }
    edgeObjects.set(e, g)
    return g
  })
  const groupNs = [...new Set(outNodes.flatMap((n) => (n.namespace === undefined ? [] : [n.namespace])))]
  const report: GraphReport = {
    level,
    port: options.port === 'any' ? 'any' : portText(options.port),
    groups: groupNs.map((ns) => ({ id: `group:${ns}`, namespace: ns, labels: cluster.namespaces.get(ns)?.labels ?? {} })),
    nodes: outNodes,
    edges,
    totals: { nodes: nodes.length + external.nodes.length, edges: found.total, pods: pods.length },
    ...(found.omitted > 0 ? { omittedEdges: found.omitted } : {}),
    ...(collapsed !== null ? { collapsed: outNodes.flatMap((n) => (n.kind === 'namespace' ? [n.id] : [])) } : {}),
  }
  folds.set(report, fold)
  describedBy.set(report, described)
  return report
}

/**
 * The distinct ipBlocks of a list of policies (distinctIpBlocks), once per list: a what-if asks for those of the
 * served cluster and of the cluster after the change several times, 10,000 policies each at 10k pods.
 */
export function ipBlocksOf(policies: readonly NetworkPolicy[]): readonly IpBlock[] {
  let b = blocksOf.get(policies)
  if (b === undefined) blocksOf.set(policies, (b = distinctIpBlocks(policies)))
  return b
}
const blocksOf = new WeakMap<readonly NetworkPolicy[], readonly IpBlock[]>()

/**
 * The graph edge of each edge found: foldEdgesAfter keeps the found edges of the fold before that the change
 * leaves alone (only between graphs of the same nodes and ports), so the graph after shares their objects with
 * the graph before, and graphChangeDelta passes them over without a look.
 */
const edgeObjects = new WeakMap<FoundEdge, GraphEdge>()

/** autoLevel, once per list of pods (it counts 10,000 pods' workloads) */
function autoLevelOf(pods: readonly Pod[]): GraphLevel {
  let l = autoLevels.get(pods)
  if (l === undefined) autoLevels.set(pods, (l = autoLevel(pods)))
  return l
}
const autoLevels = new WeakMap<readonly Pod[], GraphLevel>()

/**
 * What a graph reads of its class sides besides the edges and the nodes, the same for every graph of them: the
 * external address space and which selector classes reach which of its regions per port. Kept with the sides, so a
 * server's graphs of one snapshot (another port, a namespace opened) compute them once.
 */
interface SidesExtras {
  readonly key: { readonly index: ClusterIndex; readonly blocks: readonly IpBlock[]; readonly family: Family; readonly pods: readonly Pod[] }
  readonly external: ExternalSpace
  readonly verdicts: ExternalVerdicts
}
const extras = new WeakMap<ClassSides, SidesExtras>()

function sidesExtras(sides: ClassSides, key: SidesExtras['key']): SidesExtras {
  const had = extras.get(sides)
  if (had && had.key.index === key.index && had.key.blocks === key.blocks && had.key.family === key.family && had.key.pods === key.pods) return had
  const isolating = (c: number, dir: Direction) => sides.isolating(c, dir)
  const external = externalSpace(key.blocks, key.family, clusterAddressSets(key.index.cluster))
  const made: SidesExtras = {
    key,
    external,
    verdicts: new ExternalVerdicts(isolating, sides.ids, external, key.blocks, key.index),
  }
  extras.set(sides, made)
  return made
}

/** Each graph's edge fold, so that a graph after a change (`before` given) folds only the pairs it changes. */
const folds = new WeakMap<GraphReport, Fold>()

/** The edge fold a graph was made from (for tests: the fold of the changed pairs against the whole one). */
export const graphEdgeFold = (g: GraphReport): Fold | undefined => folds.get(g)

function wholeFold(input: EdgeInput): Fold {
  const folder = new SourceFolder(input)
  return { folder, found: foldEdges(input, folder) }
}

/**
 * At class level, the namespaces drawn collapsed (GraphOptions.collapse: by default when more than AUTO_LIMIT
 * classes would be shown), or null when none is.
 */
function collapsedNamespaces(options: GraphOptions, ids: Identities, pods: readonly Pod[], wanted: (pod: Pod) => boolean): Set<string> | null {
  const collapse = options.collapse ?? ids.classes.filter((c) => c.members.some((m) => wanted(pods[m]!))).length > AUTO_LIMIT
  if (!collapse) return null
  const open = new Set(options.open ?? [])
  return new Set(ids.classes.flatMap((c) => (open.has(c.namespace) ? [] : [c.namespace])))
}

function podFilter(options: GraphOptions): (pod: Pod) => boolean {
  const ns = new Set(options.namespaces ?? [])
  const labels = (options.labels ?? []).map((l) => {
    const eq = l.indexOf('=')
    return eq < 0 ? { key: l, value: null } : { key: l.slice(0, eq), value: l.slice(eq + 1) }
  })
  return (pod) => (ns.size === 0 || ns.has(pod.namespace)) && labels.every(({ key, value }) => (value === null ? key in pod.labels : pod.labels[key] === value))
}

/**
 * Isolation and selecting policies, per selector class (what decides them), folded per node. `was`: the nodes of
 * the graph before with what described them, when this graph has the same nodes (the same ids and pods): a node
 * whose selector classes have the very same isolation entries is that graph's node object.
 */
function nodeDescriber(isolating: (c: number, dir: Direction) => readonly NetworkPolicy[], ids: Identities, pods: readonly Pod[], was?: readonly (DescribedNode | undefined)[]): (n: PodNode, i: number) => DescribedNode {
  const bySel = ids.selectorClasses.map((_, c) => isolationOf(isolating(c, 'ingress'), isolating(c, 'egress')))
  const fold = (values: boolean[]): boolean | 'some' => (values.every((v) => v) ? true : values.some((v) => v) ? 'some' : false)
  return (n, i) => {
    const sel = [...new Set(n.members.map((m) => ids.selectorOf[ids.classOf[m]!]!))].map((s) => bySel[s]!)
    const old = was?.[i]
    if (old !== undefined && sameNode(old.node, n) && old.sel.length === sel.length && old.sel.every((x, j) => x === sel[j])) return old
    const node: GraphNode = {
      id: n.id,
      kind: n.kind,
      namespace: n.namespace,
      label: n.label,
      pods: n.members.map((m) => `${pods[m]!.namespace}/${pods[m]!.name}`),
      labels: n.labels,
      isolated: { ingress: fold(sel.map((s) => s.ingress)), egress: fold(sel.map((s) => s.egress)) },
      selectedBy: [...new Set(sel.flatMap((s) => s.policies))].sort(),
    }
    return { sel, node }
  }
}

/** A node described before stands for pod node `n` (its pods are the same: the fold after checked them). */
function sameNode(g: GraphNode, n: PodNode): boolean {
  if (g.id !== n.id || g.kind !== n.kind || g.namespace !== n.namespace || g.label !== n.label) return false
  const a = Object.keys(g.labels)
  return a.length === Object.keys(n.labels).length && a.every((k) => g.labels[k] === n.labels[k])
}

interface DescribedNode {
  readonly node: GraphNode
  readonly sel: readonly Isolation[]
}

/** Each graph's pod nodes (by node index, undefined where not shown) with what described them. */
const describedBy = new WeakMap<GraphReport, readonly (DescribedNode | undefined)[]>()

/**
 * A selector class's isolation and selecting policies, from the policies isolating it each way: once per pair of
 * lists (ClassSides hands out one list per class and direction, which a what-if's side shares with the served one).
 */
function isolationOf(ingress: readonly NetworkPolicy[], egress: readonly NetworkPolicy[]): Isolation {
  let byEgress = isolations.get(ingress)
  if (byEgress === undefined) isolations.set(ingress, (byEgress = new WeakMap()))
  let x = byEgress.get(egress)
  if (x === undefined) byEgress.set(egress, (x = { ingress: ingress.length > 0, egress: egress.length > 0, policies: [...new Set([...ingress, ...egress].map(formatRef))] }))
  return x
}
interface Isolation {
  readonly ingress: boolean
  readonly egress: boolean
  readonly policies: readonly string[]
}
const isolations = new WeakMap<readonly NetworkPolicy[], WeakMap<readonly NetworkPolicy[], Isolation>>()

/**
 * Per port, the destination pods it counts for with port "any": those that serve it or for which a policy names
 * it (src/analysis/diff-ports.ts), as `diff` reports without --port.
 */
function consideredPods(cluster: Cluster, index: ClusterIndex, pods: readonly Pod[], ids: Identities, ports: readonly PortProtocol[], family: Family): Uint8Array[] {
  const side = { cluster, index }
  const portsOf = destinationPorts(side, side, ports, family)
  // a policy names a port for a pod by its labels and namespace: one pod per selector class answers for the rest
  // (without its container ports, which are each pod's own)
  const named = ids.selectorClasses.map((c) => {
    const bare = { ...c.rep.pod, ports: [] }
    return portsOf([[bare, bare]])
  })
  const out = ports.map(() => new Uint8Array(pods.length))
  const at = new Map(ports.map((p, k) => [portText(p), k]))
  pods.forEach((pod, i) => {
    named[ids.selectorOf[ids.classOf[i]!]!]!.forEach((v, k) => v && (out[k]![i] = 1))
    for (const cp of pod.ports) {
      const k = at.get(portText(cp))
      if (k !== undefined) out[k]![i] = 1
    }
  })
  return out
}

/** With port "any", the ports counted toward external addresses: those a policy names (no pod serves them here). */
function policyPorts(cluster: Cluster, ports: readonly PortProtocol[]): boolean[] {
  const specs: PortSpec[] = []
  for (const p of cluster.policies) for (const rules of [p.ingress, p.egress]) for (const r of rules ?? []) if (r.ports !== 'any') specs.push(...r.ports)
  return ports.map((p) => specs.some((s) => s.protocol === p.protocol && s.port.kind === 'range' && p.port >= s.port.from && p.port <= s.port.to))
}
