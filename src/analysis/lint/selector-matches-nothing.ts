import { makeSelector, type LabelSelector } from '../../model/label-selector.js'
import type { NetworkPolicy, Peer } from '../../model/policy.js'
import type { Path } from '../../model/issues.js'
import type { Check } from './check.js'
import type { LintContext } from './context.js'
import { count, joinParts, msg, policyObject, ref, refList, type Draft, type Fix, type Part } from './finding.js'
import { nameLabelMeant, NAME_LABEL } from './namespace-name-label.js'
import { andOrPairs } from './and-or-peers.js'
import { peersOf } from './peers.js'
import { emptySelectorHint, NAMESPACE, POD, tallyLabels, type LabelTally } from './suggest-labels.js'
import { peerLines } from './yaml-snippet.js'

export const selectorMatchesNothing: Check = {
  id: 'NP004',
  slug: 'selector-matches-nothing',
  severity: 'warning',
  title: 'a policy selects no pod, or a peer matches no pod or no namespace',
  description:
    'The most common reason a policy "does not work": a selector with a typo, a label the pods do not carry, or a ' +
    'podSelector alone (which only looks in the policy\'s own namespace) for pods elsewhere. Shows the nearest ' +
    'labels that exist. Namespaces with no pods in the input are not judged.',
  run(ctx) {
    const out: Draft[] = []
    for (const policy of ctx.cluster.policies) {
      const own = ctx.podsIn(policy.namespace)
      if (own.length > 0 && ctx.selectedBy(policy).length === 0) {
        const hint = emptySelectorHint(policy.podSelector, ctx.podLabels([policy.namespace]), POD, msg` in ${ref(policy.namespace)}`)
        out.push({
          object: policyObject(policy),
          path: ['spec', 'podSelector'],
          message: msg`this policy applies to no pod: ${hint}${elsewhere(ctx, policy.podSelector, policy.namespace, 'a policy only ever selects pods of its own namespace')}`,
        })
      }
      for (const { peer, path, at } of peersOf(policy)) {
        if (peer.kind !== 'pods') continue
        // a podSelector-only peer next to a namespaceSelector-only one is explained by NP008
        if (at.rule.peers !== 'any' && andOrPairs(at.rule.peers).some((x) => x.pods === peer)) continue
        const d = peerDraft(ctx, policy, peer, path)
        if (d) out.push(d)
      }
    }
    return out
  },
}

function peerDraft(ctx: LintContext, policy: NetworkPolicy, peer: Peer & { kind: 'pods' }, path: Path): Draft | null {
  let namespaces: readonly string[]
  let scope: Part[]
  if (peer.namespaces.kind === 'selector') {
    const sel = peer.namespaces.selector
    namespaces = ctx.namespacesMatching(sel)
    if (namespaces.length === 0) {
      // a `name: x` meant as kubernetes.io/metadata.name is reported by NP005 with the exact fix
      if (nameLabelMeant(ctx, sel).some((m) => m.requirement.operator === 'In')) return null
      const all = [...ctx.cluster.namespaces.values()]
      const implicit = all.filter((n) => n.implicit).map((n) => n.name)
      const unknown = implicit.length > 0 ? msg` (the labels of ${refList(implicit)} are unknown: the input only references ${implicit.length === 1 ? 'it' : 'them'})` : []
      return {
        object: policyObject(policy),
        path: [...path, 'namespaceSelector'],
        message: msg`this peer matches no namespace: ${emptySelectorHint(sel, namespaceTally(ctx), NAMESPACE, [])}${unknown}`,
      }
    }
    scope = namespaces.length === 1 ? msg` in ${ref(namespaces[0]!)}` : msg` in the selected namespaces (${refList(namespaces)})`
  } else {
    namespaces = [policy.namespace]
    scope = msg` in ${ref(policy.namespace)}`
  }
  // a peer that admits some pod is fine (and then those namespaces have pods): asked first, it is cached
  if (!peer.written.podSelector || ctx.peerAdmitsPods(peer, policy.namespace)) return null
  const candidates = ctx.podLabels(namespaces)
  // no pods of those namespaces in the input: nothing to judge the podSelector against
  if (candidates.total === 0) return null
  const hint = emptySelectorHint(peer.podSelector, candidates, POD, scope)
  let fix: Fix | undefined
  let tail: Part[] = []
  if (peer.namespaces.kind === 'own') {
    const other = podsElsewhere(ctx, peer.podSelector, policy.namespace)
    if (other.count > 0) {
      tail = elsewhere(ctx, peer.podSelector, policy.namespace, 'a podSelector without a namespaceSelector only looks in the policy\'s namespace')
      const nss = other.namespaces
      const nsSel = makeSelector([{ key: NAME_LABEL, operator: 'In', values: nss, ...(nss.length === 1 ? { fromMatchLabels: true } : {}) }])
      fix = {
        text: msg`add a namespaceSelector to the same peer (one list entry, so both must hold)`,
        yaml: peerLines({ ...peer, namespaces: { kind: 'selector', selector: nsSel }, written: { podSelector: true, namespaceSelector: true } }).join('\n') + '\n',
      }
    }
  }
  return {
    object: policyObject(policy),
    path: [...path, 'podSelector'],
    message: msg`this peer admits no pod: ${hint}${tail}`,
    ...(fix ? { fix } : {}),
  }
}

const EVERY_NAMESPACE = makeSelector([])

const namespaceTallies = new WeakMap<LintContext, LabelTally>()
/** The labels of the input's namespaces, tallied once. */
function namespaceTally(ctx: LintContext): LabelTally {
  let t = namespaceTallies.get(ctx)
  if (t === undefined) namespaceTallies.set(ctx, (t = tallyLabels([...ctx.cluster.namespaces.values()].map((n) => n.labels))))
  return t
}

/** How many pods of namespaces other than `namespace` the pod selector matches, and their namespaces (sorted). */
function podsElsewhere(ctx: LintContext, sel: LabelSelector, namespace: string): { count: number; namespaces: string[] } {
  let known = elsewhereSeen.get(ctx)
  if (known === undefined) elsewhereSeen.set(ctx, (known = new Map()))
  const key = `${namespace}\n${sel.key}`
  let r = known.get(key)
  if (r === undefined) known.set(key, (r = countElsewhere(ctx, sel, namespace)))
  return { count: r.count, namespaces: [...r.namespaces] }
}
const elsewhereSeen = new WeakMap<LintContext, Map<string, { count: number; namespaces: readonly string[] }>>()

function countElsewhere(ctx: LintContext, sel: LabelSelector, namespace: string): { count: number; namespaces: string[] } {
  // a peer of every namespace: `namespaceSelector: {}` with this podSelector
  const peer: Peer = { kind: 'pods', podSelector: sel, namespaces: { kind: 'selector', selector: EVERY_NAMESPACE }, written: { podSelector: true, namespaceSelector: true } }
  let count = 0
  const namespaces: string[] = []
  for (const [ns, n] of ctx.classes.countByNamespace(peer, '')) {
    if (ns === namespace || n === 0) continue
    count += n
    namespaces.push(ns)
  }
  return { count, namespaces: namespaces.sort() }
}

/** "; it matches 3 pods in web (…): <why that does not count>" when the selector matches pods of other namespaces. */
function elsewhere(ctx: LintContext, sel: LabelSelector, namespace: string, why: string): Part[] {
  const other = podsElsewhere(ctx, sel, namespace)
  if (other.count === 0 || sel.requirements.length === 0) return []
  return msg`; it matches ${count(other.count, 'pod')} in ${joinParts(other.namespaces.map((n) => [ref(n)]))}, but ${why}`
}
