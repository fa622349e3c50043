import { formatRef } from '../model/policy.js'
import { actionWord, formatClusterRef } from '../model/cluster-policy.js'
import type { Cause, ClusterDiff, ConnectionChange } from '../analysis/diff.js'
import { portText } from './port-text.js'

/** Connections a change stands for: one per ordered pod pair and port. */
export const connections = (c: ConnectionChange): number => c.podPairs * c.ports.length

export function totals(diff: ClusterDiff) {
  const sum = (kind: ConnectionChange['change']) => {
    const list = diff.changes.filter((c) => c.change === kind)
    return { groups: list.length, connections: list.reduce((s, c) => s + connections(c), 0) }
  }
  return { allowed: sum('allowed'), denied: sum('denied') }
}

/**
 * The JSON contract of `diff -o json`:
 * ```
 * { summary: {allowed: {groups, connections}, denied: {groups, connections}},
 *   family: 4 | 6, ports: ["5432/TCP", ...],
 *   policies: [{policy: "ns/name", status: "added" | "removed" | "changed"}],
 *   clusterPolicies: [{policy: "cnp/NAME", kind, status}],
 *   pods: {added, removed, relabeled: ["ns/name"]}, namespaces: {added, removed, relabeled: ["name"]},
 *   classes: [{id, namespace, labels, labelsBefore?, pods: ["ns/name"]}],
 *   changes: [{change: "allowed" | "denied", from: classId, to: classId, ports: ["9090/TCP"], podPairs, connections,
 *              causes: [cause], policies: {source: [{policy, status}], destination: [{policy, status}]}}],
 *   comparedPods: N, unserved: {allowed: N, denied: N} }
 * ```
 * `comparedPods` counts the pods present on both sides (0: nothing was compared). `unserved` counts the
 * connections that changed on ports the destination neither serves nor is named for by a policy, which
 * `changes` leaves out (0 when the ports were given with --port).
 * A cause is `{code: "allowed-by" | "allow-lost", side: "egress" | "ingress", policy: "ns/name", status,
 * direction, rule, peer, port, resolvedPort?}` (peer and port: index into the rule, or "any") or
 * `{code: "isolation-lifted" | "newly-isolated", side, policies: [{policy, status}]}` or, for a cluster policy
 * rule that decides the side now / decided it before, `{code: "tier-decides" | "tier-decided", side, tier:
 * "Admin" | "Baseline", policy: "cnp/NAME" | "anp/NAME" | "banp/NAME", kind, status, priority (null for a BANP),
 * direction, rule, ruleName?, action: "Accept" | "Allow" | "Deny" | "Pass"}`. `clusterPolicies` lists the cluster
 * policies added, removed or changed, as `{policy: "cnp/NAME", kind, status}`. A connection is one ordered pod
 * pair on one port.
 */
export function diffReport(diff: ClusterDiff) {
  return {
    summary: totals(diff),
    family: diff.family,
    ports: diff.ports.map(portText),
    policies: diff.policies.map((p) => ({ policy: formatRef(p.policy), status: p.status })),
    clusterPolicies: diff.clusterPolicies.map((p) => ({ policy: formatClusterRef(p.policy), kind: p.policy.kind, status: p.status })),
    pods: diff.pods,
    namespaces: diff.namespaces,
    classes: diff.classes,
    changes: diff.changes.map((c) => ({
      change: c.change,
      from: c.from,
      to: c.to,
      ports: c.ports.map(portText),
      podPairs: c.podPairs,
      connections: connections(c),
      causes: c.causes.map(causeJson),
      policies: {
        source: c.policies.source.map((p) => ({ policy: formatRef(p.policy), status: p.status })),
        destination: c.policies.destination.map((p) => ({ policy: formatRef(p.policy), status: p.status })),
      },
    })),
    comparedPods: diff.comparedPods,
    unserved: diff.unserved,
  }
}

function causeJson(c: Cause) {
  switch (c.code) {
    case 'allowed-by':
    case 'allow-lost': {
      const { policy, ...where } = c.hit
      return { code: c.code, side: c.side, policy: formatRef(policy), status: c.status, ...where }
    }
    case 'isolation-lifted':
    case 'newly-isolated':
      return { code: c.code, side: c.side, policies: c.policies.map((p) => ({ policy: formatRef(p.policy), status: p.status })) }
    case 'tier-decides':
    case 'tier-decided': {
      const s = c.step
      return {
        code: c.code,
        side: c.side,
        tier: s.tier,
        policy: formatClusterRef(s.policy),
        kind: s.policy.kind,
        status: c.status,
        priority: s.priority,
        direction: s.direction,
        rule: s.rule,
        ...(s.ruleName !== undefined ? { ruleName: s.ruleName } : {}),
        action: actionWord(s.policy.kind, s.action),
      }
    }
  }
}
