import type { Protocol } from '../model/port.js'
import type { Direction } from '../model/policy.js'
import { Bitset } from '../engine/bitset.js'
import type { Identities } from '../engine/identities.js'
import { transposeRows } from '../engine/bit-matrix.js'
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
 * and the ingress ones turned around: per class as the source, the destination selector classes whose Admin tier
 * accepts it, denies it, and whose Baseline tier denies it (see `ingressOk`).
 */
export class PortTiers {
  readonly ingress: readonly (SideTiers | null)[]
  readonly egress: readonly (SideTiers | null)[]
  private turned: { accept: Bitset[]; deny: Bitset[]; baselineDeny: Bitset[] } | null = null

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
   * `ok` (over destination selector classes): the destinations whose NetworkPolicy ingress admits class s, or that
   * no NetworkPolicy isolates (`open`); made the destinations whose ingress admits s through the tiers, in place:
   * Admin Accept, or else not Admin Deny and (isolated: the NetworkPolicy answer; else: not Baseline Deny).
   * O(selector classes / 32).
   */
  ingressOk(s: number, open: Bitset, ok: Bitset): void {
    if (this.turned === null) {
      const nSel = this.ids.selectorClasses.length
      const n = this.ids.classes.length
      const none = new Bitset(nSel)
      const turn = (pick: (t: SideTiers) => Bitset | null) => transposeRows(nSel, n, (d1) => (this.ingress[d1] ? pick(this.ingress[d1]!) : null), none)
      this.turned = { accept: turn((t) => t.admin?.accept ?? null), deny: turn((t) => t.admin?.deny ?? null), baselineDeny: turn((t) => t.baselineDeny) }
    }
    const acc = this.turned.accept[s]!.words
    const deny = this.turned.deny[s]!.words
    const base = this.turned.baselineDeny[s]!.words
    const o = open.words
    const w = ok.words
    for (let k = 0; k < w.length; k++) w[k] = (acc[k]! | (w[k]! & ~deny[k]! & ~(o[k]! & base[k]!))) >>> 0
  }

  /**
   * `np` (over classes): the destinations class s's NetworkPolicy egress admits (all when not isolated); made,
   * in place, those its egress admits through the tiers of `t` (its selector class's egress side).
   */
  static egressOk(t: SideTiers, isolated: boolean, np: Bitset): void {
    const w = np.words
    const acc = t.admin?.accept.words
    const deny = t.admin?.deny.words
    const base = t.baselineDeny?.words
    for (let k = 0; k < w.length; k++) {
      const below = isolated ? w[k]! : base === undefined ? 0xffffffff : ~base[k]!
      w[k] = ((acc?.[k] ?? 0) | (~(deny?.[k] ?? 0) & below)) >>> 0
    }
  }
}

/** The classes of Identities as the other ends of tier decisions. */
export function identityEnds(ids: Identities): TierEnds {
  return { size: ids.classes.length, sel: Int32Array.from(ids.selectorOf), addr: Int32Array.from(ids.addressOf) }
}
