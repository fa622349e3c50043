/**
 * Which pods a change between two clusters can touch. A connection's verdict is its source's egress side and
 * its destination's ingress side (evaluateFlow), and each side reads only the policies that select its pod and
 * the facts of the two ends. So a connection can flip only when
 * - its source's egress can: a changed policy selects the source (before or after) with Egress in its
 *   policyTypes and its pod selector or egress rules differ, or
 * - its destination's ingress can: likewise with Ingress and the ingress rules, or
 * - an end's facts differ between the sides: what selectors, named ports and ipBlocks read of it (its labels,
 *   its namespace's labels, its named ports, its address, whether it is hostNetwork) or whether it stands for
 *   several replicas.
 * A change that adds or removes a policy counts for each direction it has. Cluster policies likewise: a changed
 * cluster policy's rules decide only the sides of its subjects (before or after), so its subjects' rows (egress)
 * and columns (ingress) are compared; its peers are the other ends of those rows and columns, compared with them.
 */
import { standsForSeveral, type Cluster, type Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import { labelsKey } from '../model/labels.js'
import type { Direction, NetworkPolicy } from '../model/policy.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import { podEndpoint } from '../engine/endpoint.js'
import { namedPortsKey } from '../engine/identities.js'
import { policySelects } from '../engine/select.js'
import { policyFingerprint, type JointClasses } from './diff.js'
import { clusterDirectionChanges, subjectOfEither } from './diff-tiers.js'
import { changedPolicies } from './policy-changes.js'

export interface Touched {
  /** per joint class: a member's egress verdicts (as a source) may differ between the sides */
  readonly rows: Uint8Array
  /** per joint class: a member's ingress verdicts (as a destination) may differ between the sides */
  readonly columns: Uint8Array
  /** per joint class: a member's facts differ, so its verdicts may differ on the other end's side too */
  readonly moved: Uint8Array
}

export interface TouchedInput {
  readonly oldIndex: ClusterIndex
  readonly newIndex: ClusterIndex
  readonly oldPods: readonly Pod[]
  readonly newPods: readonly Pod[]
  readonly joint: JointClasses
  readonly family: Family
}

export function touchedClasses(x: TouchedInput): Touched {
  const { oldPods, newPods, joint } = x
  const n = joint.members.length
  const rows = new Uint8Array(n)
  const columns = new Uint8Array(n)
  const moved = new Uint8Array(n)
  const facts = (index: ClusterIndex, pod: Pod) => {
    const ip = podEndpoint(pod, x.family).ip
    return `${labelsKey(index.namespaceLabels(pod.namespace))}\n${labelsKey(pod.labels)}\n${namedPortsKey(pod)}\n${ip === null ? '-' : ip.text}\n${standsForSeveral(pod)}\n${pod.hostNetwork}`
  }
  // one pod object on both sides, in namespaces of the same labels, has the same facts without a look
  const namespacesSame = sameNamespaces(x.oldIndex.cluster, x.newIndex.cluster)
  for (let i = 0; i < oldPods.length; i++) {
    if (namespacesSame && oldPods[i] === newPods[i]) continue
    if (facts(x.oldIndex, oldPods[i]!) !== facts(x.newIndex, newPods[i]!)) moved[joint.of[i]!] = 1
  }
  const changes = directionChanges(x.oldIndex.cluster.policies, x.newIndex.cluster.policies)
  const tierChanges = clusterDirectionChanges(x.oldIndex.cluster, x.newIndex.cluster)
  // members of a joint class have one selector class on each side, so the first answers for all
  for (let c = 0; c < n; c++) {
    if (moved[c] === 1) {
      rows[c] = columns[c] = 1
      continue
    }
    const first = joint.members[c]![0]!
    const was = oldPods[first]!
    const now = newPods[first]!
    const touches = (list: readonly Change[]) => selectsEither(list, was, now)
    if (touches(changes.egress) || subjectOfEither(tierChanges.egress, x.oldIndex, x.newIndex, was, now)) rows[c] = 1
    if (touches(changes.ingress) || subjectOfEither(tierChanges.ingress, x.oldIndex, x.newIndex, was, now)) columns[c] = 1
  }
  return { rows, columns, moved }
}

/** A policy as it was and is, for one direction: undefined where it is absent or lacks that direction. */
export interface Change {
  readonly before?: NetworkPolicy
  readonly after?: NetworkPolicy
}

/** Per direction, the policies whose side of that direction differs: pod selector or that direction's rules (once per pair of lists). */
export function directionChanges(before: readonly NetworkPolicy[], after: readonly NetworkPolicy[]): Record<Direction, Change[]> {
  let byAfter = directionMemo.get(before)
  if (byAfter === undefined) directionMemo.set(before, (byAfter = new WeakMap()))
  let out = byAfter.get(after)
  if (out !== undefined) return out
  out = { ingress: [], egress: [] }
  for (const { before: p, after: q } of changedPolicies(before, after).values()) {
    for (const dir of ['ingress', 'egress'] as const) {
      const was = p?.[dir] === null ? undefined : p
      const is = q?.[dir] === null ? undefined : q
      if (was === undefined && is === undefined) continue
      if (was !== undefined && is !== undefined && sideKey(was, dir) === sideKey(is, dir)) continue
      out[dir].push({ ...(was ? { before: was } : {}), ...(is ? { after: is } : {}) })
    }
  }
  byAfter.set(after, out)
  return out
}
const directionMemo = new WeakMap<readonly NetworkPolicy[], WeakMap<readonly NetworkPolicy[], Record<Direction, Change[]>>>()

/** What decides one direction of a policy: its pod selector and that direction's rules (policyFingerprint of that half). */
function sideKey(p: NetworkPolicy, dir: Direction): string {
  return policyFingerprint(dir === 'ingress' ? { ...p, egress: null } : { ...p, ingress: null })
}

/** Some change of `list` selects the pod: its policy before selects it as it was, or after as it is. */
export function selectsEither(list: readonly Change[], was: Pod, now: Pod): boolean {
  return list.some((ch) => (ch.before !== undefined && policySelects(ch.before, was)) || (ch.after !== undefined && policySelects(ch.after, now)))
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
