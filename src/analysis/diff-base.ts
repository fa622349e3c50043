/**
 * What a diff reads of one side, kept so that several diffs against one cluster (a server's what-ifs, each
 * against the cluster it serves) compute it once: the index, the pods' classes, and each class's sides per port
 * as they are asked for. The side after a change shares them where nothing they read changed.
 */
import type { Cluster, Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import type { Direction } from '../model/policy.js'
import { indexCluster, type ClusterIndex } from '../engine/cluster-index.js'
import { clusterClassesKey, computeIdentities, distinctIpBlocks, type Identities } from '../engine/identities.js'
import { ClassSides } from './reachability.js'
import { directionChanges, sameNamespaces, selectsEither } from './diff-touched.js'
import { changesNameNoIpBlock } from './policy-changes.js'

export interface SideClasses {
  readonly pods: readonly Pod[]
  readonly family: Family
  readonly ids: Identities
  readonly sides: ClassSides
}

export class DiffBase {
  readonly index: ClusterIndex
  private last: SideClasses | null = null
  private readonly afters = new WeakMap<Cluster, { before: SideClasses; out: SideClasses }>()

  constructor(readonly cluster: Cluster, index?: ClusterIndex) {
    this.index = index ?? indexCluster(cluster)
  }

  /** The classes of `pods` (this cluster's pods a diff compares) and their sides; the last answer is kept. */
  classes(pods: readonly Pod[], family: Family): SideClasses {
    const last = this.last
    if (last !== null && last.family === family && samePods(last.pods, pods)) return last
    const ids = computeIdentities(pods, this.cluster.policies, family, this.cluster)
    this.last = { pods, family, ids, sides: new ClassSides(this.index, ids) }
    return this.last
  }

  /**
   * The classes of the side after a change (`index` is `after`'s), given those before (from `classes`), kept per `after` so that the diff and the
   * graph of one what-if share them. When both sides compare the very same pod objects, name the same ipBlocks
   * and give every namespace the same labels, the classes are the same (they read nothing else), and so are the
   * peers' answers; a class no changed policy selects for a direction keeps its side of that direction too.
   * Else computed anew.
   */
  after(before: SideClasses, after: Cluster, index: ClusterIndex, pods: readonly Pod[]): SideClasses {
    const family = before.family
    const kept = this.afters.get(after)
    if (kept !== undefined && kept.before === before && samePods(kept.out.pods, pods)) return kept.out
    let out: SideClasses
    if (samePods(before.pods, pods) && (changesNameNoIpBlock(this.cluster.policies, after.policies) || blocksKey(this.cluster) === blocksKey(after)) && clusterClassesKey(this.cluster) === clusterClassesKey(after) && sameNamespaces(this.cluster, after)) {
      const changes = directionChanges(this.cluster.policies, after.policies)
      const same = { ingress: new Int8Array(before.ids.selectorClasses.length), egress: new Int8Array(before.ids.selectorClasses.length) }
      const reuse = {
        from: before.sides,
        sameTiers: sameClusterPolicies(this.cluster, after),
        // 1: the same side, -1: touched, 0: not yet known
        same: (c: number, dir: Direction) => {
          if (same[dir][c] === 0) {
            const pod = before.ids.selectorClasses[c]!.rep.pod
            same[dir][c] = selectsEither(changes[dir], pod, pod) ? -1 : 1
          }
          return same[dir][c] === 1
        },
      }
      out = { pods, family, ids: before.ids, sides: new ClassSides(index, before.ids, before.sides.peers, reuse) }
    } else {
      const ids = computeIdentities(pods, after.policies, family, after)
      out = { pods, family, ids, sides: new ClassSides(index, ids) }
    }
    this.afters.set(after, { before, out })
    return out
  }
}

function samePods(a: readonly Pod[], b: readonly Pod[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** The ipBlocks the policies name, as a set: a what-if keeps its policies sorted by name, the cluster read them in file order. */
function blocksKey(c: Cluster): string {
  let k = blockKeys.get(c)
  if (k === undefined) blockKeys.set(c, (k = distinctIpBlocks(c.policies).map((b) => b.key).sort().join('\n')))
  return k
}
const blockKeys = new WeakMap<Cluster, string>()

/** The same cluster policies (the very same objects, in the same order) and the same Nodes. */
function sameClusterPolicies(a: Cluster, b: Cluster): boolean {
  const same = <T>(x: readonly T[], y: readonly T[]) => x.length === y.length && x.every((v, i) => v === y[i])
  return same(a.clusterPolicies, b.clusterPolicies) && same(a.nodes, b.nodes)
}
