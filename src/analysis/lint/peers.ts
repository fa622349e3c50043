import type { Path } from '../../model/issues.js'
import type { LabelSelector } from '../../model/label-selector.js'
import type { NetworkPolicy, Peer } from '../../model/policy.js'
import { rulesOf, type RuleAt } from './context.js'

/** One written peer of a rule, with its field path (`spec.ingress[0].from[1]`). */
export interface PeerAt {
  readonly at: RuleAt
  readonly index: number
  readonly peer: Peer
  readonly path: Path
}

export function peersOf(policy: NetworkPolicy): PeerAt[] {
  const out: PeerAt[] = []
  for (const at of rulesOf(policy)) {
    if (at.rule.peers === 'any') continue
    at.rule.peers.forEach((peer, index) => out.push({ at, index, peer, path: [...at.path, at.peersKey, index] }))
  }
  return out
}

/**
 * Where requirement `i` of a selector was written: matchLabels entries come first (by key), then
 * matchExpressions in order, as the parser builds them.
 */
export function requirementPath(sel: LabelSelector, i: number): Path {
  const r = sel.requirements[i]!
  if (r.fromMatchLabels) return ['matchLabels', r.key]
  const labels = sel.requirements.filter((x) => x.fromMatchLabels).length
  return ['matchExpressions', i - labels]
}
