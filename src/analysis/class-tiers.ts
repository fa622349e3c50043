import type { Protocol } from '../model/port.js'
import type { Direction } from '../model/policy.js'
import { Bitset } from '../engine/bitset.js'
import type { Identities } from '../engine/identities.js'
import type { PortBits, TierDecisions, TierEnds } from '../engine/tier-decisions.js'

/**
 * What the cluster policy tiers decide on one port for one side of a selector class (the subject), against every
 * class as the other end: the Admin tier's accepted and denied classes, and the Baseline tier's denied classes
 * (a Baseline Accept allows what the default allows). Null parts: no policy of that tier selects the subject.
 */
export interface SideTiers {
  readonly admin: PortBits | null
  readonly baselineDeny: Bitset | null
}

/**
 * The tier chain of one side (tiers.md, steps 3–6), for subject side `t` against class `other`:
 * Admin Accept → allowed; Admin Deny → denied; else a NetworkPolicy that isolates the subject is final (`np`);
 * else a Baseline Deny denies; else allowed.
 */
export function tierSideAllows(t: SideTiers | null, other: number, isolated: boolean, np: () => boolean): boolean {
  if (t === null) return isolated ? np() : true
  if (t.admin !== null) {
    if (t.admin.accept.has(other)) return true
    if (t.admin.deny.has(other)) return false
  }
  if (isolated) return np()
  return t.baselineDeny === null || !t.baselineDeny.has(other)
}

/**
 * The tier sides of one port, per selector class and direction (null where no cluster policy selects the class),
 * and for each class as the other end, which subjects' ingress tiers name it (see `touching`): a pair no tier names
 * has the NetworkPolicy answer, so rows are the NetworkPolicy rows with those pairs decided again.
 */
export class PortTiers {
  readonly ingress: readonly (SideTiers | null)[]
  readonly egress: readonly (SideTiers | null)[]
  private touchedBy: Bitset[] | null = null

  constructor(private readonly ids: Identities, tiers: TierDecisions, ends: TierEnds, port: number, protocol: Protocol) {
    const side = (s: number, d: Direction): SideTiers | null => {
      const admin = tiers.onPort(s, d, 'Admin', port, protocol, ends)
      const base = tiers.onPort(s, d, 'Baseline', port, protocol, ends)
      if (admin === null && base === null) return null
      return { admin, baselineDeny: base === null ? null : base.deny }
    }
    const n = ids.selectorClasses.length
    this.ingress = Array.from({ length: n }, (_, s) => side(s, 'ingress'))
    this.egress = Array.from({ length: n }, (_, s) => side(s, 'egress'))
  }

  /** Does any subject have tier policies for this port? */
  get any(): boolean {
    return this.ingress.some((t) => t !== null) || this.egress.some((t) => t !== null)
  }

  /**
   * Per class as the source: the destination selector classes whose ingress tiers name it (accept, deny or
   * baseline deny). Computed on first use.
   */
  ingressTouching(s: number): Bitset {
    if (this.touchedBy === null) {
      const nSel = this.ids.selectorClasses.length
      const n = this.ids.classes.length
      const out = Array.from({ length: n }, () => new Bitset(nSel))
      this.ingress.forEach((t, d1) => {
        if (t === null) return
        for (const b of named(t)) b.forEach((c) => out[c]!.add(d1))
      })
      this.touchedBy = out
    }
    return this.touchedBy[s]!
  }

  /** The classes the egress tiers of selector class s1 name (null: none). */
  egressTouching(s1: number): Bitset | null {
    const t = this.egress[s1]
    if (t === null || t === undefined) return null
    const u = new Bitset(this.ids.classes.length)
    for (const b of named(t)) u.orWith(b)
    return u
  }
}

function named(t: SideTiers): Bitset[] {
  const out: Bitset[] = []
  if (t.admin !== null) out.push(t.admin.accept, t.admin.deny)
  if (t.baselineDeny !== null) out.push(t.baselineDeny)
  return out
}

/** The classes of Identities as the other ends of tier decisions. */
export function identityEnds(ids: Identities): TierEnds {
  return { size: ids.classes.length, sel: Int32Array.from(ids.selectorOf), addr: Int32Array.from(ids.addressOf) }
}
