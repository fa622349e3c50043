import { actionWord, formatClusterRef } from '../model/cluster-policy.js'
import type { TierStep } from '../analysis/diff-tiers.js'

/**
 * One step of a tier chain in words: `[Admin] cnp/deny-db priority 10 ingress[0] "rule-name" Deny` (the rule's
 * name only when written; v1alpha1 kinds say `Allow` for Accept; a BaselineAdminNetworkPolicy has no priority).
 */
export function tierStepText(s: TierStep): string {
  const priority = s.priority === null ? '' : ` priority ${s.priority}`
  const name = s.ruleName === undefined ? '' : ` ${JSON.stringify(s.ruleName)}`
  return `[${s.tier}] ${formatClusterRef(s.policy)}${priority} ${s.direction}[${s.rule}]${name} ${actionWord(s.policy.kind, s.action)}`
}
