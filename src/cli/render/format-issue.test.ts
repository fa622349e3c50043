import { expect, test } from 'vitest'
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
    want: 'examples/x.yaml (document 3): NetworkPolicy a/p: spec.egress[0].to[0]: this peer selects nothing; expected one of podSelector, namespaceSelector or ipBlock (write a missing from/to list to allow everyone)',
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
]
test.each(notes.map((note) => ({ code: note.code, note })))('note for $code', ({ note }) => {
  const m = formatNote(note)
  expect(m).not.toContain('undefined')
  expect(m).not.toMatch(/^note:/)
})

test('namespaced duplicate', () => {
  expect(formatNote({ code: 'duplicate_object', kind: 'Pod', namespace: 'a', name: 'b' })).toBe('Pod a/b is given more than once; the last one is used')
})
