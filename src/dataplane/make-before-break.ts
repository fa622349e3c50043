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
 * and class's port set; port set, protocol and port). The first transaction, `make`, holds only what no packet
 * can reach yet: new sets, new chains with their rules, and the elements of the mark-keyed sets that no profile
 * number, class and port set in force leads to (those of new profiles, new classes, new port sets; with the
 * deletions that overlap them, as an interval set takes no overlapping element). So, but for such a deletion,
 * it changes no verdict. The
 * second, `switch`, holds the rest: the entries, the changes to what is reachable (a policy that allows more or
 * less: the change itself), changed chains, and the deletions, so that a packet still led by an old entry finds
 * what it led to until the entry is gone.
 *
 * What stays: within `switch`, an interval entry set (the network classes) shows its change a moment after the
 * hash entries, and a reachable change shows a moment after the entries; a change that does both at once can be
 * seen half done for that moment. The property test checks the two transactions with one change at a time.
 */
import type { NftElement, NftSet, NftTable } from './nft-objects.js'
import type { NftOp } from './nft-state.js'

/** A set looked up with a packet's address: an entry of the ruleset (see the top of this file). */
const isEntry = (set: NftSet): boolean => set.key[0] === 'ipv4_addr' || set.key[0] === 'ipv6_addr'

export interface Split {
  readonly make: readonly NftOp[]
  readonly switch: readonly NftOp[]
}

/**
 * Which marks the ruleset in force can compute, so which elements of the mark-keyed sets a packet can reach now:
 * the profile numbers its chains add (`or-mark`), the classes its address-keyed maps give (and 0, the catch-all),
 * and the port and decision sets its mark-to-mark maps give.
 */
interface Reach {
  /** sorted */
  readonly bases: readonly bigint[]
  /** sorted */
  readonly classes: readonly bigint[]
  readonly ids: ReadonlySet<bigint>
}

const sorted = (xs: Iterable<bigint>): bigint[] => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

function reachOf(prev: NftTable): Reach {
  const bases = new Set<bigint>()
  for (const c of prev.chains) for (const r of c.rules) for (const e of r.exprs) if (e.op === 'or-mark') bases.add(BigInt(e.value))
  const classes = new Set<bigint>([0n])
  const ids = new Set<bigint>()
  for (const s of prev.sets) {
    if (s.data !== 'mark') continue
    for (const el of s.elements) (isEntry(s) ? classes : ids).add(BigInt(el.value as number))
  }
  return { bases: sorted(bases), classes: sorted(classes), ids }
}

/** The index of the last of `xs` (sorted) that is ≤ x, or -1. */
function lastAtMost(xs: readonly bigint[], x: bigint): number {
  let lo = 0
  let hi = xs.length - 1
  let out = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (xs[mid]! <= x) {
      out = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  return out
}

/**
 * Whether a packet can reach an element of a mark-keyed set now: a profile|class element (one-part key, one
 * profile per element) when the profile number in force below it plus a class in force falls in its range; a
 * port or decision set element (a mark, then protocol and port) when a map in force gives its set.
 */
function reachable(reach: Reach, set: NftSet, el: NftElement): boolean {
  if (el.key.length === 0) return true
  const r = el.key[0]!
  if (set.key.length > 1) {
    for (let id = r.lo; id <= r.hi && id <= r.lo + 64n; id++) if (reach.ids.has(id)) return true
    return r.hi - r.lo > 64n
  }
  const b = lastAtMost(reach.bases, r.hi)
  if (b < 0) return false
  const base = reach.bases[b]!
  // the classes c with base|c in the range: base + c, as the class bits lie below every profile number
  const c = lastAtMost(reach.classes, r.hi - base)
  return c >= 0 && base + reach.classes[c]! >= r.lo
}

/**
 * Splits the ops of an incremental diff from `prev` (diffTables' order) into make and switch; either may be
 * empty. Make holds only what no packet can reach yet (new sets and chains, elements of new profiles, classes and
 * port sets); a change to what is reachable (a policy that allows more or less) is the change itself, and goes
 * with the entries.
 */
export function makeBeforeBreak(prev: NftTable, ops: readonly NftOp[]): Split {
  const reach = reachOf(prev)
  const make: NftOp[] = []
  const sw: NftOp[] = []
  const newChains = new Set<string>()
  const early = new Map<string, NftElement[]>()
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
      case 'add-elements': {
        if (isEntry(o.set)) {
          sw.push(o)
          break
        }
        const unreached = o.elements.filter((el) => !reachable(reach, o.set, el))
        const reached = o.elements.filter((el) => reachable(reach, o.set, el))
        if (unreached.length > 0) {
          make.push({ ...o, elements: unreached })
          early.set(o.set.name, [...(early.get(o.set.name) ?? []), ...unreached])
        }
        if (reached.length > 0) sw.push({ ...o, elements: reached })
        break
      }
      default:
        // element deletions and set flushes (see below), chain refills and deletions, set deletions
        sw.push(o)
    }
  }
  // a deletion that overlaps an early addition must go first (an interval set takes no overlapping element)
  for (let i = sw.length - 1; i >= 0; i--) {
    const o = sw[i]!
    if (o.op !== 'delete-elements' || isEntry(o.set) || !early.has(o.set.name)) continue
    const overlapping = overlapsAny(o.elements, early.get(o.set.name)!)
    const first = o.elements.filter((_, k) => overlapping[k])
    if (first.length === 0) continue
    const rest = o.elements.filter((_, k) => !overlapping[k])
    if (rest.length > 0) sw[i] = { ...o, elements: rest }
    else sw.splice(i, 1)
    // deletions before additions, as diffTables orders them
    const at = make.findIndex((m) => m.op === 'add-elements' && m.set.name === o.set.name)
    make.splice(at < 0 ? make.length : at, 0, { ...o, elements: first })
  }
  // a flushed set is refilled in the same transaction as its flush
  for (let i = 0; i < sw.length; i++) {
    const o = sw[i]!
    if (o.op !== 'flush-set' || !early.has(o.set.name)) continue
    const moved = make.filter((m) => m.op === 'add-elements' && m.set.name === o.set.name)
    for (const m of moved) make.splice(make.indexOf(m), 1)
    sw.splice(i + 1, 0, ...moved)
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
