import type { Pod } from '../../model/cluster.js'
import type { LintContext, RuleAt } from './context.js'

/**
 * The pods whose ports a rule's `ports` are matched against — always the destination of the connection:
 * for ingress the pods the policy selects, for egress the pods the rule's peers admit (every pod when the rule
 * has no `to`). Addresses outside the pods never resolve a named port.
 */
export function ruleDestinations(ctx: LintContext, at: RuleAt): readonly Pod[] {
  if (at.direction === 'ingress') return ctx.selectedBy(at.policy)
  return ctx.classes.ofRule(at.rule, at.policy)
}

/** "The 3 pods the policy selects", "The pod this rule's peers admit" */
export function destinationsText(at: RuleAt, n: number): string {
  const pods = n === 1 ? 'pod' : `${n} pods`
  if (at.direction === 'ingress') return `The ${pods} the policy selects`
  return at.rule.peers === 'any' ? `The ${pods} of the input` : `The ${pods} this rule's peers admit`
}
