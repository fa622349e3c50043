import { CONTROLLER_LABELS } from './context.js'
import type { Check } from './check.js'
import { code, count, joinParts, msg, podList, policyObject, ref, refList, type Draft, type Fix } from './finding.js'
import { peersOf } from './peers.js'
import { NAME_LABEL } from './namespace-name-label.js'
import { labelsFlow } from './yaml-snippet.js'
import type { Pod } from '../../model/cluster.js'
import type { Labels } from '../../model/labels.js'

export const ipblockPodIps: Check = {
  id: 'NP009',
  slug: 'ipblock-pod-ips',
  severity: 'warning',
  title: 'an ipBlock contains pod addresses',
  description:
    'Pod addresses change whenever a pod is recreated, and ipBlock is meant for addresses outside the cluster: ' +
    'some network plugins do not match pod traffic against ipBlock at all. Select pods with podSelector and ' +
    'namespaceSelector instead. Blocks of prefix length 0 (anywhere) are not reported.',
  run(ctx) {
    const out: Draft[] = []
    // the same block is often written in many policies
    const byBlock = new Map<string, { pods: readonly Pod[]; nss: string[] }>()
    for (const policy of ctx.cluster.policies) {
      for (const { peer, path } of peersOf(policy)) {
        if (peer.kind !== 'ipBlock' || peer.block.cidr.prefix === 0) continue
        let inside = byBlock.get(peer.block.key)
        if (inside === undefined) {
          // hostNetwork pods use their node's address; nodes are legitimate ipBlock targets
          const pods = ctx.peerPods(peer, policy.namespace).filter((p) => !p.hostNetwork)
          inside = { pods, nss: [...new Set(pods.map((p) => p.namespace))].sort() }
          byBlock.set(peer.block.key, inside)
        }
        const { pods, nss } = inside
        if (pods.length === 0) continue
        out.push({
          object: policyObject(policy),
          path: [...path, 'ipBlock'],
          message: msg`ipBlock ${code(peer.block.cidr.text)} contains the addresses of ${count(pods.length, 'pod')} (${podList(pods)}) in ${joinParts(nss.map((n) => [ref(n)]))}; pod addresses change when pods are recreated, and some network plugins never match pod traffic against ipBlock`,
          ...selectorFix(pods, nss),
        })
      }
    }
    return out
  },
}

/** When the pods share a namespace and some labels, the peer that selects them by those labels. */
function selectorFix(pods: readonly Pod[], nss: readonly string[]): { fix?: Fix } {
  if (nss.length !== 1) return { fix: { text: msg`select these pods with namespaceSelector and podSelector peers, and keep ipBlock for addresses outside the cluster` } }
  const common: Record<string, string> = {}
  for (const [k, v] of Object.entries(pods[0]!.labels)) {
    if (!CONTROLLER_LABELS.has(k) && pods.every((p) => p.labels[k] === v)) common[k] = v
  }
  const nsLine = `- namespaceSelector: {matchLabels: {${NAME_LABEL}: ${nss[0]}}}`
  const podLine = Object.keys(common).length > 0 ? `  podSelector: {matchLabels: ${labelsFlow(common as Labels)}}` : '  podSelector: {}'
  return {
    fix: {
      text: msg`select the pods by namespace and labels (the labels below are the ones these pods share)`,
      yaml: `${nsLine}\n${podLine}\n`,
    },
  }
}
