/**
 * The rules of a cluster policy (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy): action,
 * peers and ports, validated as the kind's CRD does (see cluster-policy-dialects.ts for what differs by kind).
 */
import type { Cidr } from './ip.js'
import { celCidr } from './cel-cidr.js'
import type { ClusterPeer, ClusterPort, ClusterRule } from './cluster-policy.js'
import { CIDR_MAX_LENGTH, MAX_DOMAIN_NAMES, MAX_NETWORKS, RULE_NAME_MAX, type Dialect, type PeerField } from './cluster-policy-dialects.js'
import type { ModelIssue } from './issues.js'
import { MATCH_ALL, type LabelSelector } from './label-selector.js'
import { at, checkKnownFields, elementObject, isObject, pathOf, stringAt, wrongType, type Json, type Loc } from './parse-fields.js'
import { boundedInt, checkUniqueStrings, enumAt, exactlyOne, limitedList, limitedString, objectField, requireField } from './parse-crd-fields.js'
import { readSelector } from './parse-selector.js'
import { PROTOCOLS, type Protocol } from './port.js'
import type { Direction } from './policy.js'

const NAMESPACED_POD_FIELDS: ReadonlySet<string> = new Set(['namespaceSelector', 'podSelector'])
const CNP_PROTOCOL_FIELDS = ['tcp', 'udp', 'sctp', 'destinationNamedPort'] as const
const CNP_L4_FIELDS: ReadonlySet<string> = new Set(['destinationPort'])
const CNP_PORT_FIELDS = ['number', 'range'] as const
const RANGE_FIELDS: ReadonlySet<string> = new Set(['start', 'end'])
const ANP_PORT_FIELDS = ['portNumber', 'namedPort', 'portRange'] as const
const ANP_NUMBER_FIELDS: ReadonlySet<string> = new Set(['protocol', 'port'])
const ANP_RANGE_FIELDS: ReadonlySet<string> = new Set(['protocol', 'start', 'end'])
const L4_PROTOCOL: Readonly<Record<string, Protocol>> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' }
const CNP_PROTOCOL_SET: ReadonlySet<string> = new Set(CNP_PROTOCOL_FIELDS)
const CNP_PORT_SET: ReadonlySet<string> = new Set(CNP_PORT_FIELDS)
const ANP_PORT_SET: ReadonlySet<string> = new Set(ANP_PORT_FIELDS)

/** What one direction of a dialect allows, made once per dialect and direction rather than per rule. */
interface RuleShape {
  readonly known: ReadonlySet<string>
  readonly actionWords: readonly string[]
  readonly peerFields: readonly PeerField[]
  readonly peerSet: ReadonlySet<string>
}
const shapes = new Map<string, RuleShape>()
function shapeOf(dialect: Dialect, d: Direction): RuleShape {
  const id = `${dialect.kind} ${d}`
  let s = shapes.get(id)
  if (s === undefined) {
    const peerFields = d === 'ingress' ? dialect.ingressPeers : dialect.egressPeers
    s = { known: new Set(['name', 'action', d === 'ingress' ? 'from' : 'to', dialect.portsKey]), actionWords: Object.keys(dialect.actions), peerFields, peerSet: new Set(peerFields) }
    shapes.set(id, s)
  }
  return s
}

/** The rules of one direction. Collects every issue; rules with issues are left out. */
export function readClusterRules(raw: readonly unknown[], loc: Loc, d: Direction, dialect: Dialect, issues: ModelIssue[]): ClusterRule[] {
  const rules: ClusterRule[] = []
  const peersKey = d === 'ingress' ? 'from' : 'to'
  const { known, actionWords, peerFields, peerSet } = shapeOf(dialect, d)
  for (let i = 0; i < raw.length; i++) {
    const ruleLoc = at(loc, i)
    const r = elementObject(raw[i], ruleLoc, issues)
    if (!r) continue
    const before = issues.length
    checkKnownFields(r, known, ruleLoc, issues)
    const name = limitedString(r, 'name', ruleLoc, issues, RULE_NAME_MAX)
    let action: string | undefined
    if (requireField(r, 'action', ruleLoc, issues, `the action: ${actionWords.join(', ')}`)) {
      action = enumAt(r, 'action', ruleLoc, issues, actionWords)
    }
    // "This field must be defined and contain at least one item."
    const peersRaw = requireField(r, peersKey, ruleLoc, issues, `a list of ${d === 'ingress' ? 'sources' : 'destinations'} (${peerFields.join(', ')})`)
      ? limitedList(r, peersKey, ruleLoc, issues, { min: 1, max: dialect.maxPeers })
      : undefined
    const peers: ClusterPeer[] = []
    const peersLoc = at(ruleLoc, peersKey)
    for (let j = 0; j < (peersRaw?.length ?? 0); j++) {
      const p = readPeer(peersRaw![j], at(peersLoc, j), peerFields, peerSet, dialect, issues)
      if (p) peers.push(p)
    }
    // "If unspecified, protocol-specific attributes will not be used to match traffic." Present: at least one item.
    const portsRaw = limitedList(r, dialect.portsKey, ruleLoc, issues, { min: 1, max: dialect.maxPorts })
    const portsLoc = at(ruleLoc, dialect.portsKey)
    const ports: ClusterPort[] = []
    for (let j = 0; j < (portsRaw?.length ?? 0); j++) {
      const p = dialect.portsKey === 'protocols' ? readProtocol(portsRaw![j], at(portsLoc, j), issues) : readAnpPort(portsRaw![j], at(portsLoc, j), issues)
      if (p) ports.push(p)
    }
    if (d === 'egress') checkEgressRule(peerFieldsOf(peersRaw), ports, portsRaw, action, dialect, ruleLoc, issues)
    if (issues.length > before || action === undefined) continue
    const rule: ClusterRule = { action: dialect.actions[action]!, peers, ports: portsRaw === undefined ? 'any' : ports }
    rules.push(name === undefined || name === '' ? rule : { name, ...rule })
  }
  return rules
}

/**
 * The CEL rules of an egress rule, which look at the fields written, valid or not:
 * - experimental channel: "networks/nodes/domainNames peer cannot be set with namedPorts since there are no
 *   namedPorts for networks/nodes/domainNames" (BANP: networks/nodes);
 * - "DomainNames is only supported for Accept rules" (ANP: "ALLOW rules"). The CRDs state this in the field's
 *   documentation, not in a CEL rule, so an API server takes a Deny or Pass rule with domainNames; netpol
 *   refuses it, since the API gives such a rule no meaning.
 */
function checkEgressRule(peerFields: ReadonlySet<string>, ports: readonly ClusterPort[], portsRaw: readonly unknown[] | undefined, action: string | undefined, dialect: Dialect, loc: Loc, issues: ModelIssue[]): void {
  const outside = (['networks', 'nodes', 'domainNames'] as const).filter((f) => peerFields.has(f) && dialect.egressPeers.includes(f))
  const named = ports.some((p) => p.kind === 'named') || (portsRaw ?? NO_PORTS).some((p) => isObject(p) && p[NAMED_PORT_FIELD[dialect.portsKey]] != null)
  if (outside.length > 0 && named) issues.push({ code: 'named_port_without_pods', path: pathOf(loc), peers: outside })
  if (action !== undefined && dialect.actions[action] !== 'Accept' && peerFields.has('domainNames') && dialect.egressPeers.includes('domainNames')) {
    issues.push({ code: 'domain_names_not_accept', path: pathOf(loc, 'action'), action })
  }
}

const NO_PORTS: readonly unknown[] = []
const NAMED_PORT_FIELD = { protocols: 'destinationNamedPort', ports: 'namedPort' } as const

/** The fields written in any peer of a list (`has(peer.networks)`). */
function peerFieldsOf(raw: readonly unknown[] | undefined): ReadonlySet<string> {
  const out = new Set<string>()
  for (const p of raw ?? NO_PORTS) if (isObject(p)) for (const k in p) if (p[k] != null) out.add(k)
  return out
}

/** A peer: exactly one of the kind's peer fields. */
function readPeer(raw: unknown, loc: Loc, fields: readonly PeerField[], fieldSet: ReadonlySet<string>, dialect: Dialect, issues: ModelIssue[]): ClusterPeer | undefined {
  const p = elementObject(raw, loc, issues)
  if (!p) return undefined
  checkKnownFields(p, fieldSet, loc, issues)
  const field = exactlyOne(p, fields, loc, issues)
  if (field === undefined) return undefined
  const before = issues.length
  const fieldLoc = at(loc, field)
  let peer: ClusterPeer | undefined
  switch (field) {
    case 'namespaces':
      peer = { kind: 'namespaces', selector: selectorAt(p, field, loc, issues) }
      break
    case 'nodes':
      // "if present but empty, it selects all Nodes"
      peer = { kind: 'nodes', selector: selectorAt(p, field, loc, issues) }
      break
    case 'pods': {
      const pods = readNamespacedPod(p, loc, dialect, issues)
      if (pods) peer = { kind: 'pods', ...pods }
      break
    }
    case 'networks': {
      const cidrs = readNetworks(p, loc, issues)
      if (cidrs) peer = { kind: 'networks', cidrs }
      break
    }
    case 'domainNames': {
      const names = readStrings(p, field, loc, issues, MAX_DOMAIN_NAMES)
      for (let i = 0; i < (names?.length ?? 0); i++) {
        if (!dialect.domainPattern.test(names![i]!)) issues.push({ code: 'invalid_domain_name', path: pathOf(fieldLoc, i), input: names![i]! })
      }
      if (names) peer = { kind: 'domainNames', names }
      break
    }
  }
  return issues.length === before ? peer : undefined
}

/** A label selector field that is present (an object, possibly empty). */
function selectorAt(obj: Json, key: string, loc: Loc, issues: ModelIssue[]): LabelSelector {
  const v = obj[key]
  if (!isObject(v)) {
    issues.push(wrongType(at(loc, key), 'label selector object', v))
    return MATCH_ALL
  }
  return readSelector(v, at(loc, key), issues)
}

/**
 * NamespacedPod `{namespaceSelector, podSelector}` under `pods`: "if empty, it selects all". podSelector is
 * required; v1alpha1 requires namespaceSelector too.
 */
export function readNamespacedPod(obj: Json, loc: Loc, dialect: Dialect, issues: ModelIssue[]): { namespaceSelector: LabelSelector; podSelector: LabelSelector } | undefined {
  const f = objectField(obj, 'pods', loc, issues)
  if (!f) return undefined
  checkKnownFields(f.value, NAMESPACED_POD_FIELDS, f.loc, issues)
  const hasNs = dialect.namespaceSelectorRequired ? requireField(f.value, 'namespaceSelector', f.loc, issues, 'a namespace selector ({} selects all namespaces)') : f.value.namespaceSelector != null
  const hasPods = requireField(f.value, 'podSelector', f.loc, issues, 'a pod selector ({} selects all pods)')
  const namespaceSelector = hasNs ? selectorAt(f.value, 'namespaceSelector', f.loc, issues) : MATCH_ALL
  const podSelector = hasPods ? selectorAt(f.value, 'podSelector', f.loc, issues) : MATCH_ALL
  return { namespaceSelector, podSelector }
}

/** A list of strings with minItems 1, maxItems `max` and unique items (`listType: set`). */
function readStrings(obj: Json, key: string, loc: Loc, issues: ModelIssue[], max: number): string[] | undefined {
  const raw = limitedList(obj, key, loc, issues, { min: 1, max })
  if (!raw) return undefined
  const out: string[] = []
  const listLoc = at(loc, key)
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i]
    if (typeof s === 'string') out.push(s)
    else issues.push(wrongType(at(listLoc, i), 'string', s))
  }
  if (out.length === raw.length) checkUniqueStrings(out, listLoc, issues)
  return out
}

/** `networks`: CIDRs of at most 43 characters that pass `isCIDR(self)` ("Invalid CIDR format provided"). */
function readNetworks(obj: Json, loc: Loc, issues: ModelIssue[]): Cidr[] | undefined {
  const texts = readStrings(obj, 'networks', loc, issues, MAX_NETWORKS)
  if (!texts) return undefined
  const listLoc = at(loc, 'networks')
  const cidrs: Cidr[] = []
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i]!
    if (t.length > CIDR_MAX_LENGTH) {
      issues.push({ code: 'too_long', path: pathOf(listLoc, i), length: t.length, max: CIDR_MAX_LENGTH })
      continue
    }
    const c = celCidr(t)
    if (c === null) issues.push({ code: 'invalid_cidr', path: pathOf(listLoc, i), input: t })
    else cidrs.push(c)
  }
  return cidrs
}

/**
 * ClusterNetworkPolicyProtocol: exactly one of tcp, udp, sctp (each `{destinationPort}`, minProperties 1;
 * destinationPort exactly one of `number` 1-65535 or `range`) or `destinationNamedPort`.
 */
function readProtocol(raw: unknown, loc: Loc, issues: ModelIssue[]): ClusterPort | undefined {
  const p = elementObject(raw, loc, issues)
  if (!p) return undefined
  checkKnownFields(p, CNP_PROTOCOL_SET, loc, issues)
  const field = exactlyOne(p, CNP_PROTOCOL_FIELDS, loc, issues)
  if (field === undefined) return undefined
  if (field === 'destinationNamedPort') {
    const name = stringAt(p, field, loc, issues)
    return name === undefined ? undefined : { kind: 'named', name }
  }
  const l4 = objectField(p, field, loc, issues)
  if (!l4) return undefined
  checkKnownFields(l4.value, CNP_L4_FIELDS, l4.loc, issues)
  const dp = objectField(l4.value, 'destinationPort', l4.loc, issues)
  if (!dp) {
    // minProperties 1: `tcp: {}` does not mean "every TCP port"
    if (l4.value.destinationPort == null) issues.push({ code: 'empty_object', path: pathOf(l4.loc), fields: ['destinationPort'] })
    return undefined
  }
  checkKnownFields(dp.value, CNP_PORT_SET, dp.loc, issues)
  const which = exactlyOne(dp.value, CNP_PORT_FIELDS, dp.loc, issues)
  const protocol = L4_PROTOCOL[field]!
  if (which === 'number') {
    const n = boundedInt(dp.value, 'number', dp.loc, issues, 1, 65535)
    return n === undefined ? undefined : { kind: 'range', protocol, from: n, to: n }
  }
  if (which === 'range') {
    const r = readRange(dp.value, 'range', dp.loc, RANGE_FIELDS, issues)
    return r && { kind: 'range', protocol, from: r.start, to: r.end }
  }
  return undefined
}

/**
 * AdminNetworkPolicyPort: exactly one of `portNumber` {protocol, port}, `namedPort`, `portRange` {protocol, start,
 * end}. "If not specified, this field defaults to TCP."
 */
function readAnpPort(raw: unknown, loc: Loc, issues: ModelIssue[]): ClusterPort | undefined {
  const p = elementObject(raw, loc, issues)
  if (!p) return undefined
  checkKnownFields(p, ANP_PORT_SET, loc, issues)
  const field = exactlyOne(p, ANP_PORT_FIELDS, loc, issues)
  if (field === 'namedPort') {
    const name = stringAt(p, field, loc, issues)
    return name === undefined ? undefined : { kind: 'named', name }
  }
  if (field === 'portNumber') {
    const f = objectField(p, field, loc, issues)
    if (!f) return undefined
    checkKnownFields(f.value, ANP_NUMBER_FIELDS, f.loc, issues)
    const protocol = readProtocolName(f.value, f.loc, issues)
    const n = requireField(f.value, 'port', f.loc, issues, 'a port number, 1-65535') ? boundedInt(f.value, 'port', f.loc, issues, 1, 65535) : undefined
    return n === undefined || protocol === undefined ? undefined : { kind: 'range', protocol, from: n, to: n }
  }
  if (field === 'portRange') {
    const f = objectField(p, field, loc, issues)
    if (!f) return undefined
    const protocol = readProtocolName(f.value, f.loc, issues)
    const r = readRange(p, field, loc, ANP_RANGE_FIELDS, issues)
    return r && protocol && { kind: 'range', protocol, from: r.start, to: r.end }
  }
  return undefined
}

/**
 * `protocol`: "The protocol (TCP, UDP, or SCTP) ... If not specified, this field defaults to TCP." The CRD types it
 * as a plain string, so an API server stores `tcp` or `ICMP`, which match no TCP, UDP or SCTP traffic; netpol
 * refuses them as it does in a NetworkPolicy.
 */
function readProtocolName(obj: Json, loc: Loc, issues: ModelIssue[]): Protocol | undefined {
  const s = stringAt(obj, 'protocol', loc, issues)
  if (s === undefined) return obj.protocol == null ? 'TCP' : undefined
  if ((PROTOCOLS as readonly string[]).includes(s)) return s as Protocol
  issues.push({ code: 'invalid_protocol', path: pathOf(loc, 'protocol'), input: s })
  return undefined
}

/**
 * A port range {start, end}, both required, 1-65535: "the Start value must be less than End" (CNP: the CEL rule
 * `self.start < self.end`, "Start port must be less than End port"; ANP/BANP say it in the field documentation).
 */
function readRange(obj: Json, key: string, loc: Loc, fields: ReadonlySet<string>, issues: ModelIssue[]): { start: number; end: number } | undefined {
  const f = objectField(obj, key, loc, issues)
  if (!f) return undefined
  checkKnownFields(f.value, fields, f.loc, issues)
  const start = requireField(f.value, 'start', f.loc, issues, 'the first port, 1-65535') ? boundedInt(f.value, 'start', f.loc, issues, 1, 65535) : undefined
  const end = requireField(f.value, 'end', f.loc, issues, 'the last port, 1-65535') ? boundedInt(f.value, 'end', f.loc, issues, 1, 65535) : undefined
  if (start === undefined || end === undefined) return undefined
  if (start >= end) {
    issues.push({ code: 'port_range_not_increasing', path: pathOf(f.loc), start, end })
    return undefined
  }
  return { start, end }
}
