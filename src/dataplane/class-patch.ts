/**
 * The merge of step 2 (mergeClasses in address-classes.ts) after a change of a few pods, as a patch of its last
 * result: when the label classes stayed (their `delta` says which pods went and came), the peers' answers stayed
 * and the ids are those of the last result, every class stays, and only the pods' addresses move in and out of the
 * `selN` elements and the `netN` segments. A change that adds or removes a class, or changes the member standing
 * for one, or the namespaces a selector class holds pods of, gives null: the merge is done whole.
 */
import type { AddressClass, AddressClasses, AddressPiece, ClassSegment, DataplanePod, LabelClasses } from './address-classes.js'
import { classSegments, pieceOf } from './address-classes.js'

/** What a whole merge keeps for the next one. */
export interface MergeState {
  readonly lc: LabelClasses
  readonly pieces: readonly AddressPiece[]
  readonly out: AddressClasses
  /** `sel\ndestKey\nsorted signature` → selector class id */
  readonly selExact: ReadonlyMap<string, number>
  /** label class → selector class id (null: no relevant selector peer matches it) */
  readonly selOfLabel: readonly (number | null)[]
  /** the address pieces with their network class ids */
  readonly pieceSegments: readonly ClassSegment[]
  /** `destKey\npiece` → network class id, for pods whose named ports mean something */
  readonly netPairs: ReadonlyMap<string, number>
  /** the pods' addresses with their network class ids, sorted */
  readonly podSegments: readonly { readonly value: bigint; readonly id: number }[]
}

export class MergeMemo {
  last: MergeState | null = null
}

/** The index of the entry holding `value` in a list sorted by it, or where it would go. */
function search<T>(list: readonly T[], value: bigint, of: (x: T) => bigint): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (of(list[mid]!) < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

export function patchMerge(
  last: MergeState,
  lc: LabelClasses,
  pieces: readonly AddressPiece[],
  previous: ReadonlyMap<string, number> | undefined,
  labelSignature: (c: number) => readonly number[],
): MergeState | null {
  if (pieces !== last.pieces || previous !== last.out.ids) return null
  // the same pods (a change of policies that left the peers as they were): the same classes
  if (lc === last.lc) return last
  const delta = lc.delta
  if (delta === undefined || delta.base !== last.lc) return null
  const { out } = last
  // label classes are only added (at the end): a new one must fall into a selector class there is
  const before = last.lc.view.byId
  const selOfLabel = [...last.selOfLabel]
  for (let c = 0; c < lc.view.size; c++) {
    const cls = lc.view.byId[c]!
    if (c < before.length) {
      if (before[c]!.key !== cls.key) return null
      continue
    }
    const sig = labelSignature(c)
    if (sig.length === 0) {
      selOfLabel.push(null)
      continue
    }
    const id = last.selExact.get(`sel\n${cls.destKey}\n${[...sig].sort((a, b) => a - b).join(',')}`)
    if (id === undefined) return null
    selOfLabel.push(id)
  }
  // each selector class stands for its label class of the least key, as a whole merge has it
  const repOf = new Map<number, number>()
  selOfLabel.forEach((s, c) => {
    if (s === null) return
    const r = repOf.get(s)
    if (r === undefined || lc.view.byId[c]!.key < lc.view.byId[r]!.key) repOf.set(s, c)
  })
  let byId = out.byId
  for (const [s, c] of repOf) {
    const { rep, pod } = lc.view.byId[c]!
    if (byId[s]!.rep === rep) continue
    const copy = byId === out.byId ? [...byId] : (byId as (AddressClass | undefined)[])
    copy[s] = { ...byId[s]!, rep, pod }
    byId = copy
  }
  const sel = [...out.selElements]
  const podSegments = [...last.podSegments]
  const ofSel = (e: { ip: bigint }) => e.ip
  const ofSeg = (e: { value: bigint }) => e.value
  const netId = (d: DataplanePod): number | undefined => {
    const j = pieceOf(pieces, d.ip.value)
    const destKey = lc.view.byId[d.labelClass]!.destKey
    return destKey === '-' ? last.pieceSegments[j]!.id : last.netPairs.get(`${destKey}\n${j}`)
  }
  const position = (pod: unknown): number => lc.pods.findIndex((d) => d.pod === pod)
  for (const d of delta.removed) {
    const selId = selOfLabel[d.labelClass]!
    if (selId !== null) {
      const i = search(sel, d.ip.value, ofSel)
      if (sel[i]?.ip !== d.ip.value) return null
      sel.splice(i, 1)
      // the selector class must still hold a pod of the namespace
      const ns = d.pod.namespace
      if (!lc.pods.some((x) => x.pod.namespace === ns && selOfLabel[x.labelClass] === selId)) return null
    }
    const id = netId(d)
    if (id === undefined || byId[id]?.pod === d.pod) return null
    const i = search(podSegments, d.ip.value, ofSeg)
    if (podSegments[i]?.value !== d.ip.value) return null
    podSegments.splice(i, 1)
  }
  for (const d of delta.added) {
    const selId = selOfLabel[d.labelClass]!
    if (selId !== null) {
      if (!(out.byNamespace.get(d.pod.namespace)?.includes(selId) ?? false)) return null
      const i = search(sel, d.ip.value, ofSel)
      if (sel[i]?.ip === d.ip.value) return null
      sel.splice(i, 0, { ip: d.ip.value, id: selId })
    }
    const id = netId(d)
    if (id === undefined) return null
    // a network class of pods with named ports stands for its first pod: a new pod must come after it
    const rep = byId[id]!.pod
    if (rep !== null && position(rep) > position(d.pod)) return null
    const i = search(podSegments, d.ip.value, ofSeg)
    if (podSegments[i]?.value === d.ip.value) return null
    podSegments.splice(i, 0, { value: d.ip.value, id })
  }
  const netSegments = classSegments(last.pieceSegments, podSegments, true)
  return { ...last, lc, selOfLabel, out: { ...out, byId, selElements: sel, netSegments }, podSegments }
}
