import type { Pod } from '../../model/cluster.js'
import type { ClusterPolicy } from '../../model/cluster-policy.js'
import type { Direction } from '../../model/policy.js'
import type { Bitset } from '../../engine/bitset.js'
import { namedPortsKey } from '../../engine/identities.js'
import { intersect, type PortSet } from '../../engine/tier-decisions.js'
import type { Check } from './check.js'
import { msg, ref, type Draft } from './finding.js'
import { clusterRulesOf, DIRECTIONS, ruleKey, type ClusterRuleAt, type TierClasses } from './tier-classes.js'
import { actionOf, clusterPolicyObject, connectionWords, policyName, ruleWords } from './tier-words.js'

interface Overlap {
  readonly first: ClusterRuleAt
  readonly second: ClusterRuleAt
  readonly subject: Pod
  readonly block: number
  readonly ports: PortSet
}

export const tierPriorityOverlap: Check = {
  id: 'NP018',
  slug: 'tier-priority-overlap',
  severity: 'warning',
  title: 'two cluster policies of one tier have the same priority and rules that match the same connections with different actions',
  description:
    '"If two (or more) policies in the same tier with the same priority could match a connection, then the ' +
    'implementation can apply any of the matching policies to the connection, and there is no way for the user to ' +
    'reliably determine which one it will choose" (ClusterNetworkPolicy spec.priority). netpol evaluates policies ' +
    'of equal priority by name, then kind; another implementation may take them the other way round, and where ' +
    'their first matching rules differ in action, the outcome differs. Give the policies distinct priorities. ' +
    'Decided on the pods, namespaces and Nodes of the input.',
  run(ctx) {
    const t = ctx.tiers
    if (t === null) return []
    const byPriority = new Map<string, ClusterPolicy[]>()
    for (const p of ctx.cluster.clusterPolicies) {
      if (p.priority === null) continue
      const k = `${p.tier} ${p.priority}`
      const list = byPriority.get(k)
      if (list) list.push(p)
      else byPriority.set(k, [p])
    }
    const out: Draft[] = []
    for (const list of byPriority.values()) {
      // in evaluation order (compareInTier): the first of a pair is the one netpol takes first
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          for (const d of DIRECTIONS) for (const o of overlaps(t, list[i]!, list[j]!, d)) out.push(draft(t, o))
        }
      }
    }
    return out
  },
}

/**
 * The pairs of rules (one of `p`, one of `q`) that decide some connection differently, each policy taken alone:
 * per common subject (one per named ports when a rule names a port on ingress) and end block, the first matching
 * rule of each policy per port.
 */
function overlaps(t: TierClasses, p: ClusterPolicy, q: ClusterPolicy, d: Direction): Overlap[] {
  if (p[d].length === 0 || q[d].length === 0) return []
  const common = t.subjects(p).and(t.subjects(q))
  if (common.isEmpty()) return []
  const rp = clusterRulesOf(p, d)
  const rq = clusterRulesOf(q, d)
  const named = d === 'ingress' && [...p[d], ...q[d]].some((r) => r.ports !== 'any' && r.ports.some((x) => x.kind === 'named'))
  const subjects = new Map<string, Pod>()
  common.forEach((s) => {
    const pod = t.subjectPod(s)
    const k = named ? namedPortsKey(pod) : ''
    if (!subjects.has(k)) subjects.set(k, pod)
  })
  const found = new Map<string, Overlap>()
  for (const [nk, subject] of subjects) {
    for (const b of t.distinctBlocks(`pair ${p.kind}/${p.name} ${q.kind}/${q.name} ${d}`, [...rp, ...rq])) {
      const wq = t.walk(`policy ${q.kind}/${q.name} ${d} ${nk}`, rq, b, subject)
      if (wq.length === 0) continue
      const wp = t.walk(`policy ${p.kind}/${p.name} ${d} ${nk}`, rp, b, subject)
      for (const a of wp) {
        if (a.took.length === 0) continue
        for (const c of wq) {
          if (c.took.length === 0 || a.at.rule.action === c.at.rule.action) continue
          const k = `${ruleKey(a.at)}\n${ruleKey(c.at)}`
          if (found.has(k)) continue
          const ports = intersect(a.took, c.took)
          if (ports.length > 0) found.set(k, { first: a.at, second: c.at, subject: exampleSubject(t, common, subject, nk, named, b), block: b, ports })
        }
      }
    }
  }
  return [...found.values()]
}

/**
 * A subject for the example connection: `subject`, or when the block's pod is that very pod (a pod reaching itself,
 * which no tier decides) another common subject with the same named ports.
 */
function exampleSubject(t: TierClasses, common: Bitset, subject: Pod, nk: string, named: boolean, b: number): Pod {
  const end = t.blocks[b]!.pod
  if (end !== subject) return subject
  let other: Pod | null = null
  common.forEach((s) => {
    const pod = t.subjectPod(s)
    if (other === null && pod !== end && (!named || namedPortsKey(pod) === nk)) other = pod
  })
  return other ?? subject
}

function draft(t: TierClasses, o: Overlap): Draft {
  const p = o.first.policy
  const q = o.second.policy
  return {
    object: clusterPolicyObject(q),
    path: o.second.path,
    message: msg`${ruleWords(o.second)} and ${ruleWords(o.first)} have the same priority and both match some connections (e.g. ${connectionWords(o.first.direction, o.subject, t.blocks[o.block]!, o.ports)}) with different actions; the API leaves the order of equal priorities undefined: netpol evaluates ${ref(policyName(p))} first (by name, then kind), so ${actionOf(o.first)} decides them, but other implementations may take ${ref(policyName(q))} first and ${actionOf(o.second)}`,
    fix: { text: msg`give one of the policies another priority, so that the order is the one meant on every implementation` },
    related: [{ object: clusterPolicyObject(p), path: o.first.path }],
  }
}
