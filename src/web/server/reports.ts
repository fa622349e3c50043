/**
 * The one place the server meets the report layer: the JSON contracts the CLI prints with `-o json`, built by
 * the same functions. Routes call these and nothing else of the report layer.
 */
import type { GraphLevel } from '../api.js'
import type { Cluster } from '../../model/cluster.js'
import { workloadKey, workloadOf } from '../../flows/workload-selector.js'

/** The level /api/graph picks for "auto". */
export function defaultLevel(cluster: Cluster): GraphLevel {
  const workloads = new Set(cluster.pods.map((p) => workloadKey(workloadOf(p))))
  return workloads.size <= 500 ? 'workload' : 'class'
}
