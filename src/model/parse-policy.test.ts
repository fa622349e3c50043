import { describe, expect, test } from 'vitest'
import { toDotPath } from './issues.js'
import { parsePolicy } from './parse-policy.js'
import type { NetworkPolicy, Peer, Rule } from './policy.js'

type Spec = Record<string, unknown>

const policy = (spec: Spec | undefined, metadata: Record<string, unknown> = { name: 'p', namespace: 'shop' }): unknown => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata,
  ...(spec !== undefined ? { spec } : {}),
})
const ingressFrom = (...from: unknown[]): Spec => ({ ingress: [{ from }] })
const ingressPorts = (...ports: unknown[]): Spec => ({ ingress: [{ ports }] })
const block = (cidr: unknown, except?: unknown[]): Spec => ingressFrom({ ipBlock: except ? { cidr, except } : { cidr } })
const P0 = 'spec.ingress[0].ports[0]'
const F0 = 'spec.ingress[0].from[0]'
const SEL = 'spec.podSelector'

function issuesOf(input: unknown): [string, string][] {
  const r = parsePolicy(input)
  return r.ok ? [] : r.issues.map((i) => [i.code, toDotPath(i.path)])
}

function ok(input: unknown): NetworkPolicy {
  const r = parsePolicy(input)
  if (!r.ok) throw new Error(`unexpected issues: ${JSON.stringify(r.issues)}`)
  return r.value
}

describe('validation: one row per error (code and path)', () => {
  test.each<{ name: string; input: unknown; want: [string, string][] }>([
    // metadata
    { name: 'name missing', input: policy({}, { namespace: 'shop' }), want: [['required', 'metadata.name']] },
    { name: 'metadata missing', input: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: {} }, want: [['required', 'metadata.name']] },
    { name: 'name not a DNS subdomain', input: policy({}, { name: 'Allow_Web' }), want: [['invalid_name', 'metadata.name']] },
    { name: 'name not a string', input: policy({}, { name: 7 }), want: [['wrong_type', 'metadata.name']] },
    { name: 'namespace not a DNS label', input: policy({}, { name: 'p', namespace: 'a.b' }), want: [['invalid_name', 'metadata.namespace']] },
    { name: 'label key with two slashes', input: policy({}, { name: 'p', labels: { 'a/b/c': 'x' } }), want: [['invalid_label_key', 'metadata.labels["a/b/c"]']] },
    { name: 'label value too long', input: policy({}, { name: 'p', labels: { a: 'x'.repeat(64) } }), want: [['invalid_label_value', 'metadata.labels.a']] },
    { name: 'label value a number', input: policy({}, { name: 'p', labels: { a: 1 } }), want: [['wrong_type', 'metadata.labels.a']] },
    { name: 'not an object', input: 'NetworkPolicy', want: [['not_an_object', '']] },
    { name: 'spec not an object', input: policy([] as never), want: [['wrong_type', 'spec']] },
    // structure and strict fields
    { name: 'misspelt spec field', input: policy({ podselector: {} }), want: [['unknown_field', 'spec.podselector']] },
    { name: 'egress rule with from', input: policy({ egress: [{ from: [] }] }), want: [['unknown_field', 'spec.egress[0].from']] },
    { name: 'unknown peer field', input: policy(ingressFrom({ podSelector: {}, namespace: 'x' })), want: [['unknown_field', `${F0}.namespace`]] },
    { name: 'ingress not a list', input: policy({ ingress: {} }), want: [['wrong_type', 'spec.ingress']] },
    { name: 'rule not an object', input: policy({ ingress: ['all'] }), want: [['wrong_type', 'spec.ingress[0]']] },
    // selectors
    { name: 'matchLabels key invalid', input: policy({ podSelector: { matchLabels: { '-app': 'a' } } }), want: [['invalid_label_key', `${SEL}.matchLabels.-app`]] },
    { name: 'matchLabels key prefix invalid', input: policy({ podSelector: { matchLabels: { 'Example.com/app': 'a' } } }), want: [['invalid_label_key', `${SEL}.matchLabels["Example.com/app"]`]] },
    { name: 'matchLabels value invalid', input: policy({ podSelector: { matchLabels: { app: 'a b' } } }), want: [['invalid_label_value', `${SEL}.matchLabels.app`]] },
    { name: 'unknown operator', input: policy({ podSelector: { matchExpressions: [{ key: 'a', operator: 'in', values: ['x'] }] } }), want: [['unknown_operator', `${SEL}.matchExpressions[0].operator`]] },
    { name: 'operator missing', input: policy({ podSelector: { matchExpressions: [{ key: 'a' }] } }), want: [['unknown_operator', `${SEL}.matchExpressions[0].operator`]] },
    { name: 'NotIn with empty values', input: policy({ podSelector: { matchExpressions: [{ key: 'a', operator: 'NotIn', values: [] }] } }), want: [['values_required', `${SEL}.matchExpressions[0].values`]] },
    { name: 'In without values', input: policy({ podSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }), want: [['values_required', `${SEL}.matchExpressions[0].values`]] },
    { name: 'Exists with values', input: policy({ podSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } }), want: [['values_forbidden', `${SEL}.matchExpressions[0].values`]] },
    { name: 'DoesNotExist with values', input: policy({ podSelector: { matchExpressions: [{ key: 'a', operator: 'DoesNotExist', values: ['x'] }] } }), want: [['values_forbidden', `${SEL}.matchExpressions[0].values`]] },
    { name: 'expression value invalid', input: policy({ podSelector: { matchExpressions: [{ key: 'a', operator: 'In', values: ['ok', 'not ok'] }] } }), want: [['invalid_label_value', `${SEL}.matchExpressions[0].values[1]`]] },
    { name: 'expression key invalid', input: policy({ podSelector: { matchExpressions: [{ key: 'a/', operator: 'Exists' }] } }), want: [['invalid_label_key', `${SEL}.matchExpressions[0].key`]] },
    { name: 'selector misspelt field', input: policy({ podSelector: { matchLabel: { a: 'b' } } }), want: [['unknown_field', `${SEL}.matchLabel`]] },
    { name: 'selector not an object', input: policy(ingressFrom({ namespaceSelector: 'prod' })), want: [['wrong_type', `${F0}.namespaceSelector`]] },
    // policyTypes
    { name: 'three policy types', input: policy({ policyTypes: ['Ingress', 'Egress', 'Ingress'] }), want: [['too_many_policy_types', 'spec.policyTypes']] },
    { name: 'policy type lower case', input: policy({ policyTypes: ['ingress'] }), want: [['invalid_policy_type', 'spec.policyTypes[0]']] },
    { name: 'policy type unknown', input: policy({ policyTypes: ['Ingress', 'Both'] }), want: [['invalid_policy_type', 'spec.policyTypes[1]']] },
    // peers
    { name: 'empty peer', input: policy(ingressFrom({})), want: [['peer_empty', F0]] },
    { name: 'null peer is empty', input: policy(ingressFrom(null)), want: [['peer_empty', F0]] },
    { name: 'ipBlock with podSelector', input: policy(ingressFrom({ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} })), want: [['peer_ipblock_with_selector', F0]] },
    { name: 'ipBlock with namespaceSelector', input: policy({ egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: {} }] }] }), want: [['peer_ipblock_with_selector', 'spec.egress[0].to[0]']] },
    // ipBlock
    { name: 'cidr missing', input: policy(ingressFrom({ ipBlock: {} })), want: [['required', `${F0}.ipBlock.cidr`]] },
    { name: 'cidr empty', input: policy(block('')), want: [['required', `${F0}.ipBlock.cidr`]] },
    { name: 'cidr without prefix', input: policy(block('10.0.0.1')), want: [['invalid_cidr', `${F0}.ipBlock.cidr`]] },
    { name: 'cidr prefix too long', input: policy(block('10.0.0.0/33')), want: [['invalid_cidr', `${F0}.ipBlock.cidr`]] },
    { name: 'cidr octet too large', input: policy(block('10.0.0.256/32')), want: [['invalid_cidr', `${F0}.ipBlock.cidr`]] },
    { name: 'IPv6 cidr with zone', input: policy(block('fe80::1%eth0/64')), want: [['invalid_cidr', `${F0}.ipBlock.cidr`]] },
    { name: 'cidr not a string', input: policy(block(10)), want: [['wrong_type', `${F0}.ipBlock.cidr`]] },
    { name: 'except invalid', input: policy(block('10.0.0.0/8', ['10.1.0.0/40'])), want: [['invalid_cidr', `${F0}.ipBlock.except[0]`]] },
    { name: 'except equal to cidr', input: policy(block('10.0.0.0/8', ['10.0.0.0/8'])), want: [['except_outside_cidr', `${F0}.ipBlock.except[0]`]] },
    { name: 'except of the other family', input: policy(block('10.0.0.0/8', ['fd00::/64'])), want: [['except_outside_cidr', `${F0}.ipBlock.except[0]`]] },
    { name: 'except outside', input: policy(block('10.1.0.0/16', ['10.2.0.0/24'])), want: [['except_outside_cidr', `${F0}.ipBlock.except[0]`]] },
    { name: 'except wider than cidr', input: policy(block('10.1.0.0/16', ['10.0.0.0/8'])), want: [['except_outside_cidr', `${F0}.ipBlock.except[0]`]] },
    { name: 'IPv6 except outside', input: policy(block('fd00:1::/32', ['fd00:2::/48'])), want: [['except_outside_cidr', `${F0}.ipBlock.except[0]`]] },
    { name: 'only the bad except is reported', input: policy(block('10.0.0.0/8', ['10.1.0.0/16', '11.0.0.0/16'])), want: [['except_outside_cidr', `${F0}.ipBlock.except[1]`]] },
    { name: 'excepts unchecked when cidr invalid', input: policy(block('nope', ['also-nope'])), want: [['invalid_cidr', `${F0}.ipBlock.cidr`]] },
    // ports
    { name: 'protocol lower case', input: policy(ingressPorts({ protocol: 'tcp', port: 80 })), want: [['invalid_protocol', `${P0}.protocol`]] },
    { name: 'protocol empty', input: policy(ingressPorts({ protocol: '', port: 80 })), want: [['invalid_protocol', `${P0}.protocol`]] },
    { name: 'protocol ICMP', input: policy(ingressPorts({ protocol: 'ICMP' })), want: [['invalid_protocol', `${P0}.protocol`]] },
    { name: 'port 0', input: policy(ingressPorts({ port: 0 })), want: [['invalid_port_number', `${P0}.port`]] },
    { name: 'port 65536', input: policy(ingressPorts({ port: 65536 })), want: [['invalid_port_number', `${P0}.port`]] },
    { name: 'port negative', input: policy(ingressPorts({ port: -1 })), want: [['invalid_port_number', `${P0}.port`]] },
    { name: 'port "80" is a name, and not a valid one', input: policy(ingressPorts({ port: '80' })), want: [['invalid_port_name', `${P0}.port`]] },
    { name: 'port name upper case', input: policy(ingressPorts({ port: 'HTTP' })), want: [['invalid_port_name', `${P0}.port`]] },
    { name: 'port name with --', input: policy(ingressPorts({ port: 'a--b' })), want: [['invalid_port_name', `${P0}.port`]] },
    { name: 'port name starting with -', input: policy(ingressPorts({ port: '-web' })), want: [['invalid_port_name', `${P0}.port`]] },
    { name: 'port name ending with -', input: policy(ingressPorts({ port: 'web-' })), want: [['invalid_port_name', `${P0}.port`]] },
    { name: 'port name of 16 characters', input: policy(ingressPorts({ port: 'abcdefghijklmnop' })), want: [['invalid_port_name', `${P0}.port`]] },
    { name: 'port name with underscore', input: policy(ingressPorts({ port: 'web_1' })), want: [['invalid_port_name', `${P0}.port`]] },
    { name: 'port empty string', input: policy(ingressPorts({ port: '' })), want: [['invalid_port_name', `${P0}.port`]] },
    { name: 'port a fraction', input: policy(ingressPorts({ port: 80.5 })), want: [['wrong_type', `${P0}.port`]] },
    { name: 'port a boolean', input: policy(ingressPorts({ port: true })), want: [['wrong_type', `${P0}.port`]] },
    { name: 'endPort with a named port', input: policy(ingressPorts({ port: 'http', endPort: 90 })), want: [['end_port_without_numeric_port', `${P0}.endPort`]] },
    { name: 'endPort without port', input: policy(ingressPorts({ endPort: 90 })), want: [['end_port_without_numeric_port', `${P0}.endPort`]] },
    { name: 'endPort below port', input: policy(ingressPorts({ port: 90, endPort: 80 })), want: [['end_port_inverted', `${P0}.endPort`]] },
    { name: 'endPort out of range', input: policy(ingressPorts({ port: 80, endPort: 70000 })), want: [['invalid_port_number', `${P0}.endPort`]] },
    { name: 'endPort a string', input: policy(ingressPorts({ port: 80, endPort: '90' })), want: [['wrong_type', `${P0}.endPort`]] },
    { name: 'misspelt port field', input: policy(ingressPorts({ prot: 80 })), want: [['unknown_field', `${P0}.prot`]] },
  ])('$name', ({ input, want }) => {
    expect(issuesOf(input)).toEqual(want)
  })

  test('every issue of an object is collected', () => {
    const input = policy(
      { podSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, ingress: [{ from: [{}], ports: [{ port: 0 }] }], policyTypes: ['Sideways'] },
      { name: 'Bad' },
    )
    expect(issuesOf(input).map(([code]) => code).sort()).toEqual(
      ['invalid_name', 'values_forbidden', 'peer_empty', 'invalid_port_number', 'invalid_policy_type'].sort(),
    )
  })
})

describe('accepted input (API server edge cases)', () => {
  const blockOf = (spec: Spec) => {
    const peer = ok(policy(spec)).ingress![0]!.peers as readonly Peer[]
    const p = peer[0]!
    if (p.kind !== 'ipBlock') throw new Error('not an ipBlock')
    return p.block
  }
  test.each([
    { name: 'host bits set: 10.1.1.1/4 is 0.0.0.0/4', cidr: '10.1.1.1/4', except: [], key: '0.0.0.0/4' },
    { name: 'leading zeros in v4 octets read as decimal', cidr: '010.001.000.000/16', except: [], key: '10.1.0.0/16' },
    { name: 'except strictly inside', cidr: '10.0.0.0/8', except: ['10.2.0.0/16', '10.1.0.0/16'], key: '10.0.0.0/8 except 10.1.0.0/16,10.2.0.0/16' },
    { name: 'except one bit longer', cidr: '10.0.0.0/8', except: ['10.128.0.0/9'], key: '10.0.0.0/8 except 10.128.0.0/9' },
    { name: 'IPv6 block', cidr: 'fd00::/8', except: ['fd00:1::/32'], key: 'fd00::/8 except fd00:1::/32' },
    { name: 'IPv6 host bits set', cidr: '2001:db8::1/32', except: [], key: '2001:db8::/32' },
    { name: '0.0.0.0/0', cidr: '0.0.0.0/0', except: ['10.0.0.0/8'], key: '0.0.0.0/0 except 10.0.0.0/8' },
    { name: '::/0', cidr: '::/0', except: [], key: '::/0' },
    { name: 'a /32 host route', cidr: '192.168.1.1/32', except: [], key: '192.168.1.1/32' },
  ])('$name', ({ cidr, except, key }) => {
    const b = blockOf(block(cidr, except))
    expect(b.key).toBe(key)
    expect(b.cidr.text).toBe(cidr)
    expect(b.except).toHaveLength(except.length)
  })

  test.each([
    { name: 'numeric port', port: { port: 80 }, want: { protocol: 'TCP', port: { kind: 'range', from: 80, to: 80 } } },
    { name: 'port range', port: { protocol: 'UDP', port: 5000, endPort: 5100 }, want: { protocol: 'UDP', port: { kind: 'range', from: 5000, to: 5100 } } },
    { name: 'endPort equal to port', port: { port: 53, endPort: 53 }, want: { protocol: 'TCP', port: { kind: 'range', from: 53, to: 53 } } },
    { name: 'named port', port: { port: 'http' }, want: { protocol: 'TCP', port: { kind: 'named', name: 'http' } } },
    { name: 'named port with digits', port: { port: 'h2c-8080' }, want: { protocol: 'TCP', port: { kind: 'named', name: 'h2c-8080' } } },
    { name: 'protocol only: all ports of it', port: { protocol: 'SCTP' }, want: { protocol: 'SCTP', port: { kind: 'all' } } },
    { name: 'empty port: all TCP ports', port: {}, want: { protocol: 'TCP', port: { kind: 'all' } } },
    { name: 'null port entry: all TCP ports', port: null, want: { protocol: 'TCP', port: { kind: 'all' } } },
    { name: 'port 65535', port: { port: 65535 }, want: { protocol: 'TCP', port: { kind: 'range', from: 65535, to: 65535 } } },
  ])('port: $name', ({ port, want }) => {
    expect(ok(policy(ingressPorts(port))).ingress![0]!.ports).toEqual([want])
  })

  test.each([
    { name: 'Exists without values', expr: { key: 'a', operator: 'Exists' } },
    { name: 'DoesNotExist with empty values', expr: { key: 'a', operator: 'DoesNotExist', values: [] } },
    { name: 'In with values', expr: { key: 'example.com/tier', operator: 'In', values: ['web', ''] } },
    { name: 'NotIn with values', expr: { key: 'a', operator: 'NotIn', values: ['x'] } },
  ])('selector: $name', ({ expr }) => {
    expect(ok(policy({ podSelector: { matchExpressions: [expr] } })).podSelector.requirements).toHaveLength(1)
  })
})

describe('defaulting', () => {
  const rule: Rule = { peers: 'any', ports: 'any' }
  test.each<{ name: string; spec: Spec | undefined; ingress: Rule[] | null; egress: Rule[] | null }>([
    { name: 'no policyTypes, no egress rules: Ingress only', spec: { ingress: [{}] }, ingress: [rule], egress: null },
    { name: 'no policyTypes, empty egress list: Ingress only', spec: { egress: [] }, ingress: [], egress: null },
    { name: 'no policyTypes, egress rules: Ingress and Egress', spec: { egress: [{}] }, ingress: [], egress: [rule] },
    { name: 'empty policyTypes is defaulted too', spec: { policyTypes: [], egress: [{}] }, ingress: [], egress: [rule] },
    { name: 'policyTypes Egress: ingress rules are ignored', spec: { policyTypes: ['Egress'], ingress: [{}] }, ingress: null, egress: [] },
    { name: 'policyTypes Ingress: egress rules are ignored', spec: { policyTypes: ['Ingress'], egress: [{}] }, ingress: [], egress: null },
    { name: 'policyTypes both: deny both ways', spec: { policyTypes: ['Ingress', 'Egress'] }, ingress: [], egress: [] },
    { name: 'no spec at all: deny all ingress', spec: undefined, ingress: [], egress: null },
  ])('policyTypes: $name', ({ spec, ingress, egress }) => {
    const p = ok(policy(spec))
    expect(p.ingress).toEqual(ingress)
    expect(p.egress).toEqual(egress)
  })

  test.each<{ name: string; rule: unknown; want: Rule }>([
    { name: 'from missing: any peer', rule: { ports: [{ port: 80 }] }, want: { peers: 'any', ports: [{ protocol: 'TCP', port: { kind: 'range', from: 80, to: 80 } }] } },
    { name: 'from: [] is any peer', rule: { from: [] }, want: { peers: 'any', ports: 'any' } },
    { name: 'ports: [] is any port', rule: { ports: [] }, want: { peers: 'any', ports: 'any' } },
    { name: 'null rule is the empty rule', rule: null, want: { peers: 'any', ports: 'any' } },
  ])('rule: $name', ({ rule: r, want }) => {
    expect(ok(policy({ ingress: [r] })).ingress).toEqual([want])
  })

  test('missing podSelector and metadata.namespace', () => {
    const p = ok(policy({}, { name: 'p' }))
    expect(p.namespace).toBe('default')
    expect(p.podSelector.requirements).toEqual([])
  })

  test('matchLabels become In requirements marked fromMatchLabels', () => {
    const p = ok(policy({ podSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] } }))
    expect(p.podSelector.requirements).toEqual([
      { key: 'app', operator: 'In', values: ['web'], fromMatchLabels: true },
      { key: 'tier', operator: 'NotIn', values: ['db'] },
    ])
  })

  test.each<{ name: string; peer: unknown; want: Partial<Peer> & Record<string, unknown> }>([
    { name: 'podSelector alone: own namespace', peer: { podSelector: { matchLabels: { a: 'b' } } }, want: { namespaces: { kind: 'own' }, written: { podSelector: true, namespaceSelector: false } } },
    { name: 'namespaceSelector alone: all pods there', peer: { namespaceSelector: {} }, want: { written: { podSelector: false, namespaceSelector: true } } },
    { name: 'both: AND', peer: { podSelector: {}, namespaceSelector: { matchLabels: { a: 'b' } } }, want: { written: { podSelector: true, namespaceSelector: true } } },
    { name: 'null fields are unset', peer: { podSelector: {}, ipBlock: null }, want: { namespaces: { kind: 'own' } } },
  ])('peer: $name', ({ peer, want }) => {
    const peers = ok(policy(ingressFrom(peer))).ingress![0]!.peers as readonly Peer[]
    expect(peers[0]).toMatchObject({ kind: 'pods', ...want })
  })

  test('namespaceSelector alone selects every pod of the namespaces', () => {
    const [peer] = ok(policy(ingressFrom({ namespaceSelector: { matchLabels: { team: 'a' } } }))).ingress![0]!.peers as readonly Peer[]
    if (peer?.kind !== 'pods' || peer.namespaces.kind !== 'selector') throw new Error('expected a namespace selector peer')
    expect(peer.podSelector.requirements).toEqual([])
    expect(peer.namespaces.selector.requirements).toHaveLength(1)
  })

  test('source is attached when given', () => {
    const r = parsePolicy(policy({}), [], { file: 'a.yaml', doc: 2 })
    expect(r.ok && r.value.source).toEqual({ file: 'a.yaml', doc: 2 })
  })

  test('issue paths are prefixed with the object path', () => {
    const r = parsePolicy(policy(ingressFrom({})), ['items', 3])
    expect(r.ok ? [] : r.issues.map((i) => toDotPath(i.path))).toEqual(['items[3].spec.ingress[0].from[0]'])
  })
})

test('rules under a direction policyTypes does not name are kept apart as ignored', () => {
  const r = parsePolicy({
    metadata: { name: 'p', namespace: 'x' },
    spec: { podSelector: {}, policyTypes: ['Egress'], ingress: [{}], egress: [{ to: [{ podSelector: {} }] }] },
  })
  expect(r.ok).toBe(true)
  if (!r.ok) return
  expect(r.value.ingress).toBeNull()
  expect(r.value.egress).toHaveLength(1)
  expect(r.value.ignored?.ingress).toHaveLength(1)
  expect(r.value.ignored?.egress).toBeUndefined()
})

describe('what lint needs to know of the written manifest', () => {
  test.each([
    { name: 'policyTypes missing', spec: { egress: [{}] }, want: true },
    { name: 'policyTypes empty', spec: { policyTypes: [], egress: [{}] }, want: true },
    { name: 'policyTypes null', spec: { policyTypes: null }, want: true },
    { name: 'policyTypes written', spec: { policyTypes: ['Ingress', 'Egress'], egress: [{}] }, want: undefined },
  ])('$name: policyTypesDefaulted is $want', ({ spec, want }) => {
    expect(ok(policy(spec)).policyTypesDefaulted).toBe(want)
  })

  test("only netpol's own annotations are kept", () => {
    const p = ok(policy({}, { name: 'p', namespace: 'shop', annotations: { 'netpol.dev/lint-ignore': 'NP003', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }))
    expect(p.annotations).toEqual({ 'netpol.dev/lint-ignore': 'NP003' })
    expect(ok(policy({}, { name: 'p', annotations: { a: 'b' } })).annotations).toBeUndefined()
  })
})
