import { formatSelector } from '../../model/label-selector.js'
import type { Peer } from '../../model/policy.js'
import { Bitset } from '../../engine/bitset.js'
import type { Check } from './check.js'
import { rulesOf } from './context.js'
import { code, count, msg, policyObject, refList, type Draft } from './finding.js'
import { peerLines } from './yaml-snippet.js'

type PodsPeer = Peer & { kind: 'pods' }
const nsOnly = (p: Peer): p is PodsPeer => p.kind === 'pods' && p.written.namespaceSelector && !p.written.podSelector
const podOnly = (p: Peer): p is PodsPeer => p.kind === 'pods' && p.written.podSelector && !p.written.namespaceSelector

/**
 * Adjacent peers of one rule where one has only a namespaceSelector and the other only a podSelector, in either
 * order; a peer belongs to at most one pair. `index` is the first of the two.
 */
export function andOrPairs(peers: readonly Peer[]): { index: number; ns: PodsPeer; pods: PodsPeer }[] {
  const out: { index: number; ns: PodsPeer; pods: PodsPeer }[] = []
  for (let j = 0; j + 1 < peers.length; j++) {
    const a = peers[j]!
    const b = peers[j + 1]!
    if (nsOnly(a) && podOnly(b)) out.push({ index: j, ns: a, pods: b })
    else if (nsOnly(b) && podOnly(a)) out.push({ index: j, ns: b, pods: a })
    else continue
    j++
  }
  return out
}

export const andOrPeers: Check = {
  id: 'NP008',
  slug: 'and-or-peers',
  severity: 'warning',
  title: 'a namespaceSelector-only peer next to a podSelector-only peer: OR where AND was likely meant',
  description:
    'Two list entries (`- namespaceSelector` and `- podSelector`) are two peers, and a rule admits what either ' +
    'admits: every pod of the selected namespaces, plus the matching pods of the policy\'s own namespace. One entry ' +
    'holding both selectors admits only the matching pods of the selected namespaces. The difference is one dash.',
  run(ctx) {
    const out: Draft[] = []
    for (const policy of ctx.cluster.policies) {
      for (const at of rulesOf(policy)) {
        const peers = at.rule.peers
        if (peers === 'any') continue
        for (const { index: j, ns, pods } of andOrPairs(peers)) {
          const both: PodsPeer = { kind: 'pods', podSelector: pods.podSelector, namespaces: ns.namespaces, written: { podSelector: true, namespaceSelector: true } }
          // counted on classes: the three peers admit whole selector classes
          const cache = ctx.classes.cache
          const nsBits = cache.forPeer(ns, policy.namespace)
          const ownBits = cache.forPeer(pods, policy.namespace)
          const andBits = cache.forPeer(both, policy.namespace)
          const orBits = Bitset.copy(nsBits)
          orBits.orWith(ownBits)
          const nsCount = ctx.classes.countSelectors(nsBits)
          const ownCount = ctx.classes.countSelectors(ownBits)
          const andCount = ctx.classes.countSelectors(andBits)
          const orCount = ctx.classes.countSelectors(orBits)
          // an AND that admits nobody was probably not meant either, unless the podSelector alone is useless too
          if (andCount === 0 && ownCount > 0) continue
          const same = orCount === andCount && andBits.and(orBits).words.every((w, i) => w === andBits.words[i])
          const today = same ? msg` (the same pods today, but not once another pod runs in those namespaces)` : []
          const nsNames = ns.namespaces.kind === 'selector' ? ctx.namespacesMatching(ns.namespaces.selector) : []
          const sel = code(formatSelector(pods.podSelector))
          out.push({
            object: policyObject(policy),
            path: [...at.path, at.peersKey, j],
            message: msg`${code(`${at.peersKey}[${j}]`)} and ${code(`${at.peersKey}[${j + 1}]`)} are two peers, and a rule admits what either admits: as written it admits every pod of ${nsNames.length ? refList(nsNames) : 'no namespace'} (${count(nsCount, 'pod')}) plus the pods with ${sel} in ${refList([policy.namespace])} (${count(ownCount, 'pod')}), ${count(orCount, 'pod')} in all; one peer with both selectors would admit only the pods with ${sel} in those namespaces (${count(andCount, 'pod')})${today}`,
            fix: {
              text: msg`if both must hold, write them in one list entry (no dash before ${code('podSelector')})`,
              yaml: `${at.peersKey}:\n${peerLines(both).join('\n')}\n`,
            },
          })
        }
      }
    }
    return out
  },
}
