import { dependsOnDns, type ClusterStep, type SideVerdict, type Verdict } from '../engine/verdict.js'
import type { ClusterPolicy } from '../model/cluster-policy.js'
import type { Direction, NetworkPolicy } from '../model/policy.js'
import { ruleWords, type RuleWords } from './rule-words.js'
import { chainText, stepParts } from './tier-words.js'

/** One checked connection: how its ends are named and the engine's verdict. */
export interface CheckedFlow {
  readonly from: string
  readonly to: string
  readonly fromIp: string | null
  readonly toIp: string | null
  readonly port: number
  readonly protocol: string
  /** e.g. "via svc/shop/nginx:80 (targetPort http)" */
  readonly via?: string
  /** set when the destination was written as a Service's virtual address (clusterIP or externalIP) */
  readonly serviceAddress?: { readonly ip: string; readonly field: 'clusterIP' | 'externalIP'; readonly service: string; readonly port: number; readonly protocol: string }
  readonly verdict: Verdict
}

/**
 * The JSON contract of `check -o json`: `{allowed, results: [{from, to, fromIp, toIp, port, protocol, via?,
 * serviceAddress?, allowed, egress, ingress, notes}]}`; `allowed` at the top is true when every result is;
 * egress/ingress are the engine's side verdicts (isolating policies, the rule/peer/port that allowed, or
 * per-policy misses) as src/engine/verdict.ts defines them, with the words `netpol check` prints beside each
 * index: an allowedBy entry's `peerText` and `portText`; in a miss, `peerText` on a peer that matched or
 * missed and `portText` on a port entry that matched or missed (absent where the rule has no list).
 *
 * With cluster policies, a side may be `admin` ({step}), `admin-pass` ({pass, then}), `baseline` ({step}) or
 * `dns` ({step, names, ifResolved, otherwise}); each such side carries `text`, the chain in words, and each step
 * its `peerText` and `portText`. A result whose answer depends on DNS has `dependsOnDns: true` (its `allowed`
 * is the answer when none of the names resolves to the address), and so has the report when any result has. A
 * `not-isolated` side of a pod selected by cluster policies none of whose rules matched lists them in `unmatched`.
 */
export function checkReport(checked: readonly CheckedFlow[], policies: readonly NetworkPolicy[], clusterPolicies: readonly ClusterPolicy[] = []) {
  const words = ruleWords(policies)
  const anyDns = checked.some((c) => dependsOnDns(c.verdict))
  const tiers = (v: SideVerdict, dir: Direction, address: string | null) => sideWithWords(v, dir, words, clusterPolicies, address ?? undefined)
  return {
    allowed: checked.every((c) => c.verdict.allowed),
    ...(anyDns ? { dependsOnDns: true } : {}),
    results: checked.map((c) => ({
      from: c.from,
      to: c.to,
      fromIp: c.fromIp,
      toIp: c.toIp,
      port: c.port,
      protocol: c.protocol,
      ...(c.via ? { via: c.via } : {}),
      ...(c.serviceAddress ? { serviceAddress: c.serviceAddress } : {}),
      allowed: c.verdict.allowed,
      ...(dependsOnDns(c.verdict) ? { dependsOnDns: true } : {}),
      egress: tiers(c.verdict.egress, 'egress', c.toIp),
      ingress: tiers(c.verdict.ingress, 'ingress', c.fromIp),
      notes: c.verdict.notes,
    })),
  }
}

const opt = <K extends string>(k: K, v: string | undefined) => (v === undefined ? {} : ({ [k]: v } as Record<K, string>))

/**
 * 0 when every connection is allowed; 1 when one is denied whatever DNS answers; 3 when none is, but the answer
 * of one depends on what domain names resolve to.
 */
export function checkExitCode(checked: readonly CheckedFlow[]): 0 | 1 | 3 {
  if (checked.some((c) => !c.verdict.allowed && !dependsOnDns(c.verdict))) return 1
  return checked.some((c) => dependsOnDns(c.verdict)) ? 3 : 0
}

/** The side verdict with the words of each peer and port it names by index, and for a tier side its chain. */
function sideWithWords(v: SideVerdict, dir: Direction, w: RuleWords, cps: readonly ClusterPolicy[], address?: string): object {
  const step = (s: ClusterStep) => ({ ...s, ...stepParts(s, cps) })
  switch (v.kind) {
    case 'admin':
    case 'baseline':
      return { ...v, step: step(v.step), text: chainText(v, address) }
    case 'admin-pass':
      return { ...v, pass: step(v.pass), then: sideWithWords(v.then, dir, w, cps, address), text: chainText(v, address) }
    case 'dns':
      return {
        ...v,
        step: step(v.step),
        ifResolved: sideWithWords(v.ifResolved, dir, w, cps, address),
        otherwise: sideWithWords(v.otherwise, dir, w, cps, address),
        text: chainText(v, address),
      }
  }
  if (v.kind === 'allowed') {
    return {
      ...v,
      allowedBy: v.allowedBy.map((h) => ({
        ...h,
        ...opt('peerText', h.peer === 'any' ? undefined : w.peer(h.policy, h.direction, h.rule, h.peer)),
        ...opt('portText', h.port === 'any' ? undefined : w.port(h.policy, h.direction, h.rule, h.port)),
      })),
    }
  }
  if (v.kind !== 'denied') return v
  return {
    ...v,
    misses: v.misses.map((m) => ({
      ...m,
      rules: m.rules.map((r) => ({
        ...r,
        peers: r.peers.ok
          ? { ...r.peers, ...opt('peerText', r.peers.peer === 'any' ? undefined : w.peer(m.policy, dir, r.rule, r.peers.peer)) }
          : { ...r.peers, misses: r.peers.misses.map((pm) => ({ ...pm, ...opt('peerText', w.peer(m.policy, dir, r.rule, pm.peer)) })) },
        ports: r.ports.ok
          ? { ...r.ports, ...opt('portText', r.ports.port === 'any' ? undefined : w.port(m.policy, dir, r.rule, r.ports.port)) }
          : { ...r.ports, misses: r.ports.misses.map((pm) => ({ ...pm, ...opt('portText', w.port(m.policy, dir, r.rule, pm.port)) })) },
      })),
    })),
  }
}
