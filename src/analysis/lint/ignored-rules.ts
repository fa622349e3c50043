import type { Direction, NetworkPolicy } from '../../model/policy.js'
import type { Check } from './check.js'
import { code, count, msg, policyObject, type Draft } from './finding.js'

const TYPE: Record<Direction, 'Ingress' | 'Egress'> = { ingress: 'Ingress', egress: 'Egress' }

/** policyTypes as the policy has it after defaulting: the directions whose rules are not null. */
export const policyTypesOf = (p: NetworkPolicy): string => (['ingress', 'egress'] as const).filter((d) => p[d] !== null).map((d) => TYPE[d]).join(', ')

/**
 * "policyTypes ... indicates whether or not this policy applies to ingress traffic ... egress traffic": rules
 * under a direction the list leaves out do nothing at all (`describe` shows them as ignored).
 */
export const ignoredRules: Check = {
  id: 'NP015',
  slug: 'rules-ignored-by-policy-types',
  severity: 'warning',
  title: 'rules under a direction that policyTypes leaves out, which have no effect',
  description:
    'policyTypes names the directions a policy applies to. Rules written under a direction it leaves out are ignored: ' +
    'they neither isolate the selected pods nor allow anything. Usually the direction was forgotten in policyTypes, ' +
    'or the rules are left over from an earlier version.',
  run(ctx) {
    const out: Draft[] = []
    for (const p of ctx.cluster.policies) {
      for (const d of ['ingress', 'egress'] as const) {
        const rules = p.ignored?.[d]
        if (!rules || rules.length === 0) continue
        const [they, allow] = rules.length === 1 ? ['it neither isolates', 'allows'] : ['they neither isolate', 'allow']
        out.push({
          object: policyObject(p),
          path: ['spec', d],
          message: msg`policyTypes [${policyTypesOf(p)}] does not name ${TYPE[d]}, so the ${count(rules.length, `${d} rule`)} under ${code(`spec.${d}`)} ${rules.length === 1 ? 'is' : 'are'} ignored: ${they} the selected pods for ${d} nor ${allow} anything`,
          fix: { text: msg`if the rules are meant, add ${TYPE[d]} to policyTypes; otherwise delete them`, yaml: 'policyTypes: [Ingress, Egress]\n' },
        })
      }
    }
    return out
  },
}
