import type { Pod } from '../../model/cluster.js'
import { toDotPath } from '../../model/issues.js'
import type { NetworkPolicy } from '../../model/policy.js'
import type { PortSpec } from '../../model/port.js'
import { matchPorts } from '../../engine/match-port.js'
import { isolatingPolicies } from '../../engine/select.js'
import type { PeerSets } from '../../engine/peer-cache.js'
import type { PeerPods } from '../../engine/peer-pods.js'
import type { Check } from './check.js'
import { rulesOf, type LintContext, type RuleAt } from './context.js'
import { blockCovers, peersCover, portCovers, selectorImplies } from './coverage.js'
import { duplicatePolicies } from './duplicate-policy.js'
import { code, joinParts, msg, policyObject, ref, type Draft, type Part, type RelatedObject } from './finding.js'
import { ruleDestinations } from './rule-destinations.js'

/** How coverage was decided: from selectors, blocks and ports alone (holds in any cluster), or on the input's pods. */
export type Proof = 'any-cluster' | 'this-input'
const worst = (...ps: Proof[]): Proof => (ps.includes('this-input') ? 'this-input' : 'any-cluster')

interface RuleInfo {
  readonly at: RuleAt
  readonly order: number
  /** the pods the rule's peers admit (every pod when it has no peer list), as classes */
  readonly peers: PeerSets
  /** admits no pod and no address block in this input: any coverage would be vacuous */
  readonly vacuous: boolean
  /** the pods its ports are matched against (computed when first needed) */
  readonly dests: () => readonly Pod[]
}

interface Cover {
  readonly by: RuleInfo
  readonly proof: Proof
}

/** Is sorted list `a` a subset of sorted list `b`? */
function subset(a: Int32Array, b: Int32Array): boolean {
  let j = 0
  for (let i = 0; i < a.length; i++) {
    while (j < b.length && b[j]! < a[i]!) j++
    if (j === b.length || b[j] !== a[i]) return false
  }
  return true
}
const MAX_RANGE = 64

export const redundantRule: Check = {
  id: 'NP010',
  slug: 'redundant-rule',
  severity: 'info',
  title: 'a rule, or a whole policy, allows nothing that others do not already allow',
  description:
    'A rule is covered when another rule of the same direction, in a policy of the namespace that selects at least ' +
    'the same pods, admits every peer and port it admits. Coverage is proven from the selectors where possible (then ' +
    'it holds in any cluster), and otherwise decided on the pods and labels of the input, which the message says. ' +
    'A policy is redundant when all its rules are covered by other policies and others isolate its pods too ' +
    '(policies that only isolate a direction, such as default-deny baselines, are never called redundant). ' +
    'Exact duplicate policies are reported by NP011 instead.',
  run(ctx) {
    const dups = duplicatePolicies(ctx.cluster.policies)
    const classes = ctx.classes
    // the pods a policy selects, as their selector classes (what selection reads), sorted
    const selectorClasses = (pods: readonly Pod[]) => Int32Array.from(new Set(pods.map((p) => classes.selectorClassOf(p)))).sort()
    const selected = new Map<NetworkPolicy, Int32Array>()
    const infos = new Map<NetworkPolicy, RuleInfo[]>()
    const groups = new Map<string, RuleInfo[]>()
    let order = 0
    const policies = ctx.cluster.policies.filter((p) => !dups.has(p) && ctx.selectedBy(p).length > 0)
    for (const policy of policies) {
      selected.set(policy, selectorClasses(ctx.selectedBy(policy)))
      const list: RuleInfo[] = []
      for (const at of rulesOf(policy)) {
        const peers = at.rule.peers
        const sets = classes.ofRuleClasses(at.rule, policy)
        const vacuous = peers !== 'any' && sets.sel.isEmpty() && sets.addr.isEmpty() && !peers.some((p) => p.kind === 'ipBlock')
        let dests: readonly Pod[] | null = null
        const info: RuleInfo = { at, order: order++, peers: sets, vacuous, dests: () => (dests ??= ruleDestinations(ctx, at)) }
        list.push(info)
        const key = `${policy.namespace}\n${at.direction}`
        const g = groups.get(key)
        if (g) g.push(info)
        else groups.set(key, [info])
      }
      infos.set(policy, list)
    }

    const covers = (b: RuleInfo, a: RuleInfo): Proof | null => {
      if (a === b || a.vacuous) return null
      const P = a.at.policy
      const Q = b.at.policy
      const selection: Proof | null = selectorImplies(P.podSelector, Q.podSelector) ? 'any-cluster' : subset(selected.get(P)!, selected.get(Q)!) ? 'this-input' : null
      if (selection === null) return null
      const peers = peersCoverage(b, a, classes)
      if (peers === null) return null
      const ports = portsCoverage(b, a)
      return ports === null ? null : worst(selection, peers, ports)
    }

    // every admissible coverer of each rule. Of two rules that cover each other, the one whose removal is proven
    // safe goes; when both proofs are alike, the later one goes.
    const coverers = new Map<RuleInfo, Cover[]>()
    for (const rules of groups.values()) {
      for (const a of rules) {
        const list: Cover[] = []
        for (const b of rules) {
          const proof = covers(b, a)
          if (proof === null) continue
          const back = covers(a, b)
          if (back !== null && !(proof === back ? b.order < a.order : proof === 'any-cluster')) continue
          list.push({ by: b, proof })
        }
        if (list.length > 0) coverers.set(a, list)
      }
    }

    // whole policies, last first, so that of two equivalent policies the later one is reported
    const removed = new Map<NetworkPolicy, { proof: Proof; isolatedBy: NetworkPolicy[]; covers: Cover[] }>()
    for (const P of [...policies].reverse()) {
      const r = wholePolicy(ctx, P, infos.get(P)!, coverers, removed, dups)
      if (r) removed.set(P, r)
    }

    const out: Draft[] = []
    for (const P of policies) {
      const whole = removed.get(P)
      if (whole) {
        out.push(policyDraft(P, whole))
        continue
      }
      for (const a of infos.get(P)!) {
        const list = coverers.get(a)
        if (!list) continue
        const best = [...list].sort((x, y) => score(x, removed) - score(y, removed) || x.by.order - y.by.order)[0]!
        out.push(ruleDraft(a, best))
      }
    }
    return out
  },
}

const score = (c: Cover, removed: ReadonlyMap<NetworkPolicy, unknown>) => (removed.has(c.by.at.policy) ? 2 : 0) + (c.proof === 'this-input' ? 1 : 0)

function peersCoverage(b: RuleInfo, a: RuleInfo, classes: PeerPods): Proof | null {
  const bp = b.at.rule.peers
  const ap = a.at.rule.peers
  if (peersCover(bp, ap, a.at.policy.namespace)) return 'any-cluster'
  if (bp === 'any' || ap === 'any') return null
  if (!classes.admitsAll(a.peers, b.peers)) return null
  // addresses outside the pods cannot be enumerated: each block must sit inside a block of b
  const blocks = bp.flatMap((p) => (p.kind === 'ipBlock' ? [p.block] : []))
  return ap.every((p) => p.kind !== 'ipBlock' || blocks.some((bb) => blockCovers(bb, p.block))) ? 'this-input' : null
}

function portsCoverage(b: RuleInfo, a: RuleInfo): Proof | null {
  const bp = b.at.rule.ports
  const ap = a.at.rule.ports
  if (bp === 'any') return 'any-cluster'
  if (ap === 'any') return null
  const peers = a.at.rule.peers
  // for egress to addresses outside the pods, only numbers count: a named port never matches there
  const external = a.at.direction === 'egress' && (peers === 'any' || peers.some((p) => p.kind === 'ipBlock'))
  let proof: Proof = 'any-cluster'
  for (const spec of ap) {
    if (bp.some((sb) => portCovers(sb, spec))) continue
    const p = specCoverage(spec, bp, a.dests, external)
    if (p === null) return null
    proof = worst(proof, p)
  }
  return proof
}

function specCoverage(spec: PortSpec, bp: readonly PortSpec[], dests: () => readonly Pod[], external: boolean): Proof | null {
  const v = spec.port
  if (v.kind === 'all') return null
  if (v.kind === 'named') {
    for (const d of dests()) {
      for (const c of d.ports) {
        if (c.name === v.name && c.protocol === spec.protocol && !matchPorts(bp, c.port, spec.protocol, d).ok) return null
      }
    }
    return 'this-input'
  }
  if (v.to - v.from > MAX_RANGE) return null
  let needsPods = false
  for (let n = v.from; n <= v.to; n++) {
    if (matchPorts(bp, n, spec.protocol, null).ok) continue
    if (external) return null
    needsPods = true
    for (const d of dests()) if (!matchPorts(bp, n, spec.protocol, d).ok) return null
  }
  return needsPods ? 'this-input' : 'any-cluster'
}

function wholePolicy(
  ctx: LintContext,
  P: NetworkPolicy,
  rules: readonly RuleInfo[],
  coverers: ReadonlyMap<RuleInfo, Cover[]>,
  removed: ReadonlyMap<NetworkPolicy, unknown>,
  dups: ReadonlyMap<NetworkPolicy, NetworkPolicy>,
): { proof: Proof; isolatedBy: NetworkPolicy[]; covers: Cover[] } | null {
  // a policy that only isolates in some direction (no rules there) is a deliberate safety net: keep it
  if ((P.ingress !== null && P.ingress.length === 0) || (P.egress !== null && P.egress.length === 0)) return null
  const usable = (q: NetworkPolicy) => q !== P && !removed.has(q) && !dups.has(q)
  const chosen: Cover[] = []
  for (const a of rules) {
    const c = (coverers.get(a) ?? []).filter((x) => usable(x.by.at.policy)).sort((x, y) => (x.proof === y.proof ? x.by.order - y.by.order : x.proof === 'any-cluster' ? -1 : 1))[0]
    if (!c) return null
    chosen.push(c)
  }
  // removing P must not un-isolate any pod: other policies isolate each of its pods in each of its directions
  const isolatedBy = new Set<NetworkPolicy>()
  let proof: Proof = worst(...chosen.map((c) => c.proof))
  for (const direction of ['ingress', 'egress'] as const) {
    if (P[direction] === null) continue
    const syntactic = policiesIn(ctx, P.namespace).find((q) => usable(q) && q[direction] !== null && selectorImplies(P.podSelector, q.podSelector))
    if (syntactic) {
      isolatedBy.add(syntactic)
      continue
    }
    for (const pod of ctx.selectedBy(P)) {
      const q = isolatingPolicies(ctx.index, pod, direction).find(usable)
      if (!q) return null
      isolatedBy.add(q)
    }
    proof = 'this-input'
  }
  return { proof, isolatedBy: [...isolatedBy], covers: chosen }
}

const byNamespace = new WeakMap<LintContext, Map<string, NetworkPolicy[]>>()
/** The policies of one namespace, in input order. */
function policiesIn(ctx: LintContext, namespace: string): readonly NetworkPolicy[] {
  let m = byNamespace.get(ctx)
  if (m === undefined) {
    m = new Map()
    for (const p of ctx.cluster.policies) {
      const list = m.get(p.namespace)
      if (list) list.push(p)
      else m.set(p.namespace, [p])
    }
    byNamespace.set(ctx, m)
  }
  return m.get(namespace) ?? []
}

const proofText = (p: Proof): Part[] =>
  p === 'any-cluster'
    ? msg` (this follows from the selectors, so it holds in any cluster)`
    : msg` (true for the pods and labels of this input, not provable from the selectors alone: it may stop holding when pods or labels change)`

const nameOf = (p: NetworkPolicy) => `${p.namespace}/${p.name}`

function ruleDraft(a: RuleInfo, c: Cover): Draft {
  const P = a.at.policy
  const Q = c.by.at.policy
  const where = P === Q ? msg`${code(toDotPath(c.by.at.path))} of this policy` : msg`${code(toDotPath(c.by.at.path))} of ${ref(nameOf(Q))}`
  const selects = P === Q ? [] : msg`that policy selects every pod this one selects, and `
  return {
    object: policyObject(P),
    path: a.at.path,
    message: msg`this rule allows nothing that ${where} does not: ${selects}that rule admits every peer and port this one admits${proofText(c.proof)}`,
    fix: { text: c.proof === 'any-cluster' ? msg`remove the rule` : msg`remove the rule, unless it is meant to keep this traffic allowed when labels change` },
    related: [{ object: policyObject(Q), path: c.by.at.path }],
  }
}

function policyDraft(P: NetworkPolicy, r: { proof: Proof; isolatedBy: NetworkPolicy[]; covers: Cover[] }): Draft {
  const dirs = (['ingress', 'egress'] as const).filter((d) => P[d] !== null)
  const iso = msg`every pod it selects is also isolated for ${dirs.join(' and ')} by ${joinParts(r.isolatedBy.map((q) => [ref(nameOf(q))]))}`
  const covered = r.covers.map((c, i) => msg`${code(toDotPath(rulesOfPath(P, i)))} by ${code(toDotPath(c.by.at.path))} of ${ref(nameOf(c.by.at.policy))}`)
  const rules = covered.length === 0 ? msg` and it has no rules` : msg`, and each of its rules is covered (${joinParts(covered)})`
  const related: RelatedObject[] = [
    ...r.isolatedBy.map((q) => ({ object: policyObject(q), path: ['spec', 'podSelector'] })),
    ...r.covers.map((c) => ({ object: policyObject(c.by.at.policy), path: c.by.at.path })),
  ]
  const seen = new Set<string>()
  return {
    object: policyObject(P),
    path: [],
    message: msg`this whole policy changes nothing: ${iso}${rules}${proofText(r.proof)}`,
    fix: { text: r.proof === 'any-cluster' ? msg`delete the policy` : msg`delete the policy, unless it is meant to keep its effect when labels change` },
    related: related.filter((x) => {
      const k = `${x.object.namespace}/${x.object.name}\n${toDotPath(x.path)}`
      return seen.has(k) ? false : (seen.add(k), true)
    }),
  }
}

function rulesOfPath(P: NetworkPolicy, i: number) {
  return rulesOf(P)[i]!.path
}
