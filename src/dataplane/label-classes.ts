/**
 * Step 1 of the address classes (address-classes.ts): the pods of one family grouped by what selectors can see of
 * them, their namespace, labels and named ports (the engine's identities without ipBlocks: those are handled on
 * the address line, step 2), numbered in the order their first members come. Pure.
 *
 * With a memo (the incremental compiler), a pod's key is computed once, and a change of a few pods is a patch of
 * the last result (see patch): the pods compared by identity in one walk (model objects are never changed in
 * place), the result saying which pods went and came (`delta`, for the merge of step 2).
 */
import type { Pod } from '../model/cluster.js'
import type { Family, IpAddress } from '../model/ip.js'
import { labelsKey } from '../model/labels.js'
import { namedPortsKey } from '../engine/identities.js'
import { destKeyOf, podName, type AddressClass, type AddressNote, type DataplanePod, type LabelClasses } from './address-classes.js'

/** What a build of the label classes keeps for the next one. */
interface LabelState {
  readonly pods: readonly Pod[]
  readonly out: LabelClasses
  readonly notes: readonly AddressNote[]
  readonly byKey: ReadonlyMap<string, number>
  /** members per class */
  readonly counts: number[]
}

export class LabelClassMemo {
  readonly keys = new WeakMap<Pod, string>()
  last: LabelState | null = null
}

/** What selectors and named ports read of a pod: its namespace (and so the namespace's labels), labels and named ports. */
const selectorKey = (pod: Pod): string => `${pod.namespace}\n${labelsKey(pod.labels)}\n${namedPortsKey(pod)}`

/**
 * hostNetwork pods use the node's address, so the dataplane cannot tell them from the node: their address counts
 * as one outside the pods. When two pods claim one address, the first (by namespace, name) keeps it.
 */
export function labelClasses(pods: readonly Pod[], family: Family, notes: AddressNote[], memo?: LabelClassMemo): LabelClasses {
  const last = memo?.last ?? null
  if (last !== null && memo !== undefined) {
    const patched = last.pods === pods || (last.pods.length === pods.length && pods.every((p, i) => p === last.pods[i])) ? last : patch(last, pods, memo)
    if (patched !== null) {
      memo.last = patched
      notes.push(...patched.notes)
      return patched.out
    }
  }
  const state = build(pods, family, memo)
  if (memo !== undefined) memo.last = state
  notes.push(...state.notes)
  return state.out
}

const keyOf = (pod: Pod, memo: LabelClassMemo | undefined): string => {
  let key = memo?.keys.get(pod)
  if (key === undefined) {
    key = selectorKey(pod)
    memo?.keys.set(pod, key)
  }
  return key
}

function build(pods: readonly Pod[], family: Family, memo: LabelClassMemo | undefined): LabelState {
  const notes: AddressNote[] = []
  const owners = new Map<bigint, Pod>()
  const byKey = new Map<string, number>()
  const byId: AddressClass[] = []
  const byNamespace = new Map<string, number[]>()
  const dp: DataplanePod[] = []
  const counts: number[] = []
  pods.forEach((pod) => {
    if (pod.hostNetwork) {
      if (family === 4) notes.push({ code: 'host-network-not-filtered', pod: podName(pod) })
      return
    }
    const ip = pod.ips.find((a) => a.family === family)
    if (ip === undefined) return
    const first = owners.get(ip.value)
    if (first !== undefined) {
      notes.push({ code: 'address-shared', ip: ip.text, pods: [podName(first), podName(pod)] })
      return
    }
    owners.set(ip.value, pod)
    const key = keyOf(pod, memo)
    const id = byKey.get(key) ?? addLabelClass({ byKey, byId, byNamespace, counts }, key, pod, ip)
    counts[id]!++
    dp.push({ pod, ip, labelClass: id })
  })
  return { pods, out: { family, view: { size: byId.length, byId, byNamespace }, pods: dp, owners }, notes, byKey, counts }
}

/** A new label class of `pod` (its first member) under the next id, in the tables that find classes. */
function addLabelClass(t: { byKey: Map<string, number>; byId: AddressClass[]; byNamespace: Map<string, number[]>; counts: number[] }, key: string, pod: Pod, ip: IpAddress): number {
  const id = t.byId.length
  t.byKey.set(key, id)
  t.byId.push({ id, dim: 'sel', key, rep: { kind: 'pod', pod, ip }, pod, destKey: destKeyOf(pod) })
  t.counts.push(0)
  const list = t.byNamespace.get(pod.namespace)
  if (list === undefined) t.byNamespace.set(pod.namespace, [id])
  else list.push(id)
  return id
}

/** Changes of more pods than this are built anew. */
const PATCH_LIMIT = 64

/**
 * `last` with the pods that are not in `pods` removed and those that are new added, when no class loses its last
 * member, no pod shares an address and no hostNetwork pod is among the changed ones; null otherwise. A new class
 * takes the next id, and a class whose first member went is represented by another member: the ids and members
 * differ from a build anew, what they stand for does not (nothing downstream reads more of a class than its key).
 * The pods keep their relative order (both inputs keep the order of their objects); a walk that finds otherwise
 * gives up.
 */
function patch(last: LabelState, pods: readonly Pod[], memo: LabelClassMemo): LabelState | null {
  if (Math.abs(pods.length - last.pods.length) > PATCH_LIMIT || last.notes.some((n) => n.code === 'address-shared')) return null
  const family = last.out.family
  const old = last.pods
  const oldDp = last.out.pods
  let byId = last.out.view.byId as AddressClass[]
  let byNamespace = last.out.view.byNamespace as Map<string, number[]>
  const byKey = last.byKey as Map<string, number>
  const counts = [...last.counts]
  const owners = last.out.owners as Map<bigint, Pod>
  const removed: DataplanePod[] = []
  const added: DataplanePod[] = []
  const dp: DataplanePod[] = []
  let copied = false
  const copy = () => {
    if (copied) return
    copied = true
    byId = [...byId]
    byNamespace = new Map([...byNamespace].map(([ns, ids]) => [ns, [...ids]]))
  }
  // the pods of `old` are a subsequence of `pods` plus the removed ones; `k` follows `j` through the old dataplane pods
  let j = 0
  let k = 0
  const skipOld = (): boolean => {
    const pod = old[j++]!
    if (k < oldDp.length && oldDp[k]!.pod === pod) {
      const d = oldDp[k++]!
      if (--counts[d.labelClass]! === 0) return false
      removed.push(d)
    } else if (pod.hostNetwork) return false
    return removed.length + added.length <= PATCH_LIMIT
  }
  for (let i = 0; i < pods.length; i++) {
    const pod = pods[i]!
    if (j < old.length && old[j] === pod) {
      if (k < oldDp.length && oldDp[k]!.pod === pod) dp.push(oldDp[k++]!)
      j++
      continue
    }
    // a pod of `old` further on, or a new one: which, a later match tells; new ones are few
    if (isNew(pod, old, j)) {
      if (pod.hostNetwork) return null
      const ip = pod.ips.find((a) => a.family === family)
      if (ip !== undefined) {
        const key = keyOf(pod, memo)
        let id = byKey.get(key)
        if (id === undefined) {
          copy()
          id = addLabelClass({ byKey, byId, byNamespace, counts }, key, pod, ip)
        }
        const d = { pod, ip, labelClass: id }
        counts[id]!++
        added.push(d)
        dp.push(d)
      }
      if (added.length + removed.length > PATCH_LIMIT) return null
      continue
    }
    // old[j] is gone
    if (!skipOld()) return null
    i--
  }
  while (j < old.length) if (!skipOld()) return null
  // an address is held by one pod at a time (a relabelled pod's new object takes its old one's): else built anew
  for (const d of removed) owners.delete(d.ip.value)
  for (const d of added) {
    if (owners.has(d.ip.value)) return null
    owners.set(d.ip.value, d.pod)
  }
  // a class whose representative went is represented by a member that stays
  for (const d of removed) {
    const c = byId[d.labelClass]!
    if (c.pod !== d.pod) continue
    const next = dp.find((x) => x.labelClass === d.labelClass)!
    copy()
    byId[d.labelClass] = { ...c, rep: { kind: 'pod', pod: next.pod, ip: next.ip }, pod: next.pod }
  }
  const view = copied ? { size: byId.length, byId, byNamespace } : last.out.view
  const out: LabelClasses = { family, view, pods: dp, owners, delta: { base: last.out, removed, added } }
  return { pods, out, notes: last.notes, byKey, counts }
}
/** Whether `pod` is not among old[from..] (looked for only in a short stretch: beyond it, taken as new). */
function isNew(pod: Pod, old: readonly Pod[], from: number): boolean {
  for (let j = from; j < Math.min(old.length, from + PATCH_LIMIT + 1); j++) if (old[j] === pod) return false
  return true
}
