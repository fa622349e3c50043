/**
 * The policies that differ between two sides, found without a look at the others: a what-if keeps every policy it
 * does not touch as the very same object, so on the 10,000-policy cluster one edit is one policy to look at, not
 * 20,000 refs to format and 10,000 statuses to sort. Policies are unique by `namespace/name` on each side (the
 * model keeps the last of duplicates), so a policy present on both sides as one object is unchanged, and the
 * others are matched by ref among themselves only. Kept per pair of lists: the diff and the graph of one what-if
 * ask for it several times.
 */
import { formatRef, type NetworkPolicy } from '../model/policy.js'
import { policyFingerprint } from './diff.js'
import type { PolicyStatus } from './explain-flip.js'

export interface PolicyChangeOf {
  readonly status: Exclude<PolicyStatus, 'unchanged'>
  readonly before?: NetworkPolicy
  readonly after?: NetworkPolicy
}

/**
 * The policies added, removed or changed (policyStatuses without the unchanged ones: the same statuses, sorted by
 * `namespace/name`), each with its objects before and after.
 */
export function changedPolicies(before: readonly NetworkPolicy[], after: readonly NetworkPolicy[]): ReadonlyMap<string, PolicyChangeOf> {
  let byAfter = memo.get(before)
  if (byAfter === undefined) memo.set(before, (byAfter = new WeakMap()))
  let out = byAfter.get(after)
  if (out === undefined) byAfter.set(after, (out = compute(before, after)))
  return out
}
const memo = new WeakMap<readonly NetworkPolicy[], WeakMap<readonly NetworkPolicy[], ReadonlyMap<string, PolicyChangeOf>>>()

function compute(before: readonly NetworkPolicy[], after: readonly NetworkPolicy[]): ReadonlyMap<string, PolicyChangeOf> {
  const was = new Set(before)
  const is = new Set(after)
  const gone = new Map(before.filter((p) => !is.has(p)).map((p) => [formatRef(p), p]))
  const out = new Map<string, PolicyChangeOf>()
  for (const p of after) {
    if (was.has(p)) continue
    const key = formatRef(p)
    const old = gone.get(key)
    gone.delete(key)
    if (old === undefined) out.set(key, { status: 'added', after: p })
    else if (policyFingerprint(old) !== policyFingerprint(p)) out.set(key, { status: 'changed', before: old, after: p })
  }
  for (const [key, p] of gone) out.set(key, { status: 'removed', before: p })
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/** The statuses of `changedPolicies` (a policy missing from it is unchanged). */
export function changedStatuses(before: readonly NetworkPolicy[], after: readonly NetworkPolicy[]): ReadonlyMap<string, PolicyStatus> {
  let byAfter = statusMemo.get(before)
  if (byAfter === undefined) statusMemo.set(before, (byAfter = new WeakMap()))
  let out = byAfter.get(after)
  if (out === undefined) byAfter.set(after, (out = new Map([...changedPolicies(before, after)].map(([key, c]) => [key, c.status]))))
  return out
}
const statusMemo = new WeakMap<readonly NetworkPolicy[], WeakMap<readonly NetworkPolicy[], ReadonlyMap<string, PolicyStatus>>>()

/**
 * No changed policy names an ipBlock on either side: then both lists name the same ipBlocks (as a set), which is
 * known without reading the 10,000 others.
 */
export function changesNameNoIpBlock(before: readonly NetworkPolicy[], after: readonly NetworkPolicy[]): boolean {
  for (const c of changedPolicies(before, after).values()) if ((c.before && namesIpBlock(c.before)) || (c.after && namesIpBlock(c.after))) return false
  return true
}

const namesIpBlock = (p: NetworkPolicy) => [p.ingress, p.egress].some((rules) => (rules ?? []).some((r) => r.peers !== 'any' && r.peers.some((x) => x.kind === 'ipBlock')))
