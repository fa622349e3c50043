/**
 * How a cluster policy rule is named in the log prefix of its Deny chain, after `netpol drop|audit egress|ingress`:
 * `[Admin] cnp/NAME egress[0]` (the tier, the policy as kubectl's short kind and name, the rule). nft cuts a prefix
 * at 127 bytes: a name too long for it is written `#` and a hash of it, which the flow log matches against the
 * policies in force. Pure; the flow log parses what this writes.
 */
import { SHORT_KIND, formatClusterRef, type ClusterPolicy, type ClusterPolicyKind, type ClusterPolicyRef, type Tier } from '../model/cluster-policy.js'
import type { Direction } from '../model/policy.js'
import { shortHash } from '../model/short-hash.js'

export interface TierRuleName {
  readonly tier: Tier
  readonly policy: ClusterPolicyRef
  readonly direction: Direction
  readonly index: number
}

/** The words for rule `r`, at most `room` characters when the policy's name allows. */
export function tierRuleWords(r: TierRuleName, room: number): string {
  const words = `[${r.tier}] ${formatClusterRef(r.policy)} ${r.direction}[${r.index}]`
  return words.length <= room ? words : `[${r.tier}] ${SHORT_KIND[r.policy.kind]}/#${shortHash(r.policy.name)} ${r.direction}[${r.index}]`
}

/** What the words name; `name` null and `hash` set when the name was written as its hash. */
export interface ParsedTierRule {
  readonly tier: Tier
  readonly kind: ClusterPolicyKind
  readonly name: string | null
  readonly hash: string | null
  readonly direction: Direction
  readonly index: number
}

const KIND_OF: Readonly<Record<string, ClusterPolicyKind>> = Object.fromEntries(Object.entries(SHORT_KIND).map(([k, v]) => [v, k as ClusterPolicyKind]))
export const TIER_WORDS = /^\[(Admin|Baseline)\] (cnp|anp|banp)\/(#[0-9a-z]+|[a-z0-9][a-z0-9.-]*) (ingress|egress)\[(\d+)\]$/

export function parseTierRuleWords(text: string): ParsedTierRule | null {
  const m = TIER_WORDS.exec(text)
  if (!m) return null
  const hashed = m[3]!.startsWith('#')
  return { tier: m[1] as Tier, kind: KIND_OF[m[2]!]!, name: hashed ? null : m[3]!, hash: hashed ? m[3]!.slice(1) : null, direction: m[4] as Direction, index: Number(m[5]) }
}

/** The policy the words name, among `policies`. */
export function findTierPolicy(policies: readonly ClusterPolicy[], r: ParsedTierRule): ClusterPolicy | undefined {
  return policies.find((p) => p.kind === r.kind && (r.name !== null ? p.name === r.name : shortHash(p.name) === r.hash))
}
