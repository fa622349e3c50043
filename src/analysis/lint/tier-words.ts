/**
 * Cluster policies in the words `netpol check` uses for the tiers: a rule is
 * `[Admin] cnp/deny-db priority 10 ingress[0] "block" Deny` (no priority for the BaselineAdminNetworkPolicy; the
 * v1alpha1 kinds' Accept is `Allow`).
 */
import { actionWord, formatClusterRef, clusterPolicyRef, type ClusterPolicy } from '../../model/cluster-policy.js'
import type { Pod } from '../../model/cluster.js'
import type { Direction } from '../../model/policy.js'
import type { PortSet } from '../../engine/tier-decisions.js'
import { code, msg, podName, ref, type LintObject, type Part } from './finding.js'
import { portSetText, type ClusterRuleAt, type EndBlock } from './tier-classes.js'

/** The object a finding on a cluster policy is about: cluster-scoped, so no namespace. */
export function clusterPolicyObject(p: ClusterPolicy): LintObject {
  return { kind: p.kind, name: p.name, ...(p.source ? { source: p.source } : {}) }
}

/** `cnp/x` */
export const policyName = (p: ClusterPolicy): string => formatClusterRef(clusterPolicyRef(p))

/** `[Admin] cnp/x priority 10` */
export function policyWords(p: ClusterPolicy): Part[] {
  return msg`[${p.tier}] ${ref(policyName(p))}${p.priority === null ? '' : ` priority ${p.priority}`}`
}

/** `[Admin] cnp/x priority 10 ingress[0] "name" Deny` */
export function ruleWords(at: ClusterRuleAt): Part[] {
  const name = at.rule.name !== undefined ? ` ${JSON.stringify(at.rule.name)}` : ''
  return msg`${policyWords(at.policy)} ${at.direction}[${at.index}]${name} ${actionWord(at.policy.kind, at.rule.action)}`
}

/** `Deny`, or `Allow` for the v1alpha1 kinds' Accept */
export const actionOf = (at: ClusterRuleAt): string => actionWord(at.policy.kind, at.rule.action)

/** One end in words: a pod (or workload) name, or an address outside the pods. */
export function endWords(b: EndBlock): Part[] {
  if (b.pod !== null) return [ref(podName(b.pod))]
  return msg`address ${code(b.ip!.text)}`
}

/** `from web/a to db/b on 5432/TCP`, the subject being the destination for ingress and the source for egress. */
export function connectionWords(direction: Direction, subject: Pod, other: EndBlock, ports: PortSet): Part[] {
  const s = [ref(podName(subject))]
  const o = endWords(other)
  return direction === 'ingress' ? msg`from ${o} to ${s} on ${code(portSetText(ports))}` : msg`from ${s} to ${o} on ${code(portSetText(ports))}`
}
