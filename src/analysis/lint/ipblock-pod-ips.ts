import { CONTROLLER_LABELS } from './context.js'
import type { Check } from './check.js'
import { code, count, joinParts, msg, podList, policyObject, ref, refList, type Draft, type Fix } from './finding.js'
import { peersOf } from './peers.js'
import { NAME_LABEL } from './namespace-name-label.js'
import { labelsFlow } from './yaml-snippet.js'
import type { Pod } from '../../model/cluster.js'
import { canonicalCidr, type Cidr } from '../../model/ip.js'
import type { IpBlock } from '../../model/ip-block.js'
import type { LintContext } from './context.js'
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
    const inside = new BlockPods(ctx)
    for (const policy of ctx.cluster.policies) {
      for (const { peer, path } of peersOf(policy)) {
        if (peer.kind !== 'ipBlock' || peer.block.cidr.prefix === 0) continue
        const { count: n, nss, pods } = inside.of(peer.block)
        if (n === 0) continue
        out.push({
          object: policyObject(policy),
          path: [...path, 'ipBlock'],
          message: msg`ipBlock ${code(peer.block.cidr.text)} contains the addresses of ${count(n, 'pod')} (${podList(pods(3), 3, n)}) in ${joinParts(nss.map((ns) => [ref(ns)]))}; pod addresses change when pods are recreated, and some network plugins never match pod traffic against ipBlock`,
          ...selectorFix(nss.length === 1 ? pods(Infinity) : [], nss),
        })
      }
    }
    return out
  },
}

/**
 * The pods inside ipBlocks, hostNetwork pods left out (they use their node's address; nodes are legitimate
 * ipBlock targets): the pods of the block's cidr less those of its except entries, the cidr's pods and their
 * count per namespace found once for every block written with it.
 */
class BlockPods {
  private readonly byCidr = new Map<string, { pods: readonly Pod[]; perNamespace: ReadonlyMap<string, number> }>()
  private readonly byBlock = new Map<string, { count: number; nss: string[]; pods: (max: number) => readonly Pod[] }>()
  constructor(private readonly ctx: LintContext) {}

  of(block: IpBlock) {
    let r = this.byBlock.get(block.key)
    if (r === undefined) {
      const all = this.inCidr(block.cidr)
      const excepted = new Set<Pod>()
      for (const ex of block.except) for (const p of this.inCidr(ex).pods) excepted.add(p)
      const perNamespace = new Map(all.perNamespace)
      for (const p of excepted) perNamespace.set(p.namespace, perNamespace.get(p.namespace)! - 1)
      const nss = [...perNamespace].filter(([, n]) => n > 0).map(([ns]) => ns).sort()
      // the first `max` pods inside, in input order
      const pods = (max: number) => {
        const out: Pod[] = []
        for (const p of all.pods) {
          if (out.length >= max) break
          if (!excepted.has(p)) out.push(p)
        }
        return out
      }
      r = { count: all.pods.length - excepted.size, nss, pods }
      this.byBlock.set(block.key, r)
    }
    return r
  }

  private inCidr(cidr: Cidr) {
    const key = canonicalCidr(cidr)
    let r = this.byCidr.get(key)
    if (r === undefined) {
      const pods = this.ctx.peerPods({ kind: 'ipBlock', block: { cidr, except: [], key } }, '').filter((p) => !p.hostNetwork)
      const perNamespace = new Map<string, number>()
      for (const p of pods) perNamespace.set(p.namespace, (perNamespace.get(p.namespace) ?? 0) + 1)
      r = { pods, perNamespace }
      this.byCidr.set(key, r)
    }
    return r
  }
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
