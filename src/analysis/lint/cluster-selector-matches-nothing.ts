import type { Pod } from '../../model/cluster.js'
import type { ClusterPolicy } from '../../model/cluster-policy.js'
import type { Path } from '../../model/issues.js'
import type { LabelSelector } from '../../model/label-selector.js'
import { selectorMatches } from '../../model/label-selector.js'
import type { Check } from './check.js'
import type { LintContext } from './context.js'
import { msg, ref, refList, type Draft, type Part } from './finding.js'
import { emptySelectorHint, NAMESPACE, POD, type Noun } from './suggest-labels.js'
import { DIRECTIONS } from './tier-classes.js'
import { clusterPolicyObject } from './tier-words.js'

const NODE: Noun = { one: 'Node', many: 'Nodes' }

export const clusterSelectorMatchesNothing: Check = {
  id: 'NP022',
  slug: 'cluster-selector-matches-nothing',
  severity: 'warning',
  title: 'a cluster policy\'s subject selects no pod, or a peer matches no namespace, pod or Node',
  description:
    'As for NetworkPolicies (NP004): a selector with a typo or a label nothing carries makes a cluster policy, or ' +
    'one of its peers, apply to nothing. Shows the nearest labels that exist. Host-network pods are never ' +
    'subjects nor namespaces/pods peers ("host-networked pods are not included"). Namespaces with no pods in ' +
    'the input are not judged, and `nodes` peers only when the input has Node objects.',
  run(ctx) {
    const t = ctx.tiers
    if (t === null) return []
    const out: Draft[] = []
    for (const p of ctx.cluster.clusterPolicies) {
      // the classes answer first (remembered per selector); the words only for what selects nothing
      const s = p.subject
      if (t.subjects(p).isEmpty()) {
        const subject =
          s.kind === 'namespaces'
            ? selection(ctx, s.selector, null, ['spec', 'subject', 'namespaces'], 'subject', 'selects')
            : selection(ctx, s.namespaceSelector, s.podSelector, ['spec', 'subject', 'pods'], 'subject', 'selects')
        if (subject !== null) out.push(draft(p, subject))
      }
      for (const d of DIRECTIONS) {
        p[d].forEach((rule, i) =>
          rule.peers.forEach((peer, j) => {
            const at: Path = ['spec', d, i, d === 'ingress' ? 'from' : 'to', j]
            let found: Found | null = null
            if (peer.kind === 'nodes') found = nodesFound(ctx, peer.selector, [...at, 'nodes'])
            else if ((peer.kind === 'namespaces' || peer.kind === 'pods') && t.peers.forClusterPeer(peer).isEmpty()) {
              found =
                peer.kind === 'namespaces'
                  ? selection(ctx, peer.selector, null, [...at, 'namespaces'], 'peer', 'admits')
                  : selection(ctx, peer.namespaceSelector, peer.podSelector, [...at, 'pods'], 'peer', 'admits')
            }
            if (found !== null) out.push(draft(p, found))
          }),
        )
      }
    }
    return out
  },
}

interface Found {
  readonly path: Path
  readonly message: readonly Part[]
}

const draft = (p: ClusterPolicy, f: Found): Draft => ({ object: clusterPolicyObject(p), path: f.path, message: f.message })

/**
 * Why a namespace selector (and a pod selector in those namespaces) picks no pod, or null when it picks some, or
 * when there are no pods to judge it by. Host-network pods never count.
 */
function selection(ctx: LintContext, nsSel: LabelSelector, podSel: LabelSelector | null, at: Path, what: 'subject' | 'peer', verb: string): Found | null {
  const namespaces = ctx.namespacesMatching(nsSel)
  const nsPath = podSel === null ? at : [...at, 'namespaceSelector']
  if (namespaces.length === 0) {
    const all = [...ctx.cluster.namespaces.values()]
    return { path: nsPath, message: msg`this ${what} matches no namespace: ${emptySelectorHint(nsSel, all.map((n) => n.labels), NAMESPACE, [])}` }
  }
  const candidates: Pod[] = namespaces.flatMap((ns) => ctx.podsIn(ns)).filter((p) => !p.hostNetwork)
  if (candidates.length === 0) {
    const host = namespaces.flatMap((ns) => ctx.podsIn(ns))
    if (host.length === 0) return null
    return { path: nsPath, message: msg`this ${what} ${verb} no pod: the pods of ${refList(namespaces)} are all host-network pods, which cluster policies never select` }
  }
  if (podSel === null || candidates.some((p) => selectorMatches(podSel, p.labels))) return null
  const scope = namespaces.length === 1 ? msg` in ${ref(namespaces[0]!)}` : msg` in the selected namespaces (${refList(namespaces)})`
  return { path: [...at, 'podSelector'], message: msg`this ${what} ${verb} no pod: ${emptySelectorHint(podSel, candidates.map((p) => p.labels), POD, scope)}` }
}

function nodesFound(ctx: LintContext, sel: LabelSelector, at: Path): Found | null {
  const nodes = ctx.cluster.nodes
  if (nodes.length === 0 || nodes.some((n) => selectorMatches(sel, n.labels))) return null
  return { path: at, message: msg`this peer matches no Node: ${emptySelectorHint(sel, nodes.map((n) => n.labels), NODE, [])}` }
}
