import type { Direction, NetworkPolicy } from '../../model/policy.js'
import { isolatingPolicies } from '../../engine/select.js'
import type { Check } from './check.js'
import { code, count, msg, namespaceObject, ref, type Draft } from './finding.js'
import { policyYaml } from './yaml-snippet.js'

const TYPE: Record<Direction, 'Ingress' | 'Egress'> = { ingress: 'Ingress', egress: 'Egress' }

/**
 * A baseline for a direction: a policy whose podSelector is empty ("An empty podSelector selects all pods in
 * this namespace", now and later) that has the direction in policyTypes and no rule for it, so it isolates
 * every pod and allows nothing.
 */
export function isBaseline(p: NetworkPolicy, direction: Direction): boolean {
  const rules = p[direction]
  return p.podSelector.requirements.length === 0 && rules !== null && rules.length === 0
}

export const missingDefaultDeny: Check = {
  id: 'NP001',
  slug: 'missing-default-deny',
  severity: 'info',
  title: 'namespace has pods but no default-deny baseline for a direction',
  description:
    'Without a policy that selects every pod ({}) and allows nothing for a direction, a pod no other policy selects ' +
    'is open in that direction, and so is every pod added later. A per-namespace default deny, with explicit allows ' +
    'on top, makes the open paths the ones someone wrote down.',
  run(ctx) {
    const out: Draft[] = []
    for (const ns of [...ctx.cluster.namespaces.keys()].sort()) {
      const pods = ctx.podsIn(ns).filter((p) => !p.hostNetwork)
      if (pods.length === 0) continue
      const policies = ctx.index.policiesByNamespace.get(ns) ?? []
      for (const direction of ['ingress', 'egress'] as const) {
        if (policies.some((p) => isBaseline(p, direction))) continue
        const open = pods.filter((p) => isolatingPolicies(ctx.index, p, direction).length === 0).length
        const now =
          open === 0
            ? msg`; ${pods.length === 1 ? 'its pod is' : pods.length === 2 ? 'both pods are' : `all ${pods.length} pods are`} isolated today by other policies, but a new pod would not be`
            : open === pods.length
              ? msg`; ${pods.length === 1 ? 'its pod is not' : `none of its ${pods.length} pods is`} isolated for ${direction} at all`
              : msg`; ${count(open, 'pod')} of ${pods.length} ${open === 1 ? 'is' : 'are'} not isolated for ${direction} at all`
        out.push({
          object: namespaceObject(ctx.cluster.namespaces.get(ns) ?? ns),
          path: [],
          message: msg`no default-deny ${direction} policy in ${ref(ns)} (podSelector ${code('{}')}, policyTypes [${TYPE[direction]}], no ${direction} rules)${now}`,
          fix: {
            text: msg`add a baseline that denies all ${direction} in ${ref(ns)}, then allow what is needed with further policies`,
            yaml: policyYaml({ name: `default-deny-${direction}`, namespace: ns, podSelector: '{}', policyTypes: [TYPE[direction]], [direction]: [] }),
          },
        })
      }
    }
    return out
  },
}
