/**
 * What one compile keeps for the next, so that a small change to the cluster costs little (see
 * IncrementalCompiler). Every part is checked against what it was computed from before it is used; a compile with
 * a memo gives exactly what the same compile without one gives (a property test holds the two together).
 *
 * - the engine's index: the policies by namespace, while the policies are the same objects;
 * - per family: the label classes (patched for a few changed pods, see label-classes.ts), the peers' answers per
 *   label class (asked only for label classes not seen yet) and the merge into selector and network classes
 *   (patched, see class-patch.ts), the managed pods and the policies isolating each label class, each profile's
 *   `allowN` elements (kept while the classes and the profile's policies stay the same);
 * - per map: its elements from the last compile, so that an unchanged element is the same object (the nft diff
 *   renders each element object once).
 */
import type { Cluster, Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import type { Direction, NetworkPolicy } from '../model/policy.js'
import { indexCluster, type ClusterIndex } from '../engine/cluster-index.js'
import { isolatingPolicies } from '../engine/select.js'
import type { DataplanePod, LabelClasses } from './address-classes.js'
import { LabelClassMemo } from './label-classes.js'
import type { NftElement, Verdict } from './nft-objects.js'
import { AllowMemo } from './profile-allows.js'
import { SignatureMemo } from './classify.js'

export interface FamilyMemo {
  readonly labels: LabelClassMemo
  readonly signatures: SignatureMemo
  readonly allows: AllowMemo
  readonly sel: SortedPool
  readonly net: SortedPool
  readonly pass: ElementPool
  readonly managed: ManagedMemo
}

export class CompileMemo {
  private readonly families = new Map<Family, FamilyMemo>()
  private lastIndex: { readonly policies: readonly NetworkPolicy[]; readonly byNamespace: ClusterIndex['policiesByNamespace'] } | null = null

  /** The engine's index of `cluster`: the policies by namespace kept while the policies are the same objects. */
  index(cluster: Cluster): ClusterIndex {
    const last = this.lastIndex
    const index =
      last !== null && last.policies.length === cluster.policies.length && cluster.policies.every((p, i) => p === last.policies[i])
        ? { ...indexCluster({ ...cluster, policies: [] }), cluster, policiesByNamespace: last.byNamespace }
        : indexCluster(cluster)
    this.lastIndex = { policies: cluster.policies, byNamespace: index.policiesByNamespace }
    return index
  }

  family(f: Family): FamilyMemo {
    let m = this.families.get(f)
    if (m === undefined) {
      m = { labels: new LabelClassMemo(), signatures: new SignatureMemo(), allows: new AllowMemo(), sel: new SortedPool(), net: new SortedPool(), pass: new ElementPool(), managed: new ManagedMemo() }
      this.families.set(f, m)
    }
    return m
  }
}

/**
 * The managed pods among the label classes' pods, and the policies isolating each label class (by its key, while
 * the policies of its namespace are the same objects).
 */
const FORGET_ABOVE = 20_000

export class ManagedMemo {
  private last: { readonly pods: readonly DataplanePod[]; readonly managed: (pod: Pod) => boolean; readonly list: readonly DataplanePod[] } | null = null
  private readonly isolating = new Map<string, { readonly among: readonly NetworkPolicy[]; readonly out: readonly NetworkPolicy[] }>()

  /** The pods of `lc` that `managed` picks, in their order. */
  pick(lc: LabelClasses, managed: (pod: Pod) => boolean): readonly DataplanePod[] {
    const last = this.last
    let list: readonly DataplanePod[]
    if (last !== null && last.managed === managed && last.pods === lc.pods) list = last.list
    else if (last !== null && last.managed === managed && lc.delta !== undefined && lc.delta.base.pods === last.pods) {
      const gone = new Set(lc.delta.removed)
      const fresh = lc.delta.added.filter((d) => managed(d.pod))
      list = last.list.filter((d) => !gone.has(d))
      if (fresh.length > 0) {
        const picked = new Set([...list, ...fresh])
        list = lc.pods.filter((d) => picked.has(d))
      }
    } else list = lc.pods.filter((d) => managed(d.pod))
    this.last = { pods: lc.pods, managed, list }
    return list
  }

  /** isolatingPolicies of a member of label class `key` */
  policies(index: ClusterIndex, rep: Pod, key: string, direction: Direction): readonly NetworkPolicy[] {
    const among = index.policiesByNamespace.get(rep.namespace) ?? []
    const k = `${direction}\n${key}`
    const known = this.isolating.get(k)
    if (known !== undefined && known.among.length === among.length && known.among.every((p, i) => p === among[i])) return known.out
    const out = isolatingPolicies(index, rep, direction)
    // label classes come and go (a rollout's pods carry a new template hash): forget them now and then
    if (this.isolating.size >= FORGET_ABOVE) this.isolating.clear()
    this.isolating.set(k, { among, out })
    return out
  }
}

/**
 * The elements of one set in the last compile, by their first key's low end (or a text for concatenations): an
 * element equal to the one there is returned as that object. Each compile hands its elements on to the next.
 */
export class ElementPool {
  private last = new Map<bigint | string, NftElement>()
  private next = new Map<bigint | string, NftElement>()

  /** Call once per compile, before the first `take`. */
  turn(): void {
    this.last = this.next
    this.next = new Map()
  }

  take(id: bigint | string, el: NftElement): NftElement {
    const before = this.last.get(id)
    const out = before !== undefined && sameElement(before, el) ? before : el
    this.next.set(id, out)
    return out
  }
}

/**
 * The same for a set whose elements come in the order of their first key's low end (`selN`, `netN`): found by
 * walking the last compile's elements alongside, without a look-up.
 */
export class SortedPool {
  private last: readonly NftElement[] = []
  private next: NftElement[] = []
  private at = 0

  turn(): void {
    this.last = this.next
    this.next = []
    this.at = 0
  }

  take(lo: bigint, el: NftElement): NftElement {
    const last = this.last
    while (this.at < last.length && last[this.at]!.key[0]!.lo < lo) this.at++
    const before = last[this.at]
    const out = before !== undefined && before.key[0]!.lo === lo && sameElement(before, el) ? before : el
    this.next.push(out)
    return out
  }
}

const sameVerdict = (a: number | Verdict | undefined, b: number | Verdict | undefined): boolean =>
  a === b || (typeof a === 'object' && typeof b === 'object' && a.kind === b.kind && ('chain' in a ? a.chain : '') === ('chain' in b ? b.chain : ''))

function sameElement(a: NftElement, b: NftElement): boolean {
  if (a.key.length !== b.key.length || !sameVerdict(a.value, b.value)) return false
  for (let i = 0; i < a.key.length; i++) if (a.key[i]!.lo !== b.key[i]!.lo || a.key[i]!.hi !== b.key[i]!.hi) return false
  return true
}
