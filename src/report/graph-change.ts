/**
 * A what-if graph: the graph after a change, with every edge marked "opened" (allowed only after), "closed"
 * (only before) or "same", so the page can colour what a policy edit would open and break.
 */
import type { Cluster } from '../model/cluster.js'
import { InternalError } from '../model/issues.js'
import { indexCluster } from '../engine/cluster-index.js'
import { distinctIpBlocks } from '../engine/identities.js'
import { defaultFamily, defaultGraphLevel, graphReport, type GraphOptions } from './graph-report.js'
import type { GraphEdge, GraphNode, GraphReport } from './graph-types.js'

/**
 * Two clusters (before and after the change) and the graph's options: both graphs are drawn at the same level
 * (for "auto", the level the cluster after the change gets), then merged as below.
 */
export function graphChange(before: Cluster, after: Cluster, options: GraphOptions): GraphReport
/**
 * Two graphs of the same level and port: the nodes after the change (plus those only before, e.g. of deleted
 * pods), every edge of either side marked; an edge on both sides keeps the after side's `all` and `ports`, and
 * with port "any" lists the ports it gains and loses. Totals are the after side's.
 */
export function graphChange(before: GraphReport, after: GraphReport): GraphReport
export function graphChange(before: Cluster | GraphReport, after: Cluster | GraphReport, options?: GraphOptions): GraphReport {
  if (!('edges' in before) && !('edges' in after)) {
    const opts = options!
    const family = opts.family ?? defaultFamily(after.pods)
    const level = opts.level === 'auto' ? defaultGraphLevel(after, family) : opts.level
    const same = { ...opts, level, family }
    // classes are named by the blocks of both sides, so one that did not change keeps its id
    const blocks = [...new Map([...distinctIpBlocks(before.policies), ...distinctIpBlocks(after.policies)].map((b) => [b.key, b])).values()]
    return mergeGraphs(graphReport(before, same, indexCluster(before), blocks), graphReport(after, same, indexCluster(after), blocks))
  }
  if ('edges' in before && 'edges' in after) return mergeGraphs(before, after)
  throw new InternalError('graphChange: give two clusters or two graphs')
}

function mergeGraphs(before: GraphReport, after: GraphReport): GraphReport {
  if (before.level !== after.level || before.port !== after.port) {
    throw new InternalError(`graphChange: graphs of different level or port (${before.level} ${before.port}, ${after.level} ${after.port})`)
  }
  const afterNodes = new Set(after.nodes.map((n) => n.id))
  const nodes: GraphNode[] = [...after.nodes, ...before.nodes.filter((n) => !afterNodes.has(n.id))]
  const groupIds = new Set(after.groups.map((g) => g.id))
  const groups = [...after.groups, ...before.groups.filter((g) => !groupIds.has(g.id))]
  const was = new Map(before.edges.map((e) => [e.id, e]))
  const edges: GraphEdge[] = after.edges.map((e) => {
    const old = was.get(e.id)
    if (old === undefined) return { ...e, change: 'opened' }
    was.delete(e.id)
    if (e.ports === undefined || old.ports === undefined) return { ...e, change: 'same' }
    const opened = e.ports.filter((p) => !old.ports!.includes(p))
    const closed = old.ports.filter((p) => !e.ports!.includes(p))
    return { ...e, change: 'same', ...(opened.length ? { portsOpened: opened } : {}), ...(closed.length ? { portsClosed: closed } : {}) }
  })
  for (const e of was.values()) edges.push({ ...e, change: 'closed' })
  return { level: after.level, port: after.port, groups, nodes, edges, totals: after.totals, ...(after.collapsed !== undefined ? { collapsed: after.collapsed } : {}) }
}
