import { formatRequirement, makeSelector, type LabelSelector, type Requirement } from '../../model/label-selector.js'
import type { Check } from './check.js'
import type { LintContext } from './context.js'
import { code, joinParts, msg, policyObject, ref, type Draft } from './finding.js'
import { peersOf, requirementPath } from './peers.js'
import { peerLines } from './yaml-snippet.js'

/** "The control plane sets an immutable label kubernetes.io/metadata.name on all namespaces" (to the name). */
export const NAME_LABEL = 'kubernetes.io/metadata.name'

/** A requirement on a label no namespace carries, whose values are names of namespaces of the input. */
export interface NameMeant {
  readonly index: number
  readonly requirement: Requirement
  /** the namespaces whose names the values spell; all were given as objects, so their labels are known */
  readonly names: readonly string[]
}

/**
 * The requirements of a namespaceSelector that most likely meant kubernetes.io/metadata.name: `In`/`NotIn`
 * on a key that no namespace of the input carries, with values that are namespace names. An `In` of that
 * kind matches nothing; a `NotIn` excludes nothing ("NotIn also matches objects that lack the key").
 * Namespaces the input only references are left out: their real labels are unknown.
 */
export function nameLabelMeant(ctx: LintContext, sel: LabelSelector): NameMeant[] {
  const out: NameMeant[] = []
  const namespaces = [...ctx.cluster.namespaces.values()]
  sel.requirements.forEach((r, index) => {
    if ((r.operator !== 'In' && r.operator !== 'NotIn') || r.key === NAME_LABEL) return
    if (namespaces.some((ns) => Object.prototype.hasOwnProperty.call(ns.labels, r.key))) return
    const names = r.values.filter((v) => ctx.cluster.namespaces.get(v)?.implicit === false)
    if (names.length > 0) out.push({ index, requirement: r, names })
  })
  return out
}

export const namespaceNameLabel: Check = {
  id: 'NP005',
  slug: 'namespace-name-label',
  severity: 'error',
  title: 'namespaceSelector uses a label no namespace carries where kubernetes.io/metadata.name was meant',
  description:
    'Namespaces do not carry a `name` label unless someone adds one; the API server sets kubernetes.io/metadata.name ' +
    'to the name on every namespace. A selector such as `name: monitoring` then matches no namespace and the rule ' +
    'allows nothing (with NotIn, it excludes nothing).',
  run(ctx) {
    const out: Draft[] = []
    for (const policy of ctx.cluster.policies) {
      for (const { peer, path } of peersOf(policy)) {
        if (peer.kind !== 'pods' || peer.namespaces.kind !== 'selector') continue
        const sel = peer.namespaces.selector
        for (const m of nameLabelMeant(ctx, sel)) {
          const r = m.requirement
          const fixed: Requirement = { ...r, key: NAME_LABEL }
          const newSel = makeSelector(sel.requirements.map((x, i) => (i === m.index ? fixed : x)))
          const effect =
            r.operator === 'In'
              ? msg`so this peer matches no namespace and allows nothing`
              : msg`so ${code(formatRequirement(r))} excludes no namespace`
          out.push({
            object: policyObject(policy),
            path: [...path, 'namespaceSelector', ...requirementPath(sel, m.index)],
            message: msg`namespaceSelector uses the label ${code(r.key)}, which no namespace carries, ${effect}; ${joinParts(m.names.map((n) => [ref(n)]))} ${m.names.length === 1 ? 'is a namespace' : 'are namespaces'} of the input, labelled ${code(`${NAME_LABEL}=<name>`)} by the API server`,
            fix: {
              text: msg`select by ${code(NAME_LABEL)}`,
              yaml: peerLines({ ...peer, namespaces: { kind: 'selector', selector: newSel } }).join('\n') + '\n',
            },
          })
        }
      }
    }
    return out
  },
}
