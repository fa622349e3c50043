/**
 * What a diff reads of one side, kept so that several diffs against one cluster (a server's what-ifs, each
 * against the cluster it serves) compute it once: the index, the pods' classes, and each class's sides per port
 * as they are asked for. The side after a change shares them where nothing they read changed.
 */
import type { Cluster, Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import { labelsKey } from '../model/labels.js'
import { indexCluster, type ClusterIndex } from '../engine/cluster-index.js'
import { computeIdentities, distinctIpBlocks, type Identities } from '../engine/identities.js'
import { ClassSides } from './reachability.js'

export interface SideClasses {
  readonly pods: readonly Pod[]
  readonly family: Family
  readonly ids: Identities
  readonly sides: ClassSides
}

export class DiffBase {
  readonly index: ClusterIndex
  private last: SideClasses | null = null

  constructor(readonly cluster: Cluster) {
    this.index = indexCluster(cluster)
  }

  /** The classes of `pods` (this cluster's pods a diff compares) and their sides; the last answer is kept. */
  classes(pods: readonly Pod[], family: Family): SideClasses {
    const last = this.last
    if (last !== null && last.family === family && samePods(last.pods, pods)) return last
    const ids = computeIdentities(pods, this.cluster.policies, family)
    this.last = { pods, family, ids, sides: new ClassSides(this.index, ids) }
    return this.last
  }
}

/**
 * The classes of the side after a change, given the side before. When both compare the very same pod objects,
 * name the same ipBlocks and give every namespace the same labels, the classes are the same (they read nothing
 * else), and so are the peers' answers: only the policies that isolate each class may differ. Else computed anew.
 */
export function classesAfter(before: SideClasses, beforeCluster: Cluster, index: ClusterIndex, pods: readonly Pod[]): SideClasses {
  const after = index.cluster
  if (samePods(before.pods, pods) && blocksKey(beforeCluster) === blocksKey(after) && sameNamespaces(beforeCluster, after)) {
    return { pods, family: before.family, ids: before.ids, sides: new ClassSides(index, before.ids, before.sides.peers) }
  }
  const ids = computeIdentities(pods, after.policies, before.family)
  return { pods, family: before.family, ids, sides: new ClassSides(index, ids) }
}

/** Every namespace has the same labels on both sides (the same map, or equal labels name by name). */
export function sameNamespaces(a: Cluster, b: Cluster): boolean {
  if (a.namespaces === b.namespaces) return true
  if (a.namespaces.size !== b.namespaces.size) return false
  for (const [name, ns] of a.namespaces) {
    const other = b.namespaces.get(name)
    if (other === undefined || labelsKey(other.labels) !== labelsKey(ns.labels)) return false
  }
  return true
}

function samePods(a: readonly Pod[], b: readonly Pod[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

const blocksKey = (c: Cluster) => distinctIpBlocks(c.policies).map((b) => b.key).join('\n')
