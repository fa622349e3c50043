import type { Pod } from '../../model/cluster.js'
import type { PortSet } from '../../engine/tier-decisions.js'
import type { Check } from './check.js'
import { joinParts, msg, type Draft, type RelatedObject } from './finding.js'
import { DIRECTIONS, ruleKey, TIERS, type ClusterRuleAt, type TierClasses } from './tier-classes.js'
import { clusterPolicyObject, connectionWords, ruleWords } from './tier-words.js'

/** What a tier walk found for one rule over every subject and end of the input. */
export interface RuleFate {
  readonly at: ClusterRuleAt
  /** it matched some connection, decided (or, for domainNames, may decide) some of them */
  acted: boolean
  /** the earlier rules that took connections it matches, in the order met */
  readonly blockedBy: Map<string, ClusterRuleAt>
  /** a connection it matches that an earlier rule decided */
  example: { subject: Pod; block: number; ports: PortSet } | null
}

/**
 * Every rule of the tiers that matches some connection of the input, with whether it decides any: walked per
 * group of subjects with the same policies and per end block (see TierClasses).
 */
export function ruleFates(t: TierClasses): Map<string, RuleFate> {
  const out = new Map<string, RuleFate>()
  for (const tier of TIERS) {
    for (const d of DIRECTIONS) {
      for (const g of t.subjectGroups(tier, d)) {
        const subject = t.subjectPod(g.subjects[0]!)
        for (const b of t.distinctBlocks(g.key, g.rules)) {
          for (const step of t.walk(g.key, g.rules, b, subject)) {
            const k = ruleKey(step.at)
            let f = out.get(k)
            if (f === undefined) out.set(k, (f = { at: step.at, acted: false, blockedBy: new Map(), example: null }))
            if (step.took.length > 0) f.acted = true
            for (const by of step.blockedBy) if (!f.blockedBy.has(ruleKey(by))) f.blockedBy.set(ruleKey(by), by)
            // an example between two pods reads better than a pod reaching itself (which no tier decides): any subject
            // of the group stands for the others
            if (step.blockedBy.length > 0 && (f.example === null || t.blocks[f.example.block]!.pod === f.example.subject)) {
              const other = g.subjects.map((x) => t.subjectPod(x)).find((pod) => pod !== t.blocks[b]!.pod) ?? subject
              f.example = { subject: other, block: b, ports: step.ports }
            }
          }
        }
      }
    }
  }
  return out
}

export const tierRuleShadowed: Check = {
  id: 'NP019',
  slug: 'tier-rule-shadowed',
  severity: 'warning',
  title: 'a cluster policy rule can never act: earlier rules of its tier decide every connection it matches',
  description:
    'In a tier, the policies are evaluated by priority and the rules of each in the order written; the first rule ' +
    'whose peer and port match a connection decides it, whatever its action (Accept, Deny or Pass), and no later ' +
    'rule of the tier is looked at for that connection. A rule whose every matching connection is already decided ' +
    'by an earlier rule of the same policy, or by a policy before it in the tier, never acts: it is dead, or the ' +
    'order (rule order or priority) is not what was meant. (Where a policy of the same priority decides first, ' +
    'the order is undefined: NP018 reports that instead.) Decided on the pods, namespaces and Nodes of the input.',
  run(ctx) {
    const t = ctx.tiers
    if (t === null) return []
    const out: Draft[] = []
    const rank = new Map(ctx.cluster.clusterPolicies.map((p, i) => [p, i]))
    const order = (p: ClusterRuleAt['policy']) => rank.get(p) ?? 0
    for (const f of ruleFates(t).values()) {
      if (f.acted || f.blockedBy.size === 0) continue
      const by = [...f.blockedBy.values()].sort((x, y) => order(x.policy) - order(y.policy) || x.index - y.index)
      // another policy of the same priority: the order is undefined, and NP018 says so
      if (by.some((x) => x.policy !== f.at.policy && x.policy.priority === f.at.policy.priority)) continue
      const shown = by.slice(0, 3).map(ruleWords)
      if (by.length > 3) shown.push([`${by.length - 3} more`])
      const e = f.example!
      const related: RelatedObject[] = by.map((x) => ({ object: clusterPolicyObject(x.policy), path: x.path }))
      out.push({
        object: clusterPolicyObject(f.at.policy),
        path: f.at.path,
        message: msg`${ruleWords(f.at)} can never act: every connection it matches (e.g. ${connectionWords(f.at.direction, e.subject, t.blocks[e.block]!, e.ports)}) is decided first by ${joinParts(shown)}, and any action ends the evaluation of the tier for a connection`,
        fix: { text: msg`remove the rule, or move it (or its policy, by priority) before the rules that decide its connections` },
        related,
      })
    }
    return out
  },
}
