/**
 * A tier's decision for one profile and one class of the other end (the engine's TierDecisions), as the ranges
 * of the `tverd` map: protocol and port ranges, each Accept or the Deny rule that decides it. A Pass ends the tier
 * for its ports ("skips all further ... rules in the current tier") and leaves no element: what follows the tier
 * decides. Pure.
 */
import type { Direction } from '../model/policy.js'
import type { TierDecision, TierRuleRef } from '../engine/tier-decisions.js'
import { PROTO_NUMBER } from './nft-objects.js'

/** Ports lo..hi of protocol `proto` (IP number) decided by an Accept or by the Deny rule `rule` (see tierRuleKey). */
export interface DecidedRange {
  readonly proto: number
  readonly lo: number
  readonly hi: number
  readonly action: 'Accept' | 'Deny'
  readonly rule: string
}

/** A rule's identity across compiles: kind, policy name, direction and index. */
export const tierRuleKey = (r: Pick<TierRuleRef, 'policy' | 'rule'> & { readonly direction: Direction }): string => `${r.policy.kind}/${r.policy.name}/${r.direction}/${r.rule}`

/** The Accept and Deny ranges of a decision, in protocol and port order; neighbours with the same outcome merged. */
export function decidedRanges(d: TierDecision): DecidedRange[] {
  const out: DecidedRange[] = []
  for (const piece of d.pieces) {
    if (piece.action === 'Pass') continue
    const proto = PROTO_NUMBER[piece.ports.protocol]
    const rule = tierRuleKey(piece.by)
    const last = out[out.length - 1]
    // accepted ports are alike whichever rule accepts them; a denial names its rule (logs and counters)
    const same = last !== undefined && last.proto === proto && last.action === piece.action && (piece.action === 'Accept' || last.rule === rule) && last.hi + 1 === piece.ports.from
    if (same) out[out.length - 1] = { ...last, hi: piece.ports.to }
    else out.push({ proto, lo: piece.ports.from, hi: piece.ports.to, action: piece.action, rule })
  }
  return out
}

export const decidedKey = (ranges: readonly DecidedRange[]): string => ranges.map((r) => `${r.proto}:${r.lo}-${r.hi}=${r.action === 'Accept' ? 'accept' : r.rule}`).join(',')
