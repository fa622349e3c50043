/**
 * One case per CRD rule (OpenAPI limits, CEL rules), valid and invalid, for each kind it applies to. Each case
 * lists the issues as `code path`; an empty list means the object is valid.
 */
import { describe, expect, test } from 'vitest'
import type { ClusterPolicyKind } from './cluster-policy.js'
import { toDotPath } from './issues.js'
import { parseClusterPolicy } from './parse-cluster-policy.js'

type Obj = Record<string, unknown>
const CNP: ClusterPolicyKind = 'ClusterNetworkPolicy'
const ANP: ClusterPolicyKind = 'AdminNetworkPolicy'
const BANP: ClusterPolicyKind = 'BaselineAdminNetworkPolicy'
const KINDS = [CNP, ANP, BANP]
const V1ALPHA1 = [ANP, BANP]

const API_VERSION: Record<ClusterPolicyKind, string> = {
  ClusterNetworkPolicy: 'policy.networking.k8s.io/v1alpha2',
  AdminNetworkPolicy: 'policy.networking.k8s.io/v1alpha1',
  BaselineAdminNetworkPolicy: 'policy.networking.k8s.io/v1alpha1',
}

/** The smallest valid spec of each kind. */
function baseSpec(kind: ClusterPolicyKind): Obj {
  const subject = { namespaces: {} }
  if (kind === CNP) return { tier: 'Admin', priority: 10, subject }
  if (kind === ANP) return { priority: 10, subject }
  return { subject }
}

/** Words of each kind: Accept is `Allow` in v1alpha1; ports are `protocols` in v1alpha2. */
const accept = (k: ClusterPolicyKind) => (k === CNP ? 'Accept' : 'Allow')
const portsKey = (k: ClusterPolicyKind) => (k === CNP ? 'protocols' : 'ports')
const num = (k: ClusterPolicyKind, port: unknown, protocol = 'TCP'): Obj =>
  k === CNP ? { [protocol.toLowerCase()]: { destinationPort: { number: port } } } : { portNumber: { protocol, port } }
const range = (k: ClusterPolicyKind, start: unknown, end: unknown): Obj =>
  k === CNP ? { tcp: { destinationPort: { range: { start, end } } } } : { portRange: { protocol: 'TCP', start, end } }
const named = (k: ClusterPolicyKind, name: string): Obj => (k === CNP ? { destinationNamedPort: name } : { namedPort: name })

function object(kind: ClusterPolicyKind, spec: Obj, metadata: Obj = { name: kind === BANP ? 'default' : 'p' }): Obj {
  return { apiVersion: API_VERSION[kind], kind, metadata, spec }
}

const issuesOf = (kind: ClusterPolicyKind, obj: unknown): string[] => {
  const r = parseClusterPolicy(kind, obj)
  return r.ok ? [] : r.issues.map((i) => `${i.code} ${toDotPath(i.path)}`)
}

interface Case {
  readonly name: string
  readonly kinds: readonly ClusterPolicyKind[]
  /** the spec: the base spec of the kind with changes */
  readonly spec: (k: ClusterPolicyKind, base: Obj) => Obj
  readonly metadata?: Obj
  readonly want: readonly string[] | ((k: ClusterPolicyKind) => readonly string[])
}

const ingress = (k: ClusterPolicyKind, rule: Obj): Obj => ({ ...baseSpec(k), ingress: [rule] })
const egress = (k: ClusterPolicyKind, rule: Obj): Obj => ({ ...baseSpec(k), egress: [rule] })
const fromAll = [{ namespaces: {} }]
const ruleOf = (k: ClusterPolicyKind, extra: Obj = {}): Obj => ({ action: 'Deny', from: fromAll, ...extra })
const egressTo = (k: ClusterPolicyKind, to: unknown[], extra: Obj = {}): Obj => ({ action: accept(k), to, ...extra })
const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i))
const maxRules = (k: ClusterPolicyKind) => (k === CNP ? 25 : 100)

const CASES: Case[] = [
  // the spec and its head
  { name: 'the smallest valid policy', kinds: KINDS, spec: (_k, b) => b, want: [] },
  { name: 'spec is required', kinds: KINDS, spec: () => null as unknown as Obj, want: ['required spec'] },
  { name: 'subject is required', kinds: KINDS, spec: (_k, b) => ({ ...b, subject: undefined }), want: ['required spec.subject'] },
  { name: 'priority is required', kinds: [CNP, ANP], spec: (_k, b) => ({ ...b, priority: undefined }), want: ['required spec.priority'] },
  { name: 'priority 0 and 1000 are the bounds', kinds: [CNP, ANP], spec: (_k, b) => ({ ...b, priority: 0 }), want: [] },
  { name: 'priority 1000', kinds: [CNP, ANP], spec: (_k, b) => ({ ...b, priority: 1000 }), want: [] },
  { name: 'priority -1 is below the minimum', kinds: [CNP, ANP], spec: (_k, b) => ({ ...b, priority: -1 }), want: ['out_of_range spec.priority'] },
  { name: 'priority 1001 is above the maximum', kinds: [CNP, ANP], spec: (_k, b) => ({ ...b, priority: 1001 }), want: ['out_of_range spec.priority'] },
  { name: 'priority must be an integer', kinds: [CNP, ANP], spec: (_k, b) => ({ ...b, priority: '10' }), want: ['wrong_type spec.priority'] },
  { name: 'a BaselineAdminNetworkPolicy has no priority', kinds: [BANP], spec: (_k, b) => ({ ...b, priority: 10 }), want: ['unknown_field spec.priority'] },
  { name: 'tier is required', kinds: [CNP], spec: (_k, b) => ({ ...b, tier: undefined }), want: ['required spec.tier'] },
  { name: 'tier Baseline', kinds: [CNP], spec: (_k, b) => ({ ...b, tier: 'Baseline' }), want: [] },
  { name: 'tier is an enum (case-sensitive)', kinds: [CNP], spec: (_k, b) => ({ ...b, tier: 'admin' }), want: ['unsupported_value spec.tier'] },
  { name: 'v1alpha1 kinds have no tier', kinds: V1ALPHA1, spec: (_k, b) => ({ ...b, tier: 'Admin' }), want: ['unknown_field spec.tier'] },
  { name: 'a misspelt spec field is refused', kinds: KINDS, spec: (_k, b) => ({ ...b, egres: [] }), want: ['unknown_field spec.egres'] },
  { name: 'a NetworkPolicy field is refused', kinds: KINDS, spec: (_k, b) => ({ ...b, podSelector: {} }), want: ['unknown_field spec.podSelector'] },

  // subject: exactly one of namespaces, pods
  { name: 'subject pods', kinds: KINDS, spec: (_k, b) => ({ ...b, subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'a' } } } } }), want: [] },
  { name: 'subject with both fields', kinds: KINDS, spec: (_k, b) => ({ ...b, subject: { namespaces: {}, pods: { namespaceSelector: {}, podSelector: {} } } }), want: ['exactly_one_field spec.subject'] },
  { name: 'subject with no field', kinds: KINDS, spec: (_k, b) => ({ ...b, subject: {} }), want: ['exactly_one_field spec.subject'] },
  { name: 'subject with an unknown field only', kinds: KINDS, spec: (_k, b) => ({ ...b, subject: { namespaceSelector: {} } }), want: ['unknown_field spec.subject.namespaceSelector', 'exactly_one_field spec.subject'] },
  { name: 'subject pods needs podSelector', kinds: KINDS, spec: (_k, b) => ({ ...b, subject: { pods: { namespaceSelector: {} } } }), want: ['required spec.subject.pods.podSelector'] },
  {
    name: 'subject pods: namespaceSelector is required in v1alpha1 only',
    kinds: KINDS,
    spec: (_k, b) => ({ ...b, subject: { pods: { podSelector: {} } } }),
    want: (k) => (k === CNP ? [] : ['required spec.subject.pods.namespaceSelector']),
  },
  { name: 'an invalid selector in the subject', kinds: KINDS, spec: (_k, b) => ({ ...b, subject: { namespaces: { matchExpressions: [{ key: 'a', operator: 'in', values: ['x'] }] } } }), want: ['unknown_operator spec.subject.namespaces.matchExpressions[0].operator'] },

  // rules: count, action, name
  { name: 'as many rules as allowed', kinds: KINDS, spec: (k, b) => ({ ...b, ingress: many(maxRules(k), () => ruleOf(k)), egress: many(maxRules(k), () => egressTo(k, [{ namespaces: {} }])) }), want: [] },
  { name: 'one ingress rule too many', kinds: KINDS, spec: (k, b) => ({ ...b, ingress: many(maxRules(k) + 1, () => ruleOf(k)) }), want: ['too_many_items spec.ingress'] },
  { name: 'one egress rule too many', kinds: KINDS, spec: (k, b) => ({ ...b, egress: many(maxRules(k) + 1, () => egressTo(k, [{ namespaces: {} }])) }), want: ['too_many_items spec.egress'] },
  { name: 'empty rule lists affect nothing', kinds: KINDS, spec: (_k, b) => ({ ...b, ingress: [], egress: [] }), want: [] },
  { name: 'action is required', kinds: KINDS, spec: (k) => ingress(k, { from: fromAll }), want: ['required spec.ingress[0].action'] },
  { name: 'Accept (v1alpha2) / Allow (v1alpha1)', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { action: accept(k) })), want: [] },
  { name: 'Pass', kinds: [CNP, ANP], spec: (k) => ingress(k, ruleOf(k, { action: 'Pass' })), want: [] },
  { name: 'a BaselineAdminNetworkPolicy cannot Pass', kinds: [BANP], spec: (k) => ingress(k, ruleOf(k, { action: 'Pass' })), want: ['unsupported_value spec.ingress[0].action'] },
  { name: 'Allow is not a v1alpha2 action', kinds: [CNP], spec: (k) => ingress(k, ruleOf(k, { action: 'Allow' })), want: ['unsupported_value spec.ingress[0].action'] },
  { name: 'Accept is not a v1alpha1 action', kinds: V1ALPHA1, spec: (k) => ingress(k, ruleOf(k, { action: 'Accept' })), want: ['unsupported_value spec.ingress[0].action'] },
  { name: 'actions are case-sensitive', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { action: 'deny' })), want: ['unsupported_value spec.ingress[0].action'] },
  { name: 'a rule name of 100 characters', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { name: 'é'.repeat(100) })), want: [] },
  { name: 'a rule name of 101 characters', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { name: 'x'.repeat(101) })), want: ['too_long spec.ingress[0].name'] },
  { name: 'a NetworkPolicy rule field is refused', kinds: KINDS, spec: (k) => egress(k, { ...egressTo(k, [{ namespaces: {} }]), ipBlock: {} }), want: ['unknown_field spec.egress[0].ipBlock'] },
  { name: 'the ports field of the other version is refused', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { [k === CNP ? 'ports' : 'protocols']: [] })), want: (k) => [`unknown_field spec.ingress[0].${k === CNP ? 'ports' : 'protocols'}`] },

  // peers
  { name: 'from is required', kinds: KINDS, spec: (k) => ingress(k, { action: 'Deny' }), want: ['required spec.ingress[0].from'] },
  { name: 'to is required', kinds: KINDS, spec: (k) => egress(k, { action: 'Deny' }), want: ['required spec.egress[0].to'] },
  { name: 'from must not be empty', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { from: [] })), want: ['too_few_items spec.ingress[0].from'] },
  { name: 'as many peers as allowed', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { from: many(maxRules(k), () => ({ namespaces: {} })) })), want: [] },
  { name: 'one peer too many', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { from: many(maxRules(k) + 1, () => ({ namespaces: {} })) })), want: ['too_many_items spec.ingress[0].from'] },
  { name: 'a peer with no field', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { from: [{}] })), want: ['exactly_one_field spec.ingress[0].from[0]'] },
  { name: 'a peer with two fields', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { from: [{ namespaces: {}, pods: { namespaceSelector: {}, podSelector: {} } }] })), want: ['exactly_one_field spec.ingress[0].from[0]'] },
  { name: 'a pods peer', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { from: [{ pods: { namespaceSelector: {}, podSelector: {} } }] })), want: [] },
  { name: 'a pods peer needs podSelector', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { from: [{ pods: { namespaceSelector: {} } }] })), want: ['required spec.ingress[0].from[0].pods.podSelector'] },
  { name: 'an ingress peer cannot be networks', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { from: [{ networks: ['10.0.0.0/8'] }] })), want: ['unknown_field spec.ingress[0].from[0].networks', 'exactly_one_field spec.ingress[0].from[0]'] },
  { name: 'an ingress peer cannot be nodes', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { from: [{ nodes: {} }] })), want: ['unknown_field spec.ingress[0].from[0].nodes', 'exactly_one_field spec.ingress[0].from[0]'] },
  { name: 'an egress peer of nodes', kinds: KINDS, spec: (k) => egress(k, egressTo(k, [{ nodes: { matchLabels: { 'kubernetes.io/os': 'linux' } } }])), want: [] },
  { name: 'an egress peer of networks', kinds: KINDS, spec: (k) => egress(k, egressTo(k, [{ networks: ['10.0.0.0/8', 'fd00::/8', '10.1.2.3/8', '0.0.0.0/0', '::/0'] }])), want: [] },

  // networks: isCIDR(self), maxLength 43, 1-25 unique items
  ...['10.0.0.0', '010.0.0.0/8', '10.0.0.0/08', '10.0.0.0/33', 'fd00::/129', '::ffff:10.0.0.0/104', '::ffff:0:0/64', '0:0:0:0:0:ffff:a00:0/120', 'fe80::1%eth0/64', '1:2:3:4:5:6:7:8:9/64', 'fd00:00000::/64', '10.0.0.0/8 ', ' 10.0.0.0/8', '10.0.0/8', 'fd00:::/8', 'example.com/8', '1.2.3.4::/64', '::1.2.3.4:0/64', '::01.2.3.4/128', '1::2::3/64', '1:2:3:4:5:6:7:8::/64', '::/-1', '::/+1', ''].map(
    (cidr): Case => ({ name: `networks: isCIDR(${JSON.stringify(cidr)}) is false`, kinds: KINDS, spec: (k) => egress(k, egressTo(k, [{ networks: [cidr] }])), want: ['invalid_cidr spec.egress[0].to[0].networks[0]'] }),
  ),
  ...['1.2.3.4/32', '::1/128', '2001:db8::/32', '1:2:3:4:5:6:7:8/128', '::fffe:0:0/64', '64:ff9b::1.2.3.4/96', '1:2:3:4:5:6:1.2.3.4/128', '::1.2.3.4/128', 'FD00::/8'].map(
    (cidr): Case => ({ name: `networks: isCIDR(${JSON.stringify(cidr)}) is true`, kinds: KINDS, spec: (k) => egress(k, egressTo(k, [{ networks: [cidr] }])), want: [] }),
  ),
  { name: 'networks: a CIDR of 44 characters is too long', kinds: KINDS, spec: (k) => egress(k, egressTo(k, [{ networks: ['2001:0db8:0000:0000:0000:0000:0000:0001/128 '.padEnd(44, ' ')] }])), want: ['too_long spec.egress[0].to[0].networks[0]'] },
  { name: 'networks: at least one', kinds: KINDS, spec: (k) => egress(k, egressTo(k, [{ networks: [] }])), want: ['too_few_items spec.egress[0].to[0].networks'] },
  { name: 'networks: 25 at most', kinds: KINDS, spec: (k) => egress(k, egressTo(k, [{ networks: many(26, (i) => `10.${i}.0.0/16`) }])), want: ['too_many_items spec.egress[0].to[0].networks'] },
  { name: 'networks: a set (no repeats)', kinds: KINDS, spec: (k) => egress(k, egressTo(k, [{ networks: ['10.0.0.0/8', '10.0.0.0/8'] }])), want: ['duplicate_value spec.egress[0].to[0].networks[1]'] },

  // domainNames: pattern, 1-25 unique items, Accept only, not in BANP
  { name: 'domainNames', kinds: [CNP, ANP], spec: (k) => egress(k, egressTo(k, [{ domainNames: ['example.com', '*.example.com', 'a_b.example.com', 'example.com.'] }])), want: [] },
  ...['example', '*example.com', 'a.*.example.com', '*.*.example.com', '-a.example.com', 'a-.example.com', 'exa mple.com', 'example..com', '.example.com', '*'].map(
    (name): Case => ({ name: `domainNames: ${JSON.stringify(name)} does not match the pattern`, kinds: [CNP, ANP], spec: (k) => egress(k, egressTo(k, [{ domainNames: [name] }])), want: ['invalid_domain_name spec.egress[0].to[0].domainNames[0]'] }),
  ),
  {
    name: 'domainNames: the v1alpha1 pattern takes [a-zA-z0-9] as written, so "[" may start a label',
    kinds: [CNP, ANP],
    spec: (k) => egress(k, egressTo(k, [{ domainNames: ['[x.example.com'] }])),
    want: (k) => (k === CNP ? ['invalid_domain_name spec.egress[0].to[0].domainNames[0]'] : []),
  },
  { name: 'domainNames: at least one', kinds: [CNP, ANP], spec: (k) => egress(k, egressTo(k, [{ domainNames: [] }])), want: ['too_few_items spec.egress[0].to[0].domainNames'] },
  { name: 'domainNames: 25 at most', kinds: [CNP, ANP], spec: (k) => egress(k, egressTo(k, [{ domainNames: many(26, (i) => `a${i}.example.com`) }])), want: ['too_many_items spec.egress[0].to[0].domainNames'] },
  { name: 'domainNames: a set (no repeats)', kinds: [CNP, ANP], spec: (k) => egress(k, egressTo(k, [{ domainNames: ['a.io', 'a.io'] }])), want: ['duplicate_value spec.egress[0].to[0].domainNames[1]'] },
  { name: 'domainNames: only in Accept rules (Deny)', kinds: [CNP, ANP], spec: (k) => egress(k, { action: 'Deny', to: [{ domainNames: ['a.io'] }] }), want: ['domain_names_not_accept spec.egress[0].action'] },
  { name: 'domainNames: only in Accept rules (Pass)', kinds: [CNP, ANP], spec: (k) => egress(k, { action: 'Pass', to: [{ domainNames: ['a.io'] }] }), want: ['domain_names_not_accept spec.egress[0].action'] },
  { name: 'domainNames: not a BaselineAdminNetworkPolicy peer', kinds: [BANP], spec: (k) => egress(k, egressTo(k, [{ domainNames: ['a.io'] }])), want: ['unknown_field spec.egress[0].to[0].domainNames', 'exactly_one_field spec.egress[0].to[0]'] },
  { name: 'domainNames: not an ingress peer', kinds: [CNP, ANP], spec: (k) => ingress(k, ruleOf(k, { action: accept(k), from: [{ domainNames: ['a.io'] }] })), want: ['unknown_field spec.ingress[0].from[0].domainNames', 'exactly_one_field spec.ingress[0].from[0]'] },

  // the named-port CEL rule of egress rules (experimental channel)
  ...(['networks', 'nodes', 'domainNames'] as const).map(
    (peer): Case => ({
      name: `a named port with a ${peer} peer`,
      kinds: peer === 'domainNames' ? [CNP, ANP] : KINDS,
      spec: (k) => egress(k, egressTo(k, [{ namespaces: {} }, { [peer]: peer === 'networks' ? ['10.0.0.0/8'] : peer === 'nodes' ? {} : ['a.io'] }], { [portsKey(k)]: [named(k, 'http')] })),
      want: ['named_port_without_pods spec.egress[0]'],
    }),
  ),
  { name: 'a named port with pods peers', kinds: KINDS, spec: (k) => egress(k, egressTo(k, [{ namespaces: {} }, { pods: { namespaceSelector: {}, podSelector: {} } }], { [portsKey(k)]: [named(k, 'http')] })), want: [] },
  { name: 'a port number with a networks peer', kinds: KINDS, spec: (k) => egress(k, egressTo(k, [{ networks: ['10.0.0.0/8'] }], { [portsKey(k)]: [num(k, 443)] })), want: [] },
  { name: 'a named port in an ingress rule', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { [portsKey(k)]: [named(k, 'http')] })), want: [] },

  // ports: 1-25 (v1alpha2) or 1-100 (v1alpha1) entries, each exactly one field
  { name: 'ports: at least one when given', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { [portsKey(k)]: [] })), want: (k) => [`too_few_items spec.ingress[0].${portsKey(k)}`] },
  { name: 'ports: as many as allowed', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { [portsKey(k)]: many(maxRules(k), (i) => num(k, i + 1)) })), want: [] },
  { name: 'ports: one too many', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { [portsKey(k)]: many(maxRules(k) + 1, (i) => num(k, i + 1)) })), want: (k) => [`too_many_items spec.ingress[0].${portsKey(k)}`] },
  { name: 'a port entry with no field', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { [portsKey(k)]: [{}] })), want: (k) => [`exactly_one_field spec.ingress[0].${portsKey(k)}[0]`] },
  { name: 'a port entry with two fields', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { [portsKey(k)]: [{ ...num(k, 80), ...named(k, 'http') }] })), want: (k) => [`exactly_one_field spec.ingress[0].${portsKey(k)}[0]`] },
  { name: 'port 1 and 65535', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { [portsKey(k)]: [num(k, 1), num(k, 65535, 'UDP'), num(k, 3868, 'SCTP')] })), want: [] },
  { name: 'port 0', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { [portsKey(k)]: [num(k, 0)] })), want: (k) => [k === CNP ? 'out_of_range spec.ingress[0].protocols[0].tcp.destinationPort.number' : 'out_of_range spec.ingress[0].ports[0].portNumber.port'] },
  { name: 'port 65536', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { [portsKey(k)]: [num(k, 65536)] })), want: (k) => [k === CNP ? 'out_of_range spec.ingress[0].protocols[0].tcp.destinationPort.number' : 'out_of_range spec.ingress[0].ports[0].portNumber.port'] },
  { name: 'a port range', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { [portsKey(k)]: [range(k, 8000, 8080)] })), want: [] },
  { name: 'a port range: start < end', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { [portsKey(k)]: [range(k, 8080, 8080)] })), want: (k) => [k === CNP ? 'port_range_not_increasing spec.ingress[0].protocols[0].tcp.destinationPort.range' : 'port_range_not_increasing spec.ingress[0].ports[0].portRange'] },
  { name: 'a port range: start > end', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { [portsKey(k)]: [range(k, 9000, 8080)] })), want: (k) => [k === CNP ? 'port_range_not_increasing spec.ingress[0].protocols[0].tcp.destinationPort.range' : 'port_range_not_increasing spec.ingress[0].ports[0].portRange'] },
  { name: 'a port range: end is required', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { [portsKey(k)]: [range(k, 80, undefined)] })), want: (k) => [k === CNP ? 'required spec.ingress[0].protocols[0].tcp.destinationPort.range.end' : 'required spec.ingress[0].ports[0].portRange.end'] },
  { name: 'a port range: bounds', kinds: KINDS, spec: (k) => ingress(k, ruleOf(k, { [portsKey(k)]: [range(k, 0, 70000)] })), want: (k) => (k === CNP ? ['out_of_range spec.ingress[0].protocols[0].tcp.destinationPort.range.start', 'out_of_range spec.ingress[0].protocols[0].tcp.destinationPort.range.end'] : ['out_of_range spec.ingress[0].ports[0].portRange.start', 'out_of_range spec.ingress[0].ports[0].portRange.end']) },

  // v1alpha2 protocols
  { name: 'tcp: {} (minProperties 1)', kinds: [CNP], spec: (k) => ingress(k, ruleOf(k, { protocols: [{ tcp: {} }] })), want: ['empty_object spec.ingress[0].protocols[0].tcp'] },
  { name: 'destinationPort with no field', kinds: [CNP], spec: (k) => ingress(k, ruleOf(k, { protocols: [{ udp: { destinationPort: {} } }] })), want: ['exactly_one_field spec.ingress[0].protocols[0].udp.destinationPort'] },
  { name: 'destinationPort with number and range', kinds: [CNP], spec: (k) => ingress(k, ruleOf(k, { protocols: [{ udp: { destinationPort: { number: 53, range: { start: 1, end: 2 } } } }] })), want: ['exactly_one_field spec.ingress[0].protocols[0].udp.destinationPort'] },
  { name: 'a protocol the API does not have', kinds: [CNP], spec: (k) => ingress(k, ruleOf(k, { protocols: [{ icmp: {} }] })), want: ['unknown_field spec.ingress[0].protocols[0].icmp', 'exactly_one_field spec.ingress[0].protocols[0]'] },

  // v1alpha1 ports
  { name: 'protocol defaults to TCP', kinds: V1ALPHA1, spec: (k) => ingress(k, ruleOf(k, { ports: [{ portNumber: { port: 80 } }, { portRange: { start: 1, end: 2 } }] })), want: [] },
  { name: 'portNumber: port is required', kinds: V1ALPHA1, spec: (k) => ingress(k, ruleOf(k, { ports: [{ portNumber: { protocol: 'TCP' } }] })), want: ['required spec.ingress[0].ports[0].portNumber.port'] },
  { name: 'protocol is TCP, UDP or SCTP, upper case', kinds: V1ALPHA1, spec: (k) => ingress(k, ruleOf(k, { ports: [{ portNumber: { protocol: 'tcp', port: 80 } }] })), want: ['invalid_protocol spec.ingress[0].ports[0].portNumber.protocol'] },
  { name: 'portRange: protocol is checked too', kinds: V1ALPHA1, spec: (k) => ingress(k, ruleOf(k, { ports: [{ portRange: { protocol: 'ICMP', start: 1, end: 2 } }] })), want: ['invalid_protocol spec.ingress[0].ports[0].portRange.protocol'] },
  { name: 'portNumber: a misspelt field', kinds: V1ALPHA1, spec: (k) => ingress(k, ruleOf(k, { ports: [{ portNumber: { protocol: 'TCP', port: 80, endPort: 90 } }] })), want: ['unknown_field spec.ingress[0].ports[0].portNumber.endPort'] },

  // BANP: metadata.name == 'default'
  { name: 'a BaselineAdminNetworkPolicy named default', kinds: [BANP], spec: (_k, b) => b, metadata: { name: 'default' }, want: [] },
  { name: 'a BaselineAdminNetworkPolicy named otherwise', kinds: [BANP], spec: (_k, b) => b, metadata: { name: 'baseline' }, want: ['baseline_not_default metadata.name'] },
  { name: 'the other kinds take any name', kinds: [CNP, ANP], spec: (_k, b) => b, metadata: { name: 'baseline' }, want: [] },
  { name: 'names are DNS subdomains', kinds: [CNP, ANP], spec: (_k, b) => b, metadata: { name: 'Deny_All' }, want: ['invalid_name metadata.name'] },
  { name: 'a namespace is ignored (cluster-scoped)', kinds: KINDS, spec: (_k, b) => b, metadata: { name: 'default', namespace: 'shop' }, want: [] },
]

describe.each(KINDS)('%s', (kind) => {
  const cases = CASES.filter((c) => c.kinds.includes(kind))
  test.each(cases)('$name', (c) => {
    const base = baseSpec(kind)
    const spec = c.spec(kind, base)
    const obj = object(kind, spec, c.metadata)
    if (spec === null) delete obj.spec
    const want = typeof c.want === 'function' ? c.want(kind) : c.want
    expect(issuesOf(kind, JSON.parse(JSON.stringify(obj)))).toEqual(want)
  })
})

describe('the model of a valid policy', () => {
  test('ClusterNetworkPolicy: head, subject, rules in written order with names, peers and ports', () => {
    const r = parseClusterPolicy(CNP, object(CNP, {
      tier: 'Baseline',
      priority: 3,
      subject: { pods: { podSelector: { matchLabels: { app: 'db' } } } },
      ingress: [{ name: 'web', action: 'Accept', from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } }], protocols: [{ tcp: { destinationPort: { number: 5432 } } }, { destinationNamedPort: 'metrics' }] }],
      egress: [
        { action: 'Deny', to: [{ networks: ['10.1.2.3/8'] }, { nodes: {} }], protocols: [{ sctp: { destinationPort: { range: { start: 10, end: 20 } } } }] },
        { action: 'Accept', to: [{ domainNames: ['*.example.com'] }] },
      ],
    }))
    expect(r.ok).toBe(true)
    if (!r.ok) return
    const p = r.value
    expect([p.kind, p.name, p.tier, p.priority]).toEqual([CNP, 'p', 'Baseline', 3])
    expect(p.subject.kind).toBe('pods')
    expect(p.ingress).toHaveLength(1)
    expect(p.ingress[0]!.name).toBe('web')
    expect(p.ingress[0]!.ports).toEqual([{ kind: 'range', protocol: 'TCP', from: 5432, to: 5432 }, { kind: 'named', name: 'metrics' }])
    expect(p.egress.map((e) => e.action)).toEqual(['Deny', 'Accept'])
    expect(p.egress[0]!.name).toBeUndefined()
    expect(p.egress[0]!.ports).toEqual([{ kind: 'range', protocol: 'SCTP', from: 10, to: 20 }])
    expect(p.egress[0]!.peers.map((x) => x.kind)).toEqual(['networks', 'nodes'])
    const nets = p.egress[0]!.peers[0]
    expect(nets?.kind === 'networks' && [nets.cidrs[0]!.family, nets.cidrs[0]!.prefix, nets.cidrs[0]!.first]).toEqual([4, 8, 10n << 24n])
    expect(p.egress[1]!.ports).toBe('any')
    expect(p.egress[1]!.peers).toEqual([{ kind: 'domainNames', names: ['*.example.com'] }])
  })

  test('AdminNetworkPolicy: Allow is stored as Accept; a port number is a range of one', () => {
    const r = parseClusterPolicy(ANP, object(ANP, { priority: 0, subject: { namespaces: {} }, egress: [{ action: 'Allow', to: [{ namespaces: {} }], ports: [{ portNumber: { port: 53, protocol: 'UDP' } }] }] }))
    expect(r.ok && [r.value.tier, r.value.priority, r.value.egress[0]!.action, r.value.egress[0]!.ports]).toEqual(['Admin', 0, 'Accept', [{ kind: 'range', protocol: 'UDP', from: 53, to: 53 }]])
  })

  test('BaselineAdminNetworkPolicy: the Baseline tier, no priority', () => {
    const r = parseClusterPolicy(BANP, object(BANP, { subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] }))
    expect(r.ok && [r.value.kind, r.value.tier, r.value.priority, r.value.ingress[0]!.action]).toEqual([BANP, 'Baseline', null, 'Deny'])
  })

  test('every issue of an object is collected, and nothing is thrown for any shape of input', () => {
    for (const bad of [null, 1, 'x', [], { spec: 1 }, { metadata: { name: 'p' }, spec: { subject: 1, ingress: 1, egress: [1, null, { to: 1 }] } }]) {
      for (const kind of KINDS) expect(() => parseClusterPolicy(kind, bad)).not.toThrow()
    }
    expect(issuesOf(CNP, object(CNP, { tier: 'x', priority: 2000, subject: {}, ingress: [{}] }))).toEqual([
      'unsupported_value spec.tier',
      'out_of_range spec.priority',
      'exactly_one_field spec.subject',
      'required spec.ingress[0].action',
      'required spec.ingress[0].from',
    ])
  })
})
