import { CONTROLLER_LABELS } from './context.js'
import type { Check } from './check.js'
import { code, count, joinParts, msg, podList, policyObject, ref, type Draft, type Fix } from './finding.js'
import { peersOf } from './peers.js'
import { NAME_LABEL } from './namespace-name-label.js'
import { labelsFlow } from './yaml-snippet.js'
import type { Pod } from '../../model/cluster.js'
import { Bitset } from '../../engine/bitset.js'
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
    // the message and fix depend only on the block as written: made once per block (they may name many namespaces)
    const said = new Map<string, Pick<Draft, 'message' | 'fix'>>()
    for (const policy of ctx.cluster.policies) {
      for (const { peer, path } of peersOf(policy)) {
        if (peer.kind !== 'ipBlock' || peer.block.cidr.prefix === 0) continue
        const { count: n, nss, pods } = inside.of(peer.block)
        if (n === 0) continue
        const key = `${peer.block.key}\n${peer.block.cidr.text}`
        let words = said.get(key)
        if (words === undefined) {
          words = {
            message: msg`ipBlock ${code(peer.block.cidr.text)} contains the addresses of ${count(n, 'pod')} (${podList(pods(3), 3, n)}) in ${joinParts(nss.map((ns) => [ref(ns)]))}; pod addresses change when pods are recreated, and some network plugins never match pod traffic against ipBlock`,
            ...selectorFix(nss.length === 1 ? pods(Infinity) : [], nss),
          }
          said.set(key, words)
        }
        out.push({ object: policyObject(policy), path: [...path, 'ipBlock'], ...words })
      }
    }
    return out
  },
}

/**
 * The pods inside ipBlocks, hostNetwork pods left out (they use their node's address; nodes are legitimate
 * ipBlock targets): the pods of the block's cidr less those of its except entries, counted on address classes
 * (a block's cidr and excepts are edges of the classes, so each class is wholly inside or outside each of them).
 */
class BlockPods {
  private readonly byBlock = new Map<string, { count: number; nss: string[]; pods: (max: number) => readonly Pod[] }>()
  private readonly byCidr = new Map<string, ReturnType<BlockPods['sum']>>()
  /** per address class: its pods that are not hostNetwork (indexes into the pods, increasing), and how many per namespace */
  private readonly members = new Map<number, { pods: readonly number[]; perNamespace: ReadonlyMap<string, number> }>()
  constructor(private readonly ctx: LintContext) {}

  of(block: IpBlock) {
    let r = this.byBlock.get(block.key)
    if (r === undefined) {
      const all = this.inCidr(block.cidr)
      // the except entries' pods, each once (entries may overlap); validation keeps them inside the cidr
      const excepted = block.except.length === 1 ? this.inCidr(block.except[0]!) : this.sum(block.except.reduce((u, ex) => (u.orWith(this.inCidr(ex).classes), u), new Bitset(all.classes.size)))
      const nss = block.except.length === 0 ? all.namespaces() : all.namespaces().filter((ns) => all.perNamespace.get(ns)! - (excepted.perNamespace.get(ns) ?? 0) > 0)
      // the first `max` pods inside, in input order
      const pods = (max: number) => {
        const picked: number[] = []
        all.classes.forEach((c) => {
          if (excepted.classes.has(c)) return
          const members = this.membersOf(c).pods
          for (let k = 0; k < members.length && k < max; k++) picked.push(members[k]!)
        })
        const sorted = Int32Array.from(picked).sort()
        return Array.from(sorted.subarray(0, Math.min(max, sorted.length)), (i) => this.ctx.cluster.pods[i]!)
      }
      r = { count: all.count - excepted.count, nss, pods }
      this.byBlock.set(block.key, r)
    }
    return r
  }

  /** The address classes inside `cidr`, and their pods: how many, and per namespace. */
  private inCidr(cidr: Cidr) {
    const key = canonicalCidr(cidr)
    let r = this.byCidr.get(key)
    if (r === undefined) this.byCidr.set(key, (r = this.sum(this.ctx.classes.cache.forPeer({ kind: 'ipBlock', block: { cidr, except: [], key } }, ''))))
    return r
  }

  private sum(classes: Bitset) {
    const perNamespace = new Map<string, number>()
    let count = 0
    classes.forEach((c) => {
      for (const [ns, n] of this.membersOf(c).perNamespace) {
        perNamespace.set(ns, (perNamespace.get(ns) ?? 0) + n)
        count += n
      }
    })
    let namespaces: string[] | null = null
    return { classes, count, perNamespace, namespaces: () => (namespaces ??= [...perNamespace].filter(([, n]) => n > 0).map(([ns]) => ns).sort()) }
  }

  private membersOf(c: number) {
    let m = this.members.get(c)
    if (m === undefined) {
      const all = this.ctx.cluster.pods
      const pods = this.ctx.classes.addressMembersOf(c).filter((i) => !all[i]!.hostNetwork)
      const perNamespace = new Map<string, number>()
      for (const i of pods) perNamespace.set(all[i]!.namespace, (perNamespace.get(all[i]!.namespace) ?? 0) + 1)
      this.members.set(c, (m = { pods, perNamespace }))
    }
    return m
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
