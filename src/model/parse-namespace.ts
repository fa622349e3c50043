/** core/v1 Namespace: the name and labels, with the name label the API server adds. */
import type { Namespace } from './cluster.js'
import type { ModelIssue, Parsed, Path } from './issues.js'
import type { Labels } from './labels.js'
import { at, checkKnownFields, isObject, objectAt, parseMetadata, result, typeName } from './parse-fields.js'
import type { SourceRef } from './source.js'
import { netpolAnnotations } from './netpol-annotations.js'

const NAMESPACE_SPEC_FIELDS: ReadonlySet<string> = new Set(['finalizers'])
import { dnsLabelProblem } from './validate-names.js'

/** "The control plane sets an immutable label kubernetes.io/metadata.name on all namespaces." */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name'

/** The labels of namespace `name` as stored: the given ones with the name label set (overriding any value). */
export function namespaceLabels(name: string, labels: Labels = {}): Labels {
  return { ...labels, [NAMESPACE_NAME_LABEL]: name }
}

/** A Namespace named by nothing but a reference from another object. */
export function implicitNamespace(name: string): Namespace {
  return { name, labels: namespaceLabels(name), implicit: true }
}

/** Parses a Namespace object; its name must be an RFC 1123 label (ValidateNamespaceName). Never throws. */
export function parseNamespace(input: unknown, path: Path = [], source?: SourceRef): Parsed<Namespace> {
  const issues: ModelIssue[] = []
  if (!isObject(input)) return { ok: false, issues: [{ code: 'not_an_object', path, expected: 'Namespace', got: typeName(input) }] }
  const meta = parseMetadata(input, path, issues, { name: dnsLabelProblem, namespaced: false })
  // NamespaceSpec has one field
  const spec = objectAt(input, 'spec', path, issues)
  if (spec) checkKnownFields(spec, NAMESPACE_SPEC_FIELDS, at(path, 'spec'), issues)
  const annotations = netpolAnnotations(input)
  return result({ name: meta.name, labels: namespaceLabels(meta.name, meta.labels), implicit: false, ...(annotations ? { annotations } : {}), ...(source ? { source } : {}) }, issues)
}
