/**
 * What one compile keeps for the next, so that a small change to the cluster costs little (see
 * IncrementalCompiler). Every part is checked against what it was computed from before it is used; a compile with
 * a memo gives exactly what the same compile without one gives (a property test holds the two together).
 *
 * - per family: the label classes (again only when a pod object changed; a pod's key computed once), the peers'
 *   answers per label class (asked only for label classes not seen yet), each profile's `allowN` elements (kept
 *   while the classes and the profile's policies stay the same);
 * - per map: its elements from the last compile, so that an unchanged element is the same object (the nft diff
 *   renders each element object once).
 */
import type { Family } from '../model/ip.js'
import { LabelClassMemo } from './label-classes.js'
import type { NftElement, Verdict } from './nft-objects.js'
import { AllowMemo, SignatureMemo } from './profile-allows.js'

export interface FamilyMemo {
  readonly labels: LabelClassMemo
  readonly signatures: SignatureMemo
  readonly allows: AllowMemo
  readonly sel: ElementPool
  readonly net: ElementPool
  readonly pass: ElementPool
}

export class CompileMemo {
  private readonly families = new Map<Family, FamilyMemo>()

  family(f: Family): FamilyMemo {
    let m = this.families.get(f)
    if (m === undefined) {
      m = { labels: new LabelClassMemo(), signatures: new SignatureMemo(), allows: new AllowMemo(), sel: new ElementPool(), net: new ElementPool(), pass: new ElementPool() }
      this.families.set(f, m)
    }
    return m
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

const sameVerdict = (a: number | Verdict | undefined, b: number | Verdict | undefined): boolean =>
  a === b || (typeof a === 'object' && typeof b === 'object' && a.kind === b.kind && ('chain' in a ? a.chain : '') === ('chain' in b ? b.chain : ''))

function sameElement(a: NftElement, b: NftElement): boolean {
  if (a.key.length !== b.key.length || !sameVerdict(a.value, b.value)) return false
  for (let i = 0; i < a.key.length; i++) if (a.key[i]!.lo !== b.key[i]!.lo || a.key[i]!.hi !== b.key[i]!.hi) return false
  return true
}
