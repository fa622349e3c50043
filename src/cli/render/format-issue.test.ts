import { describe, expect, test } from 'vitest'
import { buildCluster } from '../../model/build-cluster.js'
import { splitDocuments } from '../../model/documents.js'
import type { LocatedIssue, ModelIssue, ModelNote } from '../../model/issues.js'
import { formatIssue, formatNote, issueMessage } from './format-issue.js'

const at = (issue: ModelIssue, extra: Partial<LocatedIssue> = {}): LocatedIssue => ({ file: 'examples/x.yaml', doc: 0, ...extra, issue })

test.each<{ name: string; issue: LocatedIssue; want: string }>([
  {
    name: 'the full form',
    issue: at(
      { code: 'except_outside_cidr', path: ['spec', 'ingress', 0, 'from', 1, 'ipBlock', 'except', 0], cidr: '10.1.0.0/16', except: '10.2.0.0/16' },
      { line: 14, column: 9, object: { kind: 'NetworkPolicy', namespace: 'shop', name: 'allow-web' } },
    ),
    want: 'examples/x.yaml:14:9: NetworkPolicy shop/allow-web: spec.ingress[0].from[1].ipBlock.except[0]: "10.2.0.0/16" must be a strict subset of cidr "10.1.0.0/16" (same family, longer prefix)',
  },
  {
    name: 'a cluster-scoped object',
    issue: at({ code: 'invalid_name', path: ['metadata', 'name'], input: 'Shop', expected: 'an RFC 1123 label' }, { line: 3, column: 9, object: { kind: 'Namespace', name: 'Shop' } }),
    want: 'examples/x.yaml:3:9: Namespace Shop: metadata.name: "Shop" is not a valid name; expected an RFC 1123 label',
  },
  {
    name: 'no position, later document',
    issue: at({ code: 'peer_empty', path: ['spec', 'egress', 0, 'to', 0] }, { doc: 2, object: { kind: 'NetworkPolicy', namespace: 'a', name: 'p' } }),
    want: 'examples/x.yaml (document 3): NetworkPolicy a/p: spec.egress[0].to[0]: invalid: a peer must specify podSelector, namespaceSelector or ipBlock (to allow everyone, leave out the from/to list)',
  },
  {
    name: 'a syntax error has no field path',
    issue: at({ code: 'yaml_syntax', path: [], message: 'Flow map must end with a }', line: 4, column: 1 }, { line: 4, column: 1 }),
    want: 'examples/x.yaml:4:1: syntax error: Flow map must end with a }',
  },
  { name: 'a missing file', issue: at({ code: 'file_not_found', path: [], file: 'examples/x.yaml' }), want: 'examples/x.yaml: no such file or directory' },
  {
    name: 'a quoted number as port',
    issue: at({ code: 'invalid_port_name', path: ['spec', 'ingress', 0, 'ports', 0, 'port'], input: '80', expected: 'an IANA service name with at least one letter' }, { line: 9, column: 17 }),
    want: 'examples/x.yaml:9:17: spec.ingress[0].ports[0].port: "80" is not a valid port name; expected an IANA service name with at least one letter (write a port number without quotes)',
  },
  {
    name: 'a name that is not plain text is quoted: one issue stays one line',
    issue: at(
      { code: 'invalid_name', path: ['metadata', 'name'], input: 'x";\nflush ruleset', expected: 'an RFC 1123 subdomain' },
      { line: 5, column: 9, object: { kind: 'NetworkPolicy', namespace: 'shop', name: 'x";\nflush ruleset' } },
    ),
    want: 'examples/x.yaml:5:9: NetworkPolicy shop/"x\\";\\nflush ruleset": metadata.name: "x\\";\\nflush ruleset" is not a valid name; expected an RFC 1123 subdomain',
  },
  {
    name: 'a label key that is not plain text is quoted in the field path',
    issue: at(
      { code: 'invalid_label_key', path: ['metadata', 'labels', 'a b\n#'], input: 'a b\n#', expected: 'a name part' },
      { line: 7, column: 13, object: { kind: 'Pod', namespace: 'shop', name: 'web' } },
    ),
    want: 'examples/x.yaml:7:13: Pod shop/web: metadata.labels["a b\\n#"]: label key "a b\\n#" is invalid; expected a name part',
  },
  {
    name: 'characters that print as nothing or reorder text are escaped',
    issue: at({ code: 'invalid_name', path: ['metadata', 'namespace'], input: 'a\u202eb\u2028', expected: 'an RFC 1123 label' }, { line: 4, column: 14, object: { kind: 'Pod', namespace: 'a\u202eb\u2028', name: 'web' } }),
    want: 'examples/x.yaml:4:14: Pod "a\\u202eb\\u2028"/web: metadata.namespace: "a\\u202eb\\u2028" is not a valid name; expected an RFC 1123 label',
  },
])('$name', ({ issue, want }) => {
  expect(formatIssue(issue)).toBe(want)
  expect(formatIssue(issue)).not.toMatch(/[\n\r\u2028\u2029\u202e]/)
})

// every code gets a non-empty sentence without "undefined" in it
const samples: ModelIssue[] = [
  { code: 'yaml_syntax', path: [], message: 'm' },
  { code: 'not_an_object', path: [], expected: 'a Kubernetes object', got: 'string' },
  { code: 'wrong_type', path: ['a'], expected: 'integer', got: 'string' },
  { code: 'required', path: ['a'], expected: 'x' },
  { code: 'invalid_name', path: ['a'], input: 'x', expected: 'y' },
  { code: 'invalid_label_key', path: ['a'], input: 'x', expected: 'y' },
  { code: 'invalid_label_value', path: ['a'], input: 'x', expected: 'y' },
  { code: 'unknown_operator', path: ['a'], operator: 'in' },
  { code: 'values_required', path: ['a'], operator: 'In' },
  { code: 'values_forbidden', path: ['a'], operator: 'Exists' },
  { code: 'peer_empty', path: ['a'] },
  { code: 'peer_ipblock_with_selector', path: ['a'] },
  { code: 'invalid_cidr', path: ['a'], input: 'x' },
  { code: 'invalid_ip', path: ['a'], input: 'x' },
  { code: 'except_outside_cidr', path: ['a'], cidr: 'x', except: 'y' },
  { code: 'invalid_protocol', path: ['a'], input: 'tcp' },
  { code: 'invalid_port_number', path: ['a'], input: 0 },
  { code: 'invalid_port_name', path: ['a'], input: 'X', expected: 'y' },
  { code: 'end_port_inverted', path: ['a'], port: 90, endPort: 80 },
  { code: 'end_port_without_numeric_port', path: ['a'], port: null },
  { code: 'end_port_without_numeric_port', path: ['a'], port: 'http' },
  { code: 'invalid_policy_type', path: ['a'], input: 'x' },
  { code: 'too_many_policy_types', path: ['a'], count: 3 },
  { code: 'unknown_field', path: ['a'], field: 'x', known: ['y', 'z'] },
  { code: 'duplicate_value', path: ['a'], input: 'http' },
  { code: 'selector_mismatch', path: ['a'], selector: 'app=x', labels: '{app=y}' },
  ...(['first-not-cluster-ip', 'too-many', 'same-family', 'none-with-others', 'unspecified', 'loopback', 'link-local', 'link-local-multicast'] as const).map(
    (problem): ModelIssue => ({ code: 'service_ip', path: ['spec', 'clusterIPs'], input: '10.96.0.5', problem }),
  ),
  { code: 'duplicate_key', path: ['metadata', 'name'], key: 'name' },
  { code: 'invalid_annotation_key', path: ['metadata', 'annotations', 'a/b/c'], input: 'a/b/c', expected: 'y' },
  { code: 'invalid_label_value', path: ['a'], input: 'x', max: 63 },
  { code: 'annotations_too_large', path: ['metadata', 'annotations'], bytes: 300000, max: 262144 },
  { code: 'unserved_api_version', path: ['apiVersion'], apiVersion: 'extensions/v1beta1', kind: 'NetworkPolicy', served: 'networking.k8s.io/v1', removed: true },
  { code: 'unknown_kind', path: ['kind'], kind: 'networkpolicy', apiVersion: 'networking.k8s.io/v1', suggestion: 'NetworkPolicy', served: 'networking.k8s.io/v1' },
  { code: 'file_not_found', path: [], file: 'f' },
  { code: 'file_unreadable', path: [], file: 'f', message: 'EACCES' },
]
test.each(samples.map((issue) => ({ code: issue.code, issue })))('message for $code', ({ issue }) => {
  const m = issueMessage(issue)
  expect(m.length).toBeGreaterThan(10)
  expect(m).not.toContain('undefined')
})

const notes: ModelNote[] = [
  { code: 'unknown_kind_skipped', kind: 'ConfigMap', name: 'cfg' },
  { code: 'namespace_created', namespace: 'shop', referencedBy: 'Pod shop/web' },
  { code: 'template_skipped_pods_present', kind: 'Deployment', namespace: 'shop', name: 'web' },
  { code: 'pod_not_running_skipped', namespace: 'shop', name: 'job-1', phase: 'Succeeded' },
  { code: 'duplicate_object', kind: 'Namespace', namespace: '', name: 'shop' },
  { code: 'generated_name', kind: 'Pod', namespace: 'shop', generateName: 'web-', name: 'web-bcdfg' },
  { code: 'unknown_kind_skipped', kind: 'NetworkPolicy', name: 'p', apiVersion: 'projectcalico.org/v3' },
]
test.each(notes.map((note) => ({ code: note.code, note })))('note for $code', ({ note }) => {
  const m = formatNote(note)
  expect(m).not.toContain('undefined')
  expect(m).not.toMatch(/^note:/)
})

test('namespaced duplicate', () => {
  expect(formatNote({ code: 'duplicate_object', kind: 'Pod', namespace: 'a', name: 'b' })).toBe('Pod a/b is given more than once; the last one is used')
})

/** The lines a user sees for one manifest (file position left out: the loader adds line and column). */
function linesFor(text: string): string[] {
  const split = splitDocuments('in.yaml', text)
  return [...split.issues, ...buildCluster(split.docs).issues].map(formatIssue)
}
const NP = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy'
const long = 'x'.repeat(100_000)

describe('messages say what the API server would, in one short line', () => {
  test.each([
    {
      name: 'a length error names the limit, not the whole rule',
      text: `${NP}\nmetadata: { name: p, namespace: x, labels: { a: ${'x'.repeat(64)} } }`,
      want: `in.yaml: NetworkPolicy x/p: metadata.labels.a: label value "${'x'.repeat(64)}" is invalid: must be no more than 63 characters`,
    },
    {
      name: 'the name part of a label key',
      text: `${NP}\nmetadata: { name: p, namespace: x, labels: { example.com/${'k'.repeat(64)}: v } }`,
      want: `in.yaml: NetworkPolicy x/p: metadata.labels["example.com/${'k'.repeat(52)}"… (76 characters)]: label key "example.com/${'k'.repeat(52)}"… (76 characters) is invalid: its name part must be no more than 63 characters`,
    },
    {
      name: 'endPort out of range says endPort',
      text: `${NP}\nmetadata: { name: p, namespace: x }\nspec: { ingress: [ { ports: [ { port: 80, endPort: 65536 } ] } ] }`,
      want: 'in.yaml: NetworkPolicy x/p: spec.ingress[0].ports[0].endPort: endPort 65536 is out of range; expected 1-65535',
    },
    {
      name: 'a very long value is cut, with its length',
      text: `${NP}\nmetadata: { name: p, namespace: x, labels: { a: "-${long}" } }`,
      want: `in.yaml: NetworkPolicy x/p: metadata.labels.a: label value "-${'x'.repeat(63)}"… (100001 characters) is invalid; expected empty, or at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`,
    },
    {
      name: 'a label key with "/" is bracketed in the field path',
      text: `${NP}\nmetadata: { name: p, namespace: x }\nspec: { podSelector: { matchLabels: { example.com/a: "a b" } } }`,
      want: 'in.yaml: NetworkPolicy x/p: spec.podSelector.matchLabels["example.com/a"]: label value "a b" is invalid; expected empty, or at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    },
    {
      name: 'an empty peer, as the API server says ("must specify a peer")',
      text: `${NP}\nmetadata: { name: p, namespace: x }\nspec: { ingress: [ { from: [ {} ] } ] }`,
      want: 'in.yaml: NetworkPolicy x/p: spec.ingress[0].from[0]: invalid: a peer must specify podSelector, namespaceSelector or ipBlock (to allow everyone, leave out the from/to list)',
    },
    {
      name: 'a duplicate key names the key',
      text: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n',
      want: 'in.yaml:5:3: metadata.name: key "name" is given twice in this mapping; the API server refuses duplicate keys',
    },
    {
      name: 'an apiVersion that no longer serves the kind',
      text: 'apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: { name: p, namespace: x }',
      want: 'in.yaml: NetworkPolicy x/p: apiVersion: extensions/v1beta1 NetworkPolicy is no longer served; use apiVersion networking.k8s.io/v1',
    },
    {
      name: 'a mis-cased kind',
      text: 'apiVersion: networking.k8s.io/v1\nkind: networkpolicy\nmetadata: { name: p, namespace: x }',
      want: 'in.yaml: networkpolicy x/p: kind: kind "networkpolicy" is not served by networking.k8s.io/v1; did you mean NetworkPolicy? (kinds are case-sensitive)',
    },
    {
      name: 'a misspelt kind under another apiVersion',
      text: 'apiVersion: v1\nkind: NetworkPolcy\nmetadata: { name: p, namespace: x }',
      want: 'in.yaml: NetworkPolcy x/p: kind: kind "NetworkPolcy" is not served by v1; did you mean NetworkPolicy? (apiVersion networking.k8s.io/v1)',
    },
    {
      name: 'an unknown metadata field, with the field it is close to',
      text: `${NP}\nmetadata: { name: p, namespace: x, labelz: { a: b } }`,
      want: 'in.yaml: NetworkPolicy x/p: metadata.labelz: unknown field "labelz"; did you mean labels?',
    },
    {
      name: 'an unknown top-level field',
      text: `${NP}\nmetadata: { name: p, namespace: x }\nspecs: {}`,
      want: 'in.yaml: NetworkPolicy x/p: specs: unknown field "specs"; did you mean spec?',
    },
    {
      name: 'an invalid annotation key',
      text: `${NP}\nmetadata: { name: p, namespace: x, annotations: { a/b/c: v } }`,
      want: 'in.yaml: NetworkPolicy x/p: metadata.annotations["a/b/c"]: annotation key "a/b/c" is invalid; expected a qualified name with at most one "/"',
    },
  ])('$name', ({ text, want }) => {
    const lines = linesFor(text)
    expect(lines).toEqual([want])
    expect(lines[0]!.length).toBeLessThan(400)
  })
})

describe('the CRD limits of cluster policies, in the API server words', () => {
  test.each<{ issue: ModelIssue; want: string }>([
    { issue: { code: 'too_many_items', path: ['spec', 'ingress'], count: 26, max: 25 }, want: 'Too many: 26: must have at most 25 items' },
    { issue: { code: 'too_few_items', path: ['spec', 'ingress', 0, 'from'], count: 0, min: 1 }, want: 'Invalid value: 0: must have at least 1 item' },
    { issue: { code: 'too_long', path: ['spec', 'ingress', 0, 'name'], length: 101, max: 100 }, want: 'Too long: 101 characters; may not be more than 100' },
    { issue: { code: 'out_of_range', path: ['spec', 'priority'], input: -1, min: 0, max: 1000 }, want: 'Invalid value: -1: must be greater than or equal to 0' },
    { issue: { code: 'out_of_range', path: ['spec', 'priority'], input: 1001, min: 0, max: 1000 }, want: 'Invalid value: 1001: must be less than or equal to 1000' },
    { issue: { code: 'exactly_one_field', path: ['spec', 'subject'], set: [], fields: ['namespaces', 'pods'] }, want: 'Required value: exactly one of namespaces, pods must be set' },
    { issue: { code: 'unsupported_value', path: ['spec', 'tier'], input: 'admin', supported: ['Admin', 'Baseline'] }, want: 'Unsupported value: "admin": supported values: "Admin", "Baseline"' },
  ])('$issue.code $want', ({ issue, want }) => expect(issueMessage(issue)).toBe(want))
})
