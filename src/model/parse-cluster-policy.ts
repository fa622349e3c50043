/**
 * ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2), AdminNetworkPolicy and BaselineAdminNetworkPolicy
 * (policy.networking.k8s.io/v1alpha1), validated as their CRDs do (OpenAPI limits and CEL rules, experimental
 * channel) and converted to the one ClusterPolicy shape.
 *
 * Fields the CRD does not define are errors. A real API server prunes them from a custom resource (structural
 * schema) and `kubectl apply` refuses them under its default strict field validation; as for NetworkPolicy, a
 * misspelt field must not pass silently and change what a policy means.
 */
import type { ClusterPolicy, ClusterPolicyHead, ClusterPolicyKind, ClusterSubject, Tier } from './cluster-policy.js'
import { DIALECTS, PRIORITY_MAX, PRIORITY_MIN, type Dialect } from './cluster-policy-dialects.js'
import type { ModelIssue, Parsed, Path } from './issues.js'
import { at, checkKnownFields, isObject, NO_ITEMS, objectAt, parseMetadata, pathOf, result, typeName, type Json, type Loc } from './parse-fields.js'
import { boundedInt, enumAt, exactlyOne, limitedList, requireField } from './parse-crd-fields.js'
import { readClusterRules, readNamespacedPod } from './parse-cluster-rules.js'
import { readSelector } from './parse-selector.js'
import type { SourceRef } from './source.js'
import { netpolAnnotations } from './netpol-annotations.js'
import { dnsSubdomainProblem } from './validate-names.js'

const TIERS: readonly Tier[] = ['Admin', 'Baseline']
const SUBJECT_FIELDS = ['namespaces', 'pods'] as const
const SUBJECT_SET: ReadonlySet<string> = new Set(SUBJECT_FIELDS)
/** "Only one baseline admin network policy with metadata.name=\"default\" can be created in the cluster" */
export const BASELINE_NAME = 'default'

export const CLUSTER_POLICY_KINDS: readonly ClusterPolicyKind[] = ['ClusterNetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']

export const isClusterPolicyKind = (kind: string): kind is ClusterPolicyKind => (CLUSTER_POLICY_KINDS as readonly string[]).includes(kind)

/**
 * Parses one object of a cluster policy kind. `path` is where the object sits in its document and prefixes every
 * issue path. A metadata.namespace is ignored: the API server clears it on a cluster-scoped object ("cluster-scoped,
 * clear namespace", EnsureObjectNamespaceMatchesRequestNamespace). Collects every issue; never throws for bad input.
 */
export function parseClusterPolicy(kind: ClusterPolicyKind, input: unknown, path: Path = [], source?: SourceRef): Parsed<ClusterPolicy> {
  const issues: ModelIssue[] = []
  if (!isObject(input)) return { ok: false, issues: [{ code: 'not_an_object', path, expected: kind, got: typeName(input) }] }
  const dialect = DIALECTS[kind]
  // custom resource names: NameIsDNSSubdomain
  const meta = parseMetadata(input, path, issues, { name: dnsSubdomainProblem, namespaced: false })
  if (kind === 'BaselineAdminNetworkPolicy' && meta.name !== '' && meta.name !== BASELINE_NAME) {
    issues.push({ code: 'baseline_not_default', path: pathOf(at(path, 'metadata'), 'name'), name: meta.name })
  }
  // the API server checks nothing inside a missing spec
  if (!requireField(input, 'spec', path, issues, `the ${kind} spec`)) return { ok: false, issues }
  const specLoc = at(path, 'spec')
  const spec = objectAt(input, 'spec', path, issues) ?? {}
  checkKnownFields(spec, dialect.specFields, specLoc, issues)
  const head = readHead(spec, specLoc, dialect, issues)
  const subject = readSubject(spec, specLoc, dialect, issues)
  const ingress = readClusterRules(limitedList(spec, 'ingress', specLoc, issues, { max: dialect.maxRules }) ?? NO_ITEMS, at(specLoc, 'ingress'), 'ingress', dialect, issues)
  const egress = readClusterRules(limitedList(spec, 'egress', specLoc, issues, { max: dialect.maxRules }) ?? NO_ITEMS, at(specLoc, 'egress'), 'egress', dialect, issues)
  if (!head || !subject) return { ok: false, issues }
  const annotations = netpolAnnotations(input)
  const policy: ClusterPolicy = { ...head, name: meta.name, subject, ingress, egress, ...(annotations ? { annotations } : {}), ...(source ? { source } : {}) }
  return result(policy, issues)
}

/** kind, tier and priority: CNP `tier` (Admin | Baseline) and `priority`; ANP `priority`; BANP neither. */
function readHead(spec: Json, loc: Loc, dialect: Dialect, issues: ModelIssue[]): ClusterPolicyHead | undefined {
  const priority = () => (requireField(spec, 'priority', loc, issues, `a priority, ${PRIORITY_MIN}-${PRIORITY_MAX} (lower first)`) ? boundedInt(spec, 'priority', loc, issues, PRIORITY_MIN, PRIORITY_MAX) : undefined)
  switch (dialect.kind) {
    case 'ClusterNetworkPolicy': {
      const tier = requireField(spec, 'tier', loc, issues, 'the tier: Admin or Baseline') ? enumAt(spec, 'tier', loc, issues, TIERS) : undefined
      const p = priority()
      return tier === undefined || p === undefined ? undefined : { kind: 'ClusterNetworkPolicy', tier, priority: p }
    }
    case 'AdminNetworkPolicy': {
      const p = priority()
      return p === undefined ? undefined : { kind: 'AdminNetworkPolicy', tier: 'Admin', priority: p }
    }
    case 'BaselineAdminNetworkPolicy':
      return { kind: 'BaselineAdminNetworkPolicy', tier: 'Baseline', priority: null }
  }
}

/**
 * `subject`: "Exactly one field must be set": `namespaces` (a label selector: every pod of those namespaces) or
 * `pods` ({namespaceSelector, podSelector}).
 */
function readSubject(spec: Json, loc: Loc, dialect: Dialect, issues: ModelIssue[]): ClusterSubject | undefined {
  if (!requireField(spec, 'subject', loc, issues, 'the subject: namespaces or pods')) return undefined
  const s = objectAt(spec, 'subject', loc, issues)
  if (!s) return undefined
  const sLoc = at(loc, 'subject')
  const before = issues.length
  checkKnownFields(s, SUBJECT_SET, sLoc, issues)
  const field = exactlyOne(s, SUBJECT_FIELDS, sLoc, issues)
  let subject: ClusterSubject | undefined
  if (field === 'namespaces') {
    const v = objectAt(s, 'namespaces', sLoc, issues)
    if (v) subject = { kind: 'namespaces', selector: readSelector(v, at(sLoc, 'namespaces'), issues) }
  } else if (field === 'pods') {
    const pods = readNamespacedPod(s, sLoc, dialect, issues)
    if (pods) subject = { kind: 'pods', ...pods }
  }
  return issues.length === before ? subject : undefined
}
