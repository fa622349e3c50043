import { isolatingPolicies } from '../../engine/select.js'
import type { Check } from './check.js'
import { code, count, msg, policyObject, refList, type Draft } from './finding.js'

/**
 * SetDefaults_NetworkPolicy: when policyTypes is empty, it becomes [Ingress], plus Egress when the policy has
 * egress rules. A policy written with only egress rules therefore also isolates its pods for ingress, and
 * having no ingress rules, denies all ingress to them: the classic surprise of an "egress policy".
 */
export const egressPolicyIsolatesIngress: Check = {
  id: 'NP016',
  slug: 'egress-policy-isolates-ingress',
  severity: 'warning',
  title: 'a policy with only egress rules and no policyTypes, which also denies all ingress',
  description:
    'When policyTypes is left out, the API server sets it to [Ingress] plus Egress if the policy has egress rules. A ' +
    'policy written to restrict egress therefore also isolates the pods it selects for ingress, and with no ingress ' +
    'rules it admits nothing: every connection to those pods that no other policy allows is dropped. Say which ' +
    'directions are meant with policyTypes.',
  run(ctx) {
    const out: Draft[] = []
    for (const p of ctx.cluster.policies) {
      if (!p.policyTypesDefaulted || p.egress === null || p.ingress === null || p.ingress.length > 0) continue
      const selected = ctx.selectedBy(p)
      const pods = selected.map((x) => `${x.namespace}/${x.name}`)
      const whom = pods.length === 0 ? msg`the pods it selects (none in the input)` : msg`the ${count(pods.length, 'pod')} it selects (${refList(pods)})`
      // whether another policy admits some ingress to them: then only what those allow still passes
      const allowedElsewhere = selected.some((pod) => isolatingPolicies(ctx.index, pod, 'ingress').some((q) => q !== p && q.ingress !== null && q.ingress.length > 0))
      const them = selected.length === 1 ? 'it' : 'them'
      const effect = allowedElsewhere ? msg`only what other policies allow still reaches ${them}` : msg`no other policy admits anything to ${them}, so all ingress to ${them} is denied`
      out.push({
        object: policyObject(p),
        path: ['spec'],
        message: msg`policyTypes is not set and the policy has egress rules, so the API server sets policyTypes to [Ingress, Egress]: this policy also isolates ${whom} for ingress, and with no ingress rules it admits nothing; ${effect}`,
        fix: {
          text: msg`if only egress was meant, say so with ${code('policyTypes: [Egress]')}; if denying ingress is meant too, write ${code('policyTypes: [Ingress, Egress]')} so that readers see it`,
          yaml: 'policyTypes: [Egress]\n',
        },
      })
    }
    return out
  },
}
