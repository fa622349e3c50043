/**
 * Findings a user has looked at and accepted: named per object through the annotation `netpol.dev/lint-ignore`
 * on the object a finding is about (a policy, a namespace, a pod or workload, a service), or through `ignore`
 * entries of the lint config. Suppressed findings are reported apart, never silently dropped.
 */
import type { Cluster } from '../../model/cluster.js'
import type { NetpolAnnotations } from '../../model/netpol-annotations.js'
import type { Check } from './check.js'
import { namespaceObject, objectKey, podObject, policyObject, serviceObject, type Finding, type LintObject } from './finding.js'
import { clusterPolicyObject } from './tier-words.js'

/** `netpol.dev/lint-ignore: NP003, egress-no-dns`: ids or slugs, separated by commas or spaces. */
export const LINT_IGNORE_ANNOTATION = 'netpol.dev/lint-ignore'

/** How a finding was suppressed. */
export type SuppressedBy = 'annotation' | 'config'

/**
 * Which objects a config `ignore` entry means: `NS/NAME` (any kind), `Kind NS/NAME`, `NAME` (a Namespace), or
 * `Kind NAME` for a cluster-scoped kind (Namespace, ClusterNetworkPolicy, AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy).
 */
export interface ObjectPattern {
  readonly kind?: string
  readonly namespace?: string
  readonly name: string
}

/** One `ignore` entry of the config: a check (its id) on an object, with an optional reason. */
export interface IgnoreEntry {
  readonly check: string
  readonly object: ObjectPattern
  readonly reason?: string
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/

/** The kinds whose objects have no namespace: a pattern names them `Kind NAME`. */
export const CLUSTER_SCOPED_KINDS: readonly string[] = ['Namespace', 'ClusterNetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']

/**
 * `shop/api`, `NetworkPolicy shop/api`, `shop`, `Namespace shop`, `ClusterNetworkPolicy deny-db`; undefined when it
 * is none of these.
 */
export function parseObjectPattern(text: string): ObjectPattern | undefined {
  const m = /^\s*(?:([A-Za-z]+)\s+)?([^\s/]+)(?:\/([^\s/]+))?\s*$/.exec(text)
  if (!m) return undefined
  const [, kind, first, second] = m
  if (second === undefined) {
    if (kind !== undefined && !CLUSTER_SCOPED_KINDS.includes(kind)) return undefined
    return NAME.test(first!) ? { kind: kind ?? 'Namespace', name: first! } : undefined
  }
  if ((kind !== undefined && CLUSTER_SCOPED_KINDS.includes(kind)) || !NAME.test(first!) || !NAME.test(second)) return undefined
  return { ...(kind ? { kind } : {}), namespace: first!, name: second }
}


const matches = (p: ObjectPattern, o: LintObject): boolean =>
  (p.kind === undefined || p.kind === o.kind) && p.name === o.name && (p.namespace ?? undefined) === (o.namespace ?? undefined)

/** The check ids an annotation value names (ids or slugs, case-insensitive); unknown words are left out. */
export function annotationChecks(value: string, checks: readonly Check[]): Set<string> {
  const ids = new Set<string>()
  for (const word of value.split(/[\s,]+/)) {
    const k = word.toLowerCase()
    if (k === '') continue
    const c = checks.find((x) => x.id.toLowerCase() === k || x.slug === k)
    if (c) ids.add(c.id)
  }
  return ids
}

/**
 * A function telling, for a finding, whether and how it is suppressed: the annotation on the finding's object
 * first, then the config's `ignore` entries.
 */
export function suppressor(cluster: Cluster, checks: readonly Check[], ignore: readonly IgnoreEntry[]): (f: Finding) => { by: SuppressedBy; reason?: string } | undefined {
  const annotated = new Map<string, Set<string>>()
  const add = (o: LintObject, a: NetpolAnnotations | undefined) => {
    const v = a?.[LINT_IGNORE_ANNOTATION]
    if (v !== undefined) annotated.set(objectKey(o), annotationChecks(v, checks))
  }
  for (const ns of cluster.namespaces.values()) add(namespaceObject(ns), ns.annotations)
  for (const p of cluster.policies) add(policyObject(p), p.annotations)
  for (const p of cluster.pods) add(podObject(p), p.annotations)
  for (const s of cluster.services) add(serviceObject(s), s.annotations)
  for (const p of cluster.clusterPolicies) add(clusterPolicyObject(p), p.annotations)
  return (f) => {
    if (annotated.get(objectKey(f.object))?.has(f.id)) return { by: 'annotation' }
    const e = ignore.find((x) => x.check === f.id && matches(x.object, f.object))
    return e ? { by: 'config', ...(e.reason !== undefined ? { reason: e.reason } : {}) } : undefined
  }
}
