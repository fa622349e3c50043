/**
 * Records → connections, resolved against a cluster: each end to a pod of the input (by name, else by address),
 * an outside address or the node; replies, packets of established connections and the duplicates of one
 * connection (two nodes, trace and verdict) collapsed into the connection they belong to. (Contract for the
 * flow commands.)
 */
import type { Cluster } from '../model/cluster.js'
import type { FlowRecord } from './flow-record.js'
import type { FlowStats, ObservedConnection } from './observed.js'

export interface ResolveOptions {
  /** milliseconds since the epoch: records outside [since, until) are counted in `outsideWindow` and left out */
  readonly since?: number
  readonly until?: number
}

export interface ResolveResult {
  readonly connections: ObservedConnection[]
  readonly stats: Omit<FlowStats, 'lines' | 'unreadable'>
  /** why records could not be resolved or decided, with a count each, for the summary */
  readonly unresolved: ReadonlyMap<string, number>
}

export function resolveFlows(cluster: Cluster, records: Iterable<FlowRecord>, opts: ResolveOptions = {}): ResolveResult {
  void cluster
  void records
  void opts
  throw new Error('resolveFlows: not implemented yet')
}
