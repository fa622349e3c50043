import type { Direction } from '../../model/policy.js'
import { isolatingPolicies } from '../../engine/select.js'
import { intersect } from '../../engine/tier-decisions.js'
import type { Check } from './check.js'
import { msg, podList, type Draft } from './finding.js'
import { DIRECTIONS, ruleKey, type ClusterRuleAt, type SubjectGroup, type TierClasses } from './tier-classes.js'
import { clusterPolicyObject, ruleWords } from './tier-words.js'

/** Per Admin Pass rule: the subjects (selector classes) it passes some connection of, and those where nothing stands behind it. */
interface PassFate {
  readonly at: ClusterRuleAt
  readonly passes: Set<number>
  readonly open: Set<number>
}

export const adminPassAllows: Check = {
  id: 'NP020',
  slug: 'admin-pass-allows',
  severity: 'info',
  title: 'an Admin tier Pass has nothing behind it: it allows what it passes',
  description:
    'Pass "skips all further ClusterNetworkPolicy rules in the current tier for the selected traffic, and passes ' +
    'evaluation to the next tier": the NetworkPolicies of the pod, then the Baseline tier, then the default, which ' +
    'allows. For a pod that no NetworkPolicy isolates in that direction, and connections that no Baseline rule ' +
    'denies, a Pass allows as an Accept would. That is often meant (the namespace owners have not written ' +
    'policies yet); if the Pass was meant to hand the decision to them, they have none to make. Decided on the ' +
    'pods, namespaces and Nodes of the input.',
  run(ctx) {
    const t = ctx.tiers
    if (t === null) return []
    const out: Draft[] = []
    for (const d of DIRECTIONS) {
      const fates = new Map<string, PassFate>()
      const baseline = baselineGroups(t, d)
      for (const g of t.subjectGroups('Admin', d)) {
        if (!g.rules.some((r) => r.rule.action === 'Pass')) continue
        for (let b = 0; b < t.blocks.length; b++) {
          for (const step of t.walk(g.key, g.rules, b, t.subjectPod(g.subjects[0]!))) {
            if (step.at.rule.action !== 'Pass' || step.took.length === 0) continue
            const k = ruleKey(step.at)
            let f = fates.get(k)
            if (f === undefined) fates.set(k, (f = { at: step.at, passes: new Set(), open: new Set() }))
            for (const s of g.subjects) {
              f.passes.add(s)
              if (f.open.has(s)) continue
              const subject = t.subjectPod(s)
              if (isolatingPolicies(t.index, subject, d).length > 0) continue
              const bg = baseline.get(s)
              // "no Baseline rule denies": a Baseline Accept or Pass ends in an allow as the default does
              const denied = bg !== undefined && t.walk(bg.key, bg.rules, b, subject).some((x) => x.at.rule.action === 'Deny' && intersect(x.took, step.took).length > 0)
              if (!denied) f.open.add(s)
            }
          }
        }
      }
      for (const f of fates.values()) if (f.open.size > 0) out.push(draft(t, f, d))
    }
    return out
  },
}

/** The Baseline subject group of each selector class, for one direction. */
function baselineGroups(t: TierClasses, d: Direction): Map<number, SubjectGroup> {
  const m = new Map<number, SubjectGroup>()
  for (const g of t.subjectGroups('Baseline', d)) for (const s of g.subjects) m.set(s, g)
  return m
}

function draft(t: TierClasses, f: PassFate, d: Direction): Draft {
  const pods = t.podsOf([...f.open].sort((a, b) => a - b))
  const all = f.open.size === f.passes.size
  const whom = all ? msg`for every pod whose connections it passes (${podList(pods)})` : msg`for ${pods.length} of the pods whose connections it passes (${podList(pods)})`
  return {
    object: clusterPolicyObject(f.at.policy),
    path: f.at.path,
    message: msg`${ruleWords(f.at)} allows as an Accept would ${whom}: no NetworkPolicy isolates ${pods.length === 1 ? 'it' : 'them'} for ${d} and no Baseline rule denies those connections, so the default allows them`,
    fix: { text: all ? msg`write Accept if allowing is meant; if the decision was meant for the namespace owners, they need a NetworkPolicy that selects these pods for ${d}` : msg`if the decision was meant for the namespace owners, these pods need a NetworkPolicy that selects them for ${d}` },
  }
}
