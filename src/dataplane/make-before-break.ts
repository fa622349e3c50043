/**
 * Make before break: an incremental change split into what must be in the kernel before a packet can be led to
 * it, and the change that leads packets there. Pure; used by table-generations.ts.
 *
 * Within one transaction the kernel does not show everything at the same moment. A hash set or map (the verdict
 * maps `egN`/`inN` that send a pod's packets to its profile chain, `selN`, the guard's address sets) shows its new
 * elements from the commit on; a set that keeps a lookup copy (the concatenated interval set `ports`; interval
 * maps such as `allowN`, which kernels ≥ 6.18 look up in an array rebuilt at commit) shows them only once the
 * kernel has gone through the whole batch. So when a change adds a pod's verdict-map entry, or moves an address to
 * a new class, together with the profile chain, the `allowN` elements and the port sets it leads to, a new
 * connection can for a moment find the entry and miss the rest: an allowed connection dropped.
 *
 * The split follows what a packet looks up. Sets keyed by an address are the entries (the packet's addresses
 * select them: dispatch, classes, guard, passes); sets keyed by the mark are what the entries lead to (a profile
 * and class's port set, port set, protocol and port). The first transaction, `make`, adds new sets and chains
 * with their rules and the additions to the mark-keyed sets (with the deletions that overlap them: an interval
 * set takes no overlapping element, so a run that is cut or joined goes out in the same transaction as its
 * successors, which the kernel shows together). The second, `switch`, changes the entries, refills changed
 * chains, and only then deletes what nothing leads to any more (the rest of the mark-keyed deletions, chains and
 * sets), so that a packet still led by an old entry finds what it led to.
 */
import type { NftElement, NftSet } from './nft-objects.js'
import type { NftOp } from './nft-state.js'

/** A set looked up with a packet's address: an entry of the ruleset (see the top of this file). */
const isEntry = (set: NftSet): boolean => set.key[0] === 'ipv4_addr' || set.key[0] === 'ipv6_addr'

export interface Split {
  readonly make: readonly NftOp[]
  readonly switch: readonly NftOp[]
}

/** Splits the ops of an incremental diff (diffTables' order) into make and switch; either may be empty. */
export function makeBeforeBreak(ops: readonly NftOp[]): Split {
  const make: NftOp[] = []
  const sw: NftOp[] = []
  const newChains = new Set<string>()
  const added = new Map<string, NftElement[]>()
  for (const o of ops) if (o.op === 'add-elements' && !isEntry(o.set)) added.set(o.set.name, [...(added.get(o.set.name) ?? []), ...o.elements])
  for (const o of ops) {
    switch (o.op) {
      case 'add-set':
        make.push(o)
        break
      case 'add-chain':
        newChains.add(o.chain.name)
        make.push(o)
        break
      case 'add-rule':
        ;(newChains.has(o.chain) ? make : sw).push(o)
        break
      // a flushed interval set is refilled in the same transaction (diffTables): both stay together
      case 'flush-set':
      case 'add-elements':
        ;(isEntry(o.set) ? sw : make).push(o)
        break
      case 'delete-elements': {
        if (isEntry(o.set)) {
          sw.push(o)
          break
        }
        const overlapping = overlapsAny(o.elements, added.get(o.set.name) ?? [])
        const early = o.elements.filter((_, i) => overlapping[i])
        const late = o.elements.filter((_, i) => !overlapping[i])
        if (early.length > 0) make.push({ ...o, elements: early })
        if (late.length > 0) sw.push({ ...o, elements: late })
        break
      }
      default:
        // chain refills and deletions, set deletions
        sw.push(o)
    }
  }
  return { make, switch: sw }
}

/** For each of `dels`, whether it meets one of `adds` in every key part: a sweep over the first part. */
function overlapsAny(dels: readonly NftElement[], adds: readonly NftElement[]): boolean[] {
  const catchAll = adds.some((a) => a.key.length === 0)
  const sorted = adds.filter((a) => a.key.length > 0).sort((a, b) => (a.key[0]!.lo < b.key[0]!.lo ? -1 : a.key[0]!.lo > b.key[0]!.lo ? 1 : 0))
  // maxHi[i]: the largest first-part end among sorted[0..i]
  const maxHi: bigint[] = []
  for (const a of sorted) maxHi.push(maxHi.length === 0 || a.key[0]!.hi > maxHi[maxHi.length - 1]! ? a.key[0]!.hi : maxHi[maxHi.length - 1]!)
  return dels.map((d) => {
    if (d.key.length === 0) return catchAll
    // the last add whose first part starts at or before d's end
    let lo = 0
    let hi = sorted.length - 1
    let last = -1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (sorted[mid]!.key[0]!.lo <= d.key[0]!.hi) {
        last = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    for (let i = last; i >= 0 && maxHi[i]! >= d.key[0]!.lo; i--) {
      const a = sorted[i]!
      if (a.key.every((r, k) => r.lo <= d.key[k]!.hi && d.key[k]!.lo <= r.hi)) return true
    }
    return false
  })
}
