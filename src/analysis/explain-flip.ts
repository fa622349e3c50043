import type { Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import { formatRef, type Direction, type NetworkPolicy, type PolicyRef } from '../model/policy.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import { podEndpoint } from '../engine/endpoint.js'
import { networkPolicySide } from '../engine/evaluate.js'
import { peerMatches } from '../engine/match-peer.js'
import { matchPorts } from '../engine/match-port.js'
import { isolatingPolicies } from '../engine/select.js'
import { sideAllows, type Endpoint, type RuleHit, type SideVerdict, type Verdict } from '../engine/verdict.js'
import type { PortProtocol } from './reachability.js'
import type { ClusterPolicyRef } from '../model/cluster-policy.js'
import { pathAllows, sameStep, tierPath, type SideTierView, type TierPath, type TierStep } from './diff-tiers.js'

export type PolicyStatus = 'added' | 'removed' | 'changed' | 'unchanged'

export interface PolicyWithStatus {
  readonly policy: PolicyRef
  readonly status: PolicyStatus
}

/**
 * Why one connection's verdict flipped, per side (the source's egress or the destination's ingress) that
 * decided the flip. Newly allowed: `allowed-by` names each rule that allows it now; `isolation-lifted` names the
 * policies that isolated the pod before, when none does now. Newly denied: `allow-lost` names each rule that
 * allowed it before; `newly-isolated` names the policies that isolate the pod now, when none did before.
 * A status of 'unchanged' means the policy is the same and labels (of pods or namespaces) moved instead.
 */
export type Cause =
  | { readonly code: 'allowed-by'; readonly side: Direction; readonly hit: RuleHit; readonly status: PolicyStatus }
  | { readonly code: 'isolation-lifted'; readonly side: Direction; readonly policies: readonly PolicyWithStatus[] }
  | { readonly code: 'allow-lost'; readonly side: Direction; readonly hit: RuleHit; readonly status: PolicyStatus }
  | { readonly code: 'newly-isolated'; readonly side: Direction; readonly policies: readonly PolicyWithStatus[] }
  /** a cluster policy rule decides this side now (Accept, Deny, or a Pass that hands it on), and did not before */
  | { readonly code: 'tier-decides'; readonly side: Direction; readonly step: TierStep; readonly status: PolicyStatus }
  /** a cluster policy rule decided this side before, and does not now */
  | { readonly code: 'tier-decided'; readonly side: Direction; readonly step: TierStep; readonly status: PolicyStatus }

/** How both sides went through the cluster policy tiers, before and after, with the cluster policies' statuses. */
export interface FlipTiers {
  readonly was: Readonly<Record<Direction, TierPath>>
  readonly now: Readonly<Record<Direction, TierPath>>
  readonly status: (ref: ClusterPolicyRef) => PolicyStatus
}

/**
 * The causes of one flipped verdict, from the verdicts before and after on the same pair, port and protocol.
 * Only a side that decided the flip is explained: for a newly allowed connection, each side that denied it
 * before; for a newly denied one, each side that denies it now.
 */
export function explainFlip(was: Verdict, now: Verdict, status: (ref: PolicyRef) => PolicyStatus, tiers?: FlipTiers): Cause[] {
  const causes: Cause[] = []
  const withStatus = (refs: readonly PolicyRef[]) => refs.map((policy) => ({ policy, status: status(policy) }))
  const isolated = (v: SideVerdict) => v.kind === 'allowed' || v.kind === 'denied'
  const NONE: TierPath = { admin: null, np: true, baseline: null }
  const allows = (path: TierPath, v: SideVerdict) => pathAllows(path, sideAllows(v), isolated(v))
  const pathsWas = tiers?.was ?? { egress: NONE, ingress: NONE }
  const pathsNow = tiers?.now ?? { egress: NONE, ingress: NONE }
  const wasAllowed = allows(pathsWas.egress, was.egress) && allows(pathsWas.ingress, was.ingress)
  const nowAllowed = allows(pathsNow.egress, now.egress) && allows(pathsNow.ingress, now.ingress)
  for (const side of ['egress', 'ingress'] as const) {
    const b = was[side]
    const a = now[side]
    const pb = pathsWas[side]
    const pa = pathsNow[side]
    // the cluster policy rules that decide the side differently before and after
    const tierCauses = () => {
      for (const tier of ['admin', 'baseline'] as const) {
        if (sameStep(pb[tier], pa[tier])) continue
        if (pb[tier] !== null) causes.push({ code: 'tier-decided', side, step: pb[tier]!, status: tiers!.status(pb[tier]!.policy) })
        if (pa[tier] !== null) causes.push({ code: 'tier-decides', side, step: pa[tier]!, status: tiers!.status(pa[tier]!.policy) })
      }
    }
    if (nowAllowed && !wasAllowed) {
      if (allows(pb, b)) continue
      tierCauses()
      if (pa.np && a.kind === 'allowed') for (const hit of a.allowedBy) causes.push({ code: 'allowed-by', side, hit, status: status(hit.policy) })
      else if (pb.np && pa.np && b.kind === 'denied') causes.push({ code: 'isolation-lifted', side, policies: withStatus(b.isolatedBy) })
    } else if (!nowAllowed && wasAllowed) {
      if (allows(pa, a)) continue
      tierCauses()
      if (!pa.np || a.kind !== 'denied') continue
      if (pb.np && b.kind === 'allowed') for (const hit of b.allowedBy) causes.push({ code: 'allow-lost', side, hit, status: status(hit.policy) })
      else if (pb.np) causes.push({ code: 'newly-isolated', side, policies: withStatus(a.isolatedBy) })
    }
  }
  return causes
}

export interface ExplainContext {
  readonly oldIndex: ClusterIndex
  readonly newIndex: ClusterIndex
  readonly oldPods: readonly Pod[]
  readonly newPods: readonly Pod[]
  /** per joint class, its pods (indexes into oldPods/newPods) */
  readonly members: readonly (readonly number[])[]
  readonly ports: readonly PortProtocol[]
  readonly family: Family
  readonly status: (ref: PolicyRef) => PolicyStatus
  /** the classes and tier decisions of both sides, when either has cluster policies */
  readonly tiers?: { readonly before: SideTierView; readonly after: SideTierView; readonly status: (ref: ClusterPolicyRef) => PolicyStatus }
}

/**
 * Explains a flip from the engine's verdicts on representatives (the first pod of each joint class; the second
 * as the destination when both ends are in one class), before and after. Each side's verdict comes from
 * the engine's NetworkPolicy tier (networkPolicySide; the cluster policy tiers come from the classes), and is shared between flips on which the
 * engine's own matchers answer alike: the same isolating policies, the same peers matching the other end
 * (peerMatches) and the same port entries matching (matchPorts) in every rule. Nothing else enters a side's
 * verdict, so a large change costs one evaluation per distinct situation, not one per class pair and port.
 * Flips with the same four side verdicts get the very same causes array, so callers may group by identity.
 */
export function flipExplainer(cx: ExplainContext): (a: number, b: number, k: number) => Cause[] {
  const { members, ports, family } = cx
  const lists = new Map<string, { policies: readonly NetworkPolicy[]; id: number }>()
  const listIds = new Map<string, number>()
  const policiesOf = (index: ClusterIndex, pod: Pod, dir: Direction, cacheKey: string) => {
    let entry = lists.get(cacheKey)
    if (entry === undefined) {
      const policies = isolatingPolicies(index, pod, dir)
      const key = `${cacheKey[0]}${dir} ${policies.map(formatRef).join(' ')}`
      let id = listIds.get(key)
      if (id === undefined) listIds.set(key, (id = listIds.size))
      lists.set(cacheKey, (entry = { policies, id }))
    }
    return entry
  }
  const portSigs = new Map<number, number>()
  const portSigIds = new Map<string, number>()
  const peerSigIds = new Map<string, number>()
  const peerSigs = new Map<number, number>()
  const endpoints = new Map<Pod, Endpoint>()
  const sides = new Map<string, number>()
  const verdicts: SideVerdict[] = []
  const causesBy = new Map<string, Cause[]>()
  let pairKey = ''
  let slots: Slot[] = []
  const ids: number[] = [0, 0, 0, 0]
  return (a, b, k) => {
    const i = members[a]![0]!
    // both ends in one class: two different pods of it, or a template of several replicas with itself
    const j = members[b]![a === b && members[b]!.length > 1 ? 1 : 0]!
    if (pairKey !== `${a},${b}`) {
      pairKey = `${a},${b}`
      const [from0, to0, from1, to1] = [cx.oldPods[i]!, cx.oldPods[j]!, cx.newPods[i]!, cx.newPods[j]!]
      slots = [
        slotFor(cx.oldIndex, '0', 'egress', from0, to0, from0, to0, i, j, b),
        slotFor(cx.oldIndex, '0', 'ingress', to0, from0, from0, to0, i, j, a),
        slotFor(cx.newIndex, '1', 'egress', from1, to1, from1, to1, i, j, b),
        slotFor(cx.newIndex, '1', 'ingress', to1, from1, from1, to1, i, j, a),
      ]
    }
    const { port, protocol } = ports[k]!
    for (let n = 0; n < 4; n++) {
      const s = slots[n]!
      // the port entries each rule matches depend on the rules, the port and the destination's named ports
      const portKey = (s.listId * cx.oldPods.length + s.destIndex) * ports.length + k
      let portSig = portSigs.get(portKey)
      if (portSig === undefined) {
        let text = ''
        for (const p of s.policies) {
          for (const r of p[s.dir]!) {
            const m = matchPorts(r.ports, port, protocol, s.dest)
            text += m.ok ? `${m.port}=${m.resolvedPort ?? ''},` : '-,'
          }
        }
        portSig = intern(portSigIds, text)
        portSigs.set(portKey, portSig)
      }
      const key = `${s.listId},${s.peerSig},${portSig}`
      let id = sides.get(key)
      if (id === undefined) {
        verdicts.push(networkPolicySide(s.index, s.pod, s.dir, s.dir === 'egress' ? s.to : s.from, { from: s.from, to: s.to, port, protocol }))
        sides.set(key, (id = verdicts.length - 1))
      }
      ids[n] = id
    }
    let key = `${ids[0]},${ids[1]},${ids[2]},${ids[3]}`
    let flipTiers: FlipTiers | undefined
    if (cx.tiers !== undefined) {
      const t = cx.tiers
      const path = (view: SideTierView, n: number, subject: number, dir: Direction, other: number) => tierPath(view, subject, dir, other, port, protocol, verdicts[ids[n]!]!.kind !== 'not-isolated')
      flipTiers = {
        was: { egress: path(t.before, 0, i, 'egress', j), ingress: path(t.before, 1, j, 'ingress', i) },
        now: { egress: path(t.after, 2, i, 'egress', j), ingress: path(t.after, 3, j, 'ingress', i) },
        status: t.status,
      }
      key += JSON.stringify([flipTiers.was, flipTiers.now])
    }
    let causes = causesBy.get(key)
    if (causes === undefined) {
      const was = verdictOf(verdicts[ids[0]!]!, verdicts[ids[1]!]!)
      const now = verdictOf(verdicts[ids[2]!]!, verdicts[ids[3]!]!)
      causesBy.set(key, (causes = explainFlip(was, now, cx.status, flipTiers)))
    }
    return causes
  }

  /**
   * `otherClass`: the joint class of the other end. Its pods are told apart by no selector or ipBlock of either
   * side, so which peers match it is one answer per list of policies and joint class (a change that opens a
   * namespace to every pod is thousands of flips into the same few lists).
   */
  function slotFor(index: ClusterIndex, tag: string, dir: Direction, pod: Pod, other: Pod, from: Pod, to: Pod, i: number, j: number, otherClass: number): Slot {
    const { policies, id } = policiesOf(index, pod, dir, `${tag}${dir}${dir === 'egress' ? i : j}`)
    const sigKey = id * members.length + otherClass
    let peerSig = peerSigs.get(sigKey)
    if (peerSig === undefined) {
      const otherEnd = endpointOf(other)
      let text = ''
      for (const p of policies) {
        for (const r of p[dir]!) {
          if (r.peers === 'any') text += '*'
          else for (let x = 0; x < r.peers.length; x++) if (peerMatches(index, r.peers[x]!, p.namespace, otherEnd)) text += `${x}.`
          text += ','
        }
      }
      peerSigs.set(sigKey, (peerSig = intern(peerSigIds, text)))
    }
    return { index, dir, pod, policies, listId: id, peerSig, from: endpointOf(from), to: endpointOf(to), dest: to, destIndex: j }
  }

  function endpointOf(pod: Pod): Endpoint {
    let e = endpoints.get(pod)
    if (e === undefined) endpoints.set(pod, (e = podEndpoint(pod, family)))
    return e
  }
}

function intern(ids: Map<string, number>, text: string): number {
  let id = ids.get(text)
  if (id === undefined) ids.set(text, (id = ids.size))
  return id
}

/** The verdict evaluateFlow gives for two different pods: both sides must allow. */
function verdictOf(egress: SideVerdict, ingress: SideVerdict): Verdict {
  return { allowed: sideAllows(egress) && sideAllows(ingress), egress, ingress, notes: [] }
}

/** One side of a representative flow on one side of the diff, with its port-independent signature. */
interface Slot {
  readonly index: ClusterIndex
  readonly dir: Direction
  /** the pod whose policies decide: the source for egress, the destination for ingress */
  readonly pod: Pod
  readonly policies: readonly NetworkPolicy[]
  /** identifies the side of the diff, the direction and the list of isolating policies */
  readonly listId: number
  /** which peers of each rule match the other end, interned */
  readonly peerSig: number
  readonly from: Endpoint
  readonly to: Endpoint
  readonly dest: Pod
  /** the destination's index in the shared pod lists (its named ports decide named port entries) */
  readonly destIndex: number
}
