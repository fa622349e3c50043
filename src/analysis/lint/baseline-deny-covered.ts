import type { NetworkPolicy } from '../../model/policy.js'
import { formatRef, policyRef } from '../../model/policy.js'
import { isolatingPolicies } from '../../engine/select.js'
import type { Check } from './check.js'
import { count, msg, podList, policyObject, refList, type Draft, type RelatedObject } from './finding.js'
import { clusterRulesOf, DIRECTIONS } from './tier-classes.js'
import { clusterPolicyObject, ruleWords } from './tier-words.js'

export const baselineDenyCovered: Check = {
  id: 'NP021',
  slug: 'baseline-deny-covered',
  severity: 'info',
  title: 'a Baseline tier Deny is never consulted: NetworkPolicies isolate every pod it selects',
  description:
    '"v1.NetworkPolicy always makes a final decision for selected pods. Further evaluation only happens for Pods ' +
    'not selected by a v1.NetworkPolicy" (ClusterNetworkPolicy spec.tier). When every pod a Baseline policy selects ' +
    'is isolated in a direction by some NetworkPolicy, its Deny rules of that direction never act: the ' +
    'NetworkPolicies decide. That may be the plan (a safety net for namespaces that have no policies yet); the ' +
    'finding says it is not catching anything today. Decided on the pods of the input.',
  run(ctx) {
    const t = ctx.tiers
    if (t === null) return []
    const out: Draft[] = []
    for (const p of ctx.cluster.clusterPolicies) {
      if (p.tier !== 'Baseline') continue
      const subjects = t.subjects(p)
      if (subjects.isEmpty()) continue
      for (const d of DIRECTIONS) {
        const denies = clusterRulesOf(p, d).filter((r) => r.rule.action === 'Deny')
        if (denies.length === 0) continue
        const by = new Set<NetworkPolicy>()
        let covered = true
        subjects.forEach((s) => {
          if (!covered) return
          const iso = isolatingPolicies(t.index, t.subjectPod(s), d)
          if (iso.length === 0) covered = false
          else by.add(iso[0]!)
        })
        if (!covered) continue
        const pods = t.podsOf(subjectList(subjects))
        const names = [...by].map((x) => formatRef(policyRef(x)))
        const related: RelatedObject[] = [...by].map((x) => ({ object: policyObject(x), path: ['spec', 'podSelector'] }))
        for (const at of denies) {
          out.push({
            object: clusterPolicyObject(p),
            path: at.path,
            message: msg`${ruleWords(at)} is never consulted: every pod its policy selects (${count(pods.length, 'pod')}: ${podList(pods)}) is isolated for ${d} by a NetworkPolicy (${refList(names)}), whose answer is final for the pods it isolates`,
            fix: { text: msg`nothing to change if it is a safety net for pods that NetworkPolicies may leave unselected later; otherwise remove the rule` },
            related,
          })
        }
      }
    }
    return out
  },
}

function subjectList(b: { forEach(f: (i: number) => void): void }): number[] {
  const out: number[] = []
  b.forEach((i) => out.push(i))
  return out
}
