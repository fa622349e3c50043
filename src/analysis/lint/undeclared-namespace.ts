import type { Check } from './check.js'
import { code, msg, policyObject, ref, refList, type Draft } from './finding.js'
import { typoDistance } from './suggest-labels.js'

const near = (d: number, s: string) => d <= Math.max(1, Math.floor(s.length / 3))

/** The declared namespace closest to `name` by typos, when one is close. */
export function nearestNamespace(name: string, declared: readonly string[]): string | undefined {
  let best: string | undefined
  let bestD = Infinity
  for (const d of declared) {
    const dist = typoDistance(name, d)
    if (dist < bestD) [best, bestD] = [d, dist]
  }
  return best !== undefined && near(bestD, name) ? best : undefined
}

/**
 * A policy in a namespace that no Namespace object of the input declares, when the input declares namespaces:
 * most often a typo in metadata.namespace, which makes the policy apply to pods nobody runs.
 */
export const undeclaredNamespace: Check = {
  id: 'NP017',
  slug: 'undeclared-namespace',
  severity: 'warning',
  title: 'a policy in a namespace that the input does not declare',
  description:
    'A policy applies only to pods of its own namespace. When the input declares its namespaces and a policy names ' +
    'another one, the name is often a typo: the policy then protects nothing where it was meant to. Only judged ' +
    'when the input holds Namespace objects.',
  run(ctx) {
    const declared = [...ctx.cluster.namespaces.values()].filter((n) => !n.implicit).map((n) => n.name)
    if (declared.length === 0) return []
    const out: Draft[] = []
    for (const p of ctx.cluster.policies) {
      if (ctx.cluster.namespaces.get(p.namespace)?.implicit !== true) continue
      const guess = nearestNamespace(p.namespace, declared)
      const pods = ctx.podsIn(p.namespace).length
      out.push({
        object: policyObject(p),
        path: ['metadata', 'namespace'],
        message: guess
          ? msg`no Namespace object of the input declares ${ref(p.namespace)} (it declares ${refList([...declared].sort())}); did you mean ${ref(guess)}?`
          : msg`no Namespace object of the input declares ${ref(p.namespace)} (it declares ${refList([...declared].sort())})${pods === 0 ? ', and no pod of the input runs in it' : ''}`,
        fix: guess
          ? { text: msg`set ${code('metadata.namespace')} to ${code(guess)}, or add the Namespace ${ref(p.namespace)} to the input if it is one` }
          : { text: msg`correct ${code('metadata.namespace')}, or add the Namespace ${ref(p.namespace)} to the input` },
      })
    }
    return out
  },
}
