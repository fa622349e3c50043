import { describe, expect, test } from 'vitest'
import { dns1035LabelProblem, dnsLabelProblem, dnsSubdomainProblem, isPortNumber, labelKeyProblem, labelValueProblem, portNameProblem } from './validate-names.js'

const valid = (f: (s: string) => unknown) => (s: string) => f(s) === null

describe.each([
  {
    rule: 'label key',
    check: valid(labelKeyProblem),
    good: ['app', 'App_1', 'a.b-c_d', 'example.com/app', 'kubernetes.io/metadata.name', 'a', `${'p'.repeat(253)}/n`, 'x'.repeat(63)],
    bad: ['', '/app', 'app/', 'a/b/c', '-app', 'app-', '_a', 'a b', 'Example.com/app', 'ex_ample.com/app', 'x'.repeat(64), `${'p'.repeat(254)}/n`, 'a/'.concat('x'.repeat(64))],
  },
  {
    rule: 'label value',
    check: valid(labelValueProblem),
    good: ['', 'web', 'Web.v1_2-3', '1', 'x'.repeat(63)],
    bad: ['-web', 'web-', 'a b', 'a/b', 'x'.repeat(64), '.'],
  },
  {
    rule: 'RFC 1123 label (namespace names)',
    check: valid(dnsLabelProblem),
    good: ['a', 'shop', 'team-1', '1a', 'x'.repeat(63)],
    bad: ['', 'Shop', 'a.b', '-a', 'a-', 'a_b', 'x'.repeat(64)],
  },
  {
    rule: 'RFC 1123 subdomain (object names)',
    check: valid(dnsSubdomainProblem),
    good: ['a', 'allow-web', 'a.b.c', '1.2', 'x'.repeat(253)],
    bad: ['', 'Allow', 'a..b', '.a', 'a.', 'a_b', 'x'.repeat(254)],
  },
  {
    rule: 'RFC 1035 label (service names)',
    check: valid(dns1035LabelProblem),
    good: ['web', 'web-1', 'a'],
    bad: ['1web', 'web-', 'Web', 'a.b', ''],
  },
  {
    rule: 'IANA port name',
    check: valid(portNameProblem),
    good: ['http', 'h2c', 'web-80', 'a', 'x'.repeat(15), '8080-tcp'],
    bad: ['', '80', '8-0', 'HTTP', 'a--b', '-a', 'a-', 'a_b', 'x'.repeat(16), 'a.b'],
  },
])('$rule', ({ check, good, bad }) => {
  test.each(good)('accepts %s', (s) => expect(check(s)).toBe(true))
  test.each(bad)('rejects %s', (s) => expect(check(s)).toBe(false))
})

test.each([
  { n: 1, want: true },
  { n: 65535, want: true },
  { n: 0, want: false },
  { n: 65536, want: false },
  { n: -80, want: false },
  { n: 80.5, want: false },
])('port number $n', ({ n, want }) => expect(isPortNumber(n)).toBe(want))

// upstream reports a length error alone, naming the limit ("must be no more than 63 characters")
test.each([
  { rule: 'label value', problem: labelValueProblem('x'.repeat(64)), want: { max: 63 } },
  { rule: 'label key name part', problem: labelKeyProblem(`example.com/${'x'.repeat(64)}`), want: { max: 63, part: 'name part' } },
  { rule: 'label key prefix', problem: labelKeyProblem(`${'p'.repeat(254)}/n`), want: { max: 253, part: 'prefix' } },
  { rule: 'namespace name', problem: dnsLabelProblem('x'.repeat(64)), want: { max: 63 } },
  { rule: 'object name', problem: dnsSubdomainProblem('x'.repeat(254)), want: { max: 253 } },
  { rule: 'service name', problem: dns1035LabelProblem('x'.repeat(64)), want: { max: 63 } },
  { rule: 'port name', problem: portNameProblem('x'.repeat(16)), want: { max: 15 } },
  { rule: 'a long value that also breaks a rule reports the rule', problem: labelValueProblem(`-${'x'.repeat(70)}`), want: 'empty, or at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit' },
])('length: $rule', ({ problem, want }) => expect(problem).toEqual(want))
