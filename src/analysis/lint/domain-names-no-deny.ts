import type { ClusterPolicy } from '../../model/cluster-policy.js'
import { tierRank } from '../../model/cluster-policy.js'
import type { Check } from './check.js'
import { code, joinParts, msg, type Draft } from './finding.js'
import { clusterRulesOf } from './tier-classes.js'
import { clusterPolicyObject, ruleWords } from './tier-words.js'

export const domainNamesNoDeny: Check = {
  id: 'NP023',
  slug: 'domain-names-no-deny',
  severity: 'info',
  title: 'a domainNames Accept rule with no lower-precedence Deny to networks after it',
  description:
    '"DomainNames is only supported for Accept rules. In order to control access, DomainNames Accept rules should ' +
    'be used with a lower precedence egress deny -- this allows the admin to maintain an explicit "allowlist" of ' +
    'reachable domains" (ClusterNetworkPolicy egress peers). With no Deny to `networks` after the rule (later in ' +
    'the policy, in a later policy of the tier that selects some of the same pods, or in the Baseline tier), the ' +
    'addresses outside the allowlist are not refused by the cluster policies.',
  run(ctx) {
    const t = ctx.tiers
    if (t === null) return []
    const policies = ctx.cluster.clusterPolicies
    const out: Draft[] = []
    policies.forEach((p, pi) => {
      if (!p.egress.some((r) => r.peers.some((x) => x.kind === 'domainNames'))) return
      const subjects = t.subjects(p)
      if (subjects.isEmpty()) return
      // a later Deny to networks for some of the same pods: in this policy after the rule, or in a policy after it
      const laterPolicy = policies.some((q, qi) => qi > pi && tierRank(q.tier) >= tierRank(p.tier) && hasNetworksDeny(q, 0) && !t.subjects(q).and(subjects).isEmpty())
      for (const at of clusterRulesOf(p, 'egress')) {
        const names = at.rule.peers.flatMap((x) => (x.kind === 'domainNames' ? x.names : []))
        if (names.length === 0 || at.rule.action !== 'Accept') continue
        if (laterPolicy || hasNetworksDeny(p, at.index + 1)) continue
        out.push({
          object: clusterPolicyObject(p),
          path: [...at.path, 'to'],
          message: msg`${ruleWords(at)} accepts domainNames (${joinParts(names.map((n) => [code(n)]))}) but no Deny to networks comes after it for these pods (in the policy, a later policy of the ${p.tier} tier, or the Baseline tier): addresses outside the allowlist are not refused by the cluster policies`,
          fix: { text: msg`add a lower-precedence egress Deny to the networks the names live in (e.g. 0.0.0.0/0 and ::/0), after the Accept rules` },
        })
      }
    })
    return out
  },
}

/** Does `p` have an egress Deny rule with a `networks` peer at index `from` or later? */
function hasNetworksDeny(p: ClusterPolicy, from: number): boolean {
  return p.egress.some((r, i) => i >= from && r.action === 'Deny' && r.peers.some((x) => x.kind === 'networks'))
}
