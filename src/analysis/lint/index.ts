/**
 * `netpol lint`: a catalog of checks over a whole input. Each check is pure, answers every semantic question
 * through the engine, and reports findings as data; renderers in src/cli/render/ make the text.
 */
import type { Cluster } from '../../model/cluster.js'
import type { Path } from '../../model/issues.js'
import { andOrPeers } from './and-or-peers.js'
import type { Check } from './check.js'
import { createContext } from './context.js'
import { duplicatePolicy } from './duplicate-policy.js'
import { egressNoDns } from './egress-no-dns.js'
import { severityRank, type Draft, type Finding, type LintObject, type Severity, type Skipped } from './finding.js'
import { hostNetworkSelected } from './host-network-selected.js'
import { ipblockClusterIps } from './ipblock-cluster-ips.js'
import { ipblockPodIps } from './ipblock-pod-ips.js'
import { EMPTY_CONFIG, type LintConfig } from './lint-config.js'
import { metadataReachable } from './metadata-reachable.js'
import { missingDefaultDeny } from './missing-default-deny.js'
import { namedPortUndefined } from './named-port-undefined.js'
import { namespaceNameLabel } from './namespace-name-label.js'
import { redundantRule } from './redundant-rule.js'
import { selectorMatchesNothing } from './selector-matches-nothing.js'
import { servicePortNotContainerPort } from './service-port-not-container-port.js'
import { unselectedPod } from './unselected-pod.js'
import { suppressor } from './suppress.js'
import { ignoredRules } from './ignored-rules.js'
import { egressPolicyIsolatesIngress } from './egress-policy-isolates-ingress.js'
import { undeclaredNamespace } from './undeclared-namespace.js'
import { tierPriorityOverlap } from './tier-priority-overlap.js'
import { tierRuleShadowed } from './tier-rule-shadowed.js'
import { adminPassAllows } from './admin-pass-allows.js'
import { baselineDenyCovered } from './baseline-deny-covered.js'
import { clusterSelectorMatchesNothing } from './cluster-selector-matches-nothing.js'
import { domainNamesNoDeny } from './domain-names-no-deny.js'

/** Every check, in id order. Ids and slugs are stable: configs and CI gates refer to them. */
export const CHECKS: readonly Check[] = [
  missingDefaultDeny,
  egressNoDns,
  metadataReachable,
  selectorMatchesNothing,
  namespaceNameLabel,
  servicePortNotContainerPort,
  namedPortUndefined,
  andOrPeers,
  ipblockPodIps,
  redundantRule,
  duplicatePolicy,
  hostNetworkSelected,
  unselectedPod,
  ipblockClusterIps,
  ignoredRules,
  egressPolicyIsolatesIngress,
  undeclaredNamespace,
  tierPriorityOverlap,
  tierRuleShadowed,
  adminPassAllows,
  baselineDenyCovered,
  clusterSelectorMatchesNothing,
  domainNamesNoDeny,
]

/** A check as it ran: its catalog entry with the severity in effect. */
export interface RanCheck {
  readonly check: Check
  readonly severity: Severity
}

export interface LintResult {
  /** sorted by object (namespace, kind, name), then field path, then id */
  readonly findings: readonly Finding[]
  /** findings suppressed by an annotation or the config's `ignore` (each with `suppressed`), in the same order */
  readonly suppressed: readonly Finding[]
  readonly skipped: readonly Skipped[]
  /** the checks that ran (not disabled) */
  readonly ran: readonly RanCheck[]
}

/**
 * Runs the enabled checks of `checks` on `cluster`. `config.disable` holds ids (resolve slugs with findCheck
 * first); `config.severity` overrides a check's severity for all its findings; findings below
 * `config.minSeverity` are dropped; findings that an object's `netpol.dev/lint-ignore` annotation or an
 * `ignore` entry of the config names are moved to `suppressed`. Never throws for any valid Cluster.
 */
export function lintCluster(cluster: Cluster, config: LintConfig = EMPTY_CONFIG, checks: readonly Check[] = CHECKS): LintResult {
  const ctx = createContext(cluster)
  const disabled = new Set(config.disable)
  const min = severityRank(config.minSeverity ?? 'info')
  const findings: Finding[] = []
  const skipped: Skipped[] = []
  const ran: RanCheck[] = []
  for (const check of checks) {
    if (disabled.has(check.id) || disabled.has(check.slug)) continue
    const severity = config.severity[check.id] ?? config.severity[check.slug] ?? check.severity
    ran.push({ check, severity })
    const result = check.run(ctx)
    if (!Array.isArray(result)) {
      skipped.push({ id: check.id, slug: check.slug, reason: (result as { skipped: Skipped['reason'] }).skipped })
      continue
    }
    if (severityRank(severity) < min) continue
    for (const d of result as readonly Draft[]) findings.push({ ...d, id: check.id, slug: check.slug, severity })
  }
  const suppressedBy = suppressor(cluster, checks, config.ignore ?? [])
  const kept: Finding[] = []
  const suppressed: Finding[] = []
  for (const f of findings.sort(compareFindings)) {
    const s = suppressedBy(f)
    if (s) suppressed.push({ ...f, suppressed: s })
    else kept.push(f)
  }
  return { findings: kept, suppressed, skipped, ran }
}

export const hasErrors = (r: LintResult): boolean => r.findings.some((f) => f.severity === 'error')

const KIND_ORDER = ['Namespace', 'NetworkPolicy']
const kindRank = (k: string) => (KIND_ORDER.includes(k) ? KIND_ORDER.indexOf(k) : KIND_ORDER.length)
/** Cluster policies (cluster-scoped) come first, by name. */
const CLUSTER_KINDS = ['ClusterNetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']
const clusterRank = (k: string) => (CLUSTER_KINDS.includes(k) ? 0 : 1)

export function compareObjects(a: LintObject, b: LintObject): number {
  const ca = clusterRank(a.kind) - clusterRank(b.kind)
  if (ca !== 0) return ca
  const na = a.namespace ?? a.name
  const nb = b.namespace ?? b.name
  if (na !== nb) return na < nb ? -1 : 1
  if (a.kind !== b.kind) return kindRank(a.kind) - kindRank(b.kind) || (a.kind < b.kind ? -1 : 1)
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

function comparePaths(a: Path, b: Path): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!
    const y = b[i]!
    if (x === y) continue
    if (typeof x === 'number' && typeof y === 'number') return x - y
    return String(x) < String(y) ? -1 : 1
  }
  return a.length - b.length
}

function compareFindings(a: Finding, b: Finding): number {
  return compareObjects(a.object, b.object) || comparePaths(a.path, b.path) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

export type { Check, CheckResult } from './check.js'
export type { Draft, Finding, Fix, LintObject, Part, RelatedObject, Severity, Skipped } from './finding.js'
export { SEVERITIES, formatObject, partsText, severityRank } from './finding.js'
export { EMPTY_CONFIG, findCheck, parseLintConfig, type ConfigIssue, type LintConfig } from './lint-config.js'
export { LINT_IGNORE_ANNOTATION, parseObjectPattern, type IgnoreEntry, type ObjectPattern, type SuppressedBy } from './suppress.js'
export { createContext, type LintContext } from './context.js'
