import type { Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import type { IpBlock } from '../model/ip-block.js'
import { ipBlockContains } from '../model/ip-block.js'
import { labelsKey } from '../model/labels.js'
import type { NetworkPolicy } from '../model/policy.js'
import { podEndpoint } from '../engine/endpoint.js'
import type { Endpoint } from '../engine/verdict.js'

/**
 * Pods that no policy can tell apart, grouped into one class (cilium calls these identities).
 * Everything the engine's decisions read about a pod is in the key: its namespace (and so the namespace's
 * labels), its labels, its named container ports, and which of the policies' ipBlocks contain its address
 * of the connection's family. Two pods of one class get the same verdict against any third pod, so the
 * matrix is computed per class pair and expanded per pod only when written.
 */
export interface PodClass {
  readonly index: number
  readonly namespace: string
  /** the first member; any member would give the same answers */
  readonly rep: Endpoint & { kind: 'pod' }
  readonly members: number[]
}

export interface Identities {
  readonly family: Family
  readonly classes: readonly PodClass[]
  /** pod index (in cluster.pods) → class index */
  readonly classOf: Int32Array
  /** class indexes per namespace */
  readonly byNamespace: ReadonlyMap<string, readonly number[]>
}

export function distinctIpBlocks(policies: readonly NetworkPolicy[]): IpBlock[] {
  const seen = new Map<string, IpBlock>()
  for (const p of policies) {
    for (const rules of [p.ingress, p.egress]) {
      for (const r of rules ?? []) {
        if (r.peers === 'any') continue
        for (const peer of r.peers) if (peer.kind === 'ipBlock' && !seen.has(peer.block.key)) seen.set(peer.block.key, peer.block)
      }
    }
  }
  return [...seen.values()]
}

export function namedPortsKey(pod: Pod): string {
  const named: string[] = []
  for (const p of pod.ports) if (p.name !== undefined) named.push(`${p.name}/${p.protocol}=${p.port}`)
  return named.sort().join(',')
}

export function computeIdentities(pods: readonly Pod[], policies: readonly NetworkPolicy[], family: Family): Identities {
  const endpoints = pods.map((p) => podEndpoint(p, family))
  const blockKeys = ipBlockMembership(endpoints, distinctIpBlocks(policies))
  const byKey = new Map<string, PodClass>()
  const classes: PodClass[] = []
  const classOf = new Int32Array(pods.length)
  const byNamespace = new Map<string, number[]>()
  for (let i = 0; i < pods.length; i++) {
    const pod = pods[i]!
    const e = endpoints[i]!
    const key = `${pod.namespace}\n${labelsKey(pod.labels)}\n${namedPortsKey(pod)}\n${e.ip === null ? '-' : blockKeys[i]}`
    let cls = byKey.get(key)
    if (cls === undefined) {
      cls = { index: classes.length, namespace: pod.namespace, rep: e as Endpoint & { kind: 'pod' }, members: [] }
      byKey.set(key, cls)
      classes.push(cls)
      const list = byNamespace.get(pod.namespace)
      if (list) list.push(cls.index)
      else byNamespace.set(pod.namespace, [cls.index])
    }
    cls.members.push(i)
    classOf[i] = cls.index
  }
  return { family, classes, classOf, byNamespace }
}

/**
 * For each endpoint, the ids of the blocks that contain its address, as a key. Sorting the addresses once
 * and finding each block's range by binary search keeps this near O((pods + matches) · log pods).
 */
function ipBlockMembership(endpoints: readonly Endpoint[], blocks: readonly IpBlock[]): string[] {
  const keys = endpoints.map(() => '')
  const order = endpoints
    .map((e, i) => ({ i, ip: e.ip }))
    .filter((x) => x.ip !== null)
    .sort((a, b) => (a.ip!.value < b.ip!.value ? -1 : a.ip!.value > b.ip!.value ? 1 : 0))
  blocks.forEach((block, id) => {
    const { first, last, family } = block.cidr
    let lo = 0
    let hi = order.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (order[mid]!.ip!.value < first) lo = mid + 1
      else hi = mid
    }
    for (let k = lo; k < order.length && order[k]!.ip!.value <= last; k++) {
      const { i, ip } = order[k]!
      if (ip!.family === family && ipBlockContains(block, ip!)) keys[i] += `${id},`
    }
  })
  return keys
}
