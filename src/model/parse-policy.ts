/**
 * networking.k8s.io/v1 NetworkPolicy: validated as the API server's ValidateNetworkPolicy does and
 * defaulted as its v1 defaults do, then converted to the model's NetworkPolicy.
 */
import { canonicalCidr, cidrStrictlyInside, parseCidr, type Cidr } from './ip.js'
import type { IpBlock } from './ip-block.js'
import type { ModelIssue, Parsed, Path } from './issues.js'
import { MATCH_ALL } from './label-selector.js'
import { arrayAt, at, checkKnownFields, elementObject, intAt, isObject, type Json, type Loc, type Mutable, NO_ITEMS, objectAt, parseMetadata, pathOf, result, stringAt, typeName, wrongType, nameIssue } from './parse-fields.js'
import { readSelector } from './parse-selector.js'
import type { NetworkPolicy, Peer, Rule } from './policy.js'
import { PROTOCOLS, type PortSpec, type PortValue, type Protocol } from './port.js'
import type { SourceRef } from './source.js'
import { netpolAnnotations } from './netpol-annotations.js'
import { dnsSubdomainProblem, isPortNumber, portNameProblem } from './validate-names.js'

const SPEC_FIELDS: ReadonlySet<string> = new Set(['podSelector', 'policyTypes', 'ingress', 'egress'])
const INGRESS_RULE_FIELDS: ReadonlySet<string> = new Set(['from', 'ports'])
const EGRESS_RULE_FIELDS: ReadonlySet<string> = new Set(['to', 'ports'])
const PEER_FIELDS: ReadonlySet<string> = new Set(['podSelector', 'namespaceSelector', 'ipBlock'])
const IPBLOCK_FIELDS: ReadonlySet<string> = new Set(['cidr', 'except'])
const PORT_FIELDS: ReadonlySet<string> = new Set(['protocol', 'port', 'endPort'])
const POLICY_TYPES: ReadonlySet<string> = new Set(['Ingress', 'Egress'])
const INGRESS_ONLY: ReadonlySet<string> = new Set(['Ingress'])
const OWN_NAMESPACE = { kind: 'own' } as const
const ALL_PORTS: PortValue = { kind: 'all' }
const PROTOCOL_SET: ReadonlySet<string> = new Set(PROTOCOLS)

/**
 * Parsed CIDRs and their canonical text by input text: the same few blocks recur across many policies.
 * Entries are immutable; the cache is dropped when it grows past CIDR_CACHE_MAX.
 */
const cidrCache = new Map<string, { cidr: Cidr; canonical: string } | null>()
const CIDR_CACHE_MAX = 10_000

function cidrOf(text: string): { cidr: Cidr; canonical: string } | null {
  let hit = cidrCache.get(text)
  if (hit === undefined) {
    const cidr = parseCidr(text)
    hit = cidr ? { cidr, canonical: canonicalCidr(cidr) } : null
    if (cidrCache.size >= CIDR_CACHE_MAX) cidrCache.clear()
    cidrCache.set(text, hit)
  }
  return hit
}

/**
 * Parses one NetworkPolicy object. `path` is where the object sits in its document (e.g. `['items', 3]`)
 * and prefixes every issue path. Collects every issue; never throws for bad input.
 */
export function parsePolicy(input: unknown, path: Path = [], source?: SourceRef): Parsed<NetworkPolicy> {
  const issues: ModelIssue[] = []
  if (!isObject(input)) return { ok: false, issues: [{ code: 'not_an_object', path, expected: 'NetworkPolicy', got: typeName(input) }] }
  const meta = parseMetadata(input, path, issues, { name: dnsSubdomainProblem, namespaced: true })
  const specPath = at(path, 'spec')
  const spec = objectAt(input, 'spec', path, issues) ?? {}
  checkKnownFields(spec, SPEC_FIELDS, specPath, issues)

  // "An empty podSelector selects all pods in this namespace." A missing one decodes as empty.
  const podSelector = spec.podSelector == null ? MATCH_ALL : readSelector(spec.podSelector, at(specPath, 'podSelector'), issues)
  const ingressRaw = arrayAt(spec, 'ingress', specPath, issues) ?? NO_ITEMS
  const egressRaw = arrayAt(spec, 'egress', specPath, issues) ?? NO_ITEMS
  const ingress = readRules(ingressRaw, at(specPath, 'ingress'), 'from', issues)
  const egress = readRules(egressRaw, at(specPath, 'egress'), 'to', issues)
  const types = readPolicyTypes(spec, specPath, egressRaw.length > 0, issues)

  const policy: Mutable<NetworkPolicy> = {
    namespace: meta.namespace,
    name: meta.name,
    podSelector,
    // "If this field is not specified ... this NetworkPolicy does not affect [that direction]": the rules
    // of a direction missing from policyTypes are ignored.
    ingress: types.has('Ingress') ? ingress : null,
    egress: types.has('Egress') ? egress : null,
  }
  // kept only so tools can show them as ignored; they never isolate or allow anything
  const ignored: { ingress?: readonly Rule[]; egress?: readonly Rule[] } = {}
  if (!types.has('Ingress') && ingress.length > 0) ignored.ingress = ingress
  if (!types.has('Egress') && egress.length > 0) ignored.egress = egress
  if (ignored.ingress || ignored.egress) policy.ignored = ignored
  // SetDefaults_NetworkPolicy fills an empty policyTypes; lint tells the surprise of that apart from a written list
  if (isEmptyList(spec.policyTypes)) policy.policyTypesDefaulted = true
  const annotations = netpolAnnotations(input)
  if (annotations) policy.annotations = annotations
  if (source) policy.source = source
  return result<NetworkPolicy>(policy, issues)
}

/**
 * policyTypes: at most two entries, each "Ingress" or "Egress". When empty or missing, the v1 default is
 * ["Ingress"], plus "Egress" if the policy has any egress rule (SetDefaults_NetworkPolicy).
 */
function readPolicyTypes(spec: Json, specPath: Loc, hasEgressRules: boolean, issues: ModelIssue[]): ReadonlySet<string> {
  const raw = arrayAt(spec, 'policyTypes', specPath, issues) ?? NO_ITEMS
  const path = at(specPath, 'policyTypes')
  if (raw.length === 0) return hasEgressRules ? POLICY_TYPES : INGRESS_ONLY
  const types = new Set<string>()
  if (raw.length > POLICY_TYPES.size) {
    // the API server reports this alone and does not look at the entries
    issues.push({ code: 'too_many_policy_types', path: pathOf(path), count: raw.length })
    return types
  }
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i]
    if (typeof t !== 'string') issues.push(wrongType(pathOf(path, i), 'string', t))
    else if (!POLICY_TYPES.has(t)) issues.push({ code: 'invalid_policy_type', path: pathOf(path, i), input: t })
    else types.add(t)
  }
  return types
}

/** Missing, null or `[]`: what SetDefaults_NetworkPolicy fills in (`len(spec.PolicyTypes) == 0`). */
const isEmptyList = (v: unknown): boolean => v === undefined || v === null || (Array.isArray(v) && v.length === 0)

function readRules(raw: readonly unknown[], path: Loc, peersKey: 'from' | 'to', issues: ModelIssue[]): Rule[] {
  const rules: Rule[] = []
  const known = peersKey === 'from' ? INGRESS_RULE_FIELDS : EGRESS_RULE_FIELDS
  for (let i = 0; i < raw.length; i++) {
    const rulePath = at(path, i)
    const rule = elementObject(raw[i], rulePath, issues)
    if (!rule) continue
    checkKnownFields(rule, known, rulePath, issues)
    // "If this field is empty or missing, this rule matches all sources/destinations (traffic not
    // restricted by source/destination)."
    const peersRaw = arrayAt(rule, peersKey, rulePath, issues) ?? NO_ITEMS
    const peers: Peer[] = []
    const peersLoc = at(rulePath, peersKey)
    for (let j = 0; j < peersRaw.length; j++) {
      const peer = readPeer(peersRaw[j], at(peersLoc, j), issues)
      if (peer) peers.push(peer)
    }
    // "If this field is empty or missing, this rule matches all ports (traffic not restricted by port)."
    const portsRaw = arrayAt(rule, 'ports', rulePath, issues) ?? NO_ITEMS
    const ports: PortSpec[] = []
    const portsLoc = at(rulePath, 'ports')
    for (let j = 0; j < portsRaw.length; j++) {
      const port = readPort(portsRaw[j], at(portsLoc, j), issues)
      if (port) ports.push(port)
    }
    rules.push({ peers: peersRaw.length === 0 ? 'any' : peers, ports: portsRaw.length === 0 ? 'any' : ports })
  }
  return rules
}

/** ValidateNetworkPolicyPeer: exactly one of ipBlock or selectors ("must specify a peer"). */
function readPeer(raw: unknown, path: Loc, issues: ModelIssue[]): Peer | undefined {
  const peer = elementObject(raw, path, issues)
  if (!peer) return undefined
  checkKnownFields(peer, PEER_FIELDS, path, issues)
  const hasPods = peer.podSelector != null
  const hasNamespaces = peer.namespaceSelector != null
  const hasBlock = peer.ipBlock != null
  const count = Number(hasPods) + Number(hasNamespaces) + Number(hasBlock)
  const podSelector = hasPods ? readSelector(peer.podSelector, at(path, 'podSelector'), issues) : MATCH_ALL
  const nsSelector = hasNamespaces ? readSelector(peer.namespaceSelector, at(path, 'namespaceSelector'), issues) : null
  const block = hasBlock ? readIpBlock(peer.ipBlock, at(path, 'ipBlock'), issues) : undefined
  if (count === 0) {
    issues.push({ code: 'peer_empty', path: pathOf(path) })
    return undefined
  }
  if (hasBlock && count > 1) {
    // "may not specify both ipBlock and another peer"
    issues.push({ code: 'peer_ipblock_with_selector', path: pathOf(path) })
    return undefined
  }
  if (hasBlock) return block ? { kind: 'ipBlock', block } : undefined
  return {
    kind: 'pods',
    // podSelector alone: "selects particular Pods in the same namespace as the NetworkPolicy";
    // namespaceSelector alone: "selects all Pods in the namespaces selected".
    podSelector,
    namespaces: nsSelector ? { kind: 'selector', selector: nsSelector } : OWN_NAMESPACE,
    written: { podSelector: hasPods, namespaceSelector: hasNamespaces },
  }
}

/**
 * ValidateIPBlock: cidr is required and a valid CIDR (parsed sloppily, as ParseCIDRSloppy does); each
 * except entry is a valid CIDR and "must be a strict subset of `cidr`".
 */
function readIpBlock(raw: unknown, path: Loc, issues: ModelIssue[]): IpBlock | undefined {
  if (!isObject(raw)) {
    issues.push(wrongType(path, 'object', raw))
    return undefined
  }
  checkKnownFields(raw, IPBLOCK_FIELDS, path, issues)
  const cidrText = stringAt(raw, 'cidr', path, issues)
  const exceptRaw = arrayAt(raw, 'except', path, issues) ?? NO_ITEMS
  if (cidrText === undefined && raw.cidr != null) return undefined
  if (cidrText === undefined || cidrText === '') {
    issues.push({ code: 'required', path: pathOf(path, 'cidr'), expected: 'a CIDR such as 10.0.0.0/8' })
    return undefined
  }
  const parsed = cidrOf(cidrText)
  if (parsed === null) {
    // the API server stops here: excepts are not checked against an invalid cidr
    issues.push({ code: 'invalid_cidr', path: pathOf(path, 'cidr'), input: cidrText })
    return undefined
  }
  const cidr = parsed.cidr
  const except: Cidr[] = []
  const excepts: string[] = []
  let ok = true
  for (let i = 0; i < exceptRaw.length; i++) {
    const text = exceptRaw[i]
    const exPath = at(at(path, 'except'), i)
    if (typeof text !== 'string') {
      issues.push(wrongType(exPath, 'string', text))
      ok = false
      continue
    }
    const ex = cidrOf(text)
    if (ex === null) {
      issues.push({ code: 'invalid_cidr', path: pathOf(exPath), input: text })
      ok = false
    } else if (!cidrStrictlyInside(ex.cidr, cidr)) {
      issues.push({ code: 'except_outside_cidr', path: pathOf(exPath), cidr: cidrText, except: text })
      ok = false
    } else {
      except.push(ex.cidr)
      excepts.push(ex.canonical)
    }
  }
  if (!ok) return undefined
  const key = excepts.length === 0 ? parsed.canonical : `${parsed.canonical} except ${[...new Set(excepts)].sort().join(',')}`
  return { cidr, except, key }
}

/** ValidateNetworkPolicyPort, after the v1 default "If not specified, this field defaults to TCP." */
function readPort(raw: unknown, path: Loc, issues: ModelIssue[]): PortSpec | undefined {
  const p = elementObject(raw, path, issues)
  if (!p) return undefined
  checkKnownFields(p, PORT_FIELDS, path, issues)
  const before = issues.length
  const protocolText = stringAt(p, 'protocol', path, issues)
  let protocol: Protocol = 'TCP'
  if (protocolText !== undefined) {
    // case-sensitive: "tcp" is rejected
    if (PROTOCOL_SET.has(protocolText)) protocol = protocolText as Protocol
    else issues.push({ code: 'invalid_protocol', path: pathOf(path, 'protocol'), input: protocolText })
  }
  const endPort = intAt(p, 'endPort', path, issues)
  const port = p.port
  let value: PortValue = ALL_PORTS
  if (typeof port === 'number' && Number.isInteger(port)) {
    if (!isPortNumber(port)) issues.push({ code: 'invalid_port_number', path: pathOf(path, 'port'), input: port })
    if (endPort !== undefined) {
      // "The endPort must be equal or greater than port."
      if (endPort < port) issues.push({ code: 'end_port_inverted', path: pathOf(path, 'endPort'), port, endPort })
      if (!isPortNumber(endPort)) issues.push({ code: 'invalid_port_number', path: pathOf(path, 'endPort'), input: endPort })
    }
    value = { kind: 'range', from: port, to: endPort ?? port }
  } else if (typeof port === 'string') {
    // An IntOrString holding a string is a port name, even "80": it must be an IANA_SVC_NAME.
    // "This field cannot be defined if the port field is ... defined as a named (string) port."
    if (endPort !== undefined) issues.push({ code: 'end_port_without_numeric_port', path: pathOf(path, 'endPort'), port })
    const problem = portNameProblem(port)
    if (problem !== null) issues.push(nameIssue('invalid_port_name', pathOf(path, 'port'), port, problem))
    value = { kind: 'named', name: port }
  } else if (port === undefined || port === null) {
    // "This field cannot be defined if the port field is not defined"
    if (endPort !== undefined) issues.push({ code: 'end_port_without_numeric_port', path: pathOf(path, 'endPort'), port: null })
  } else {
    issues.push(wrongType(pathOf(path, 'port'), 'integer or string', port))
  }
  return issues.length === before ? { protocol, port: value } : undefined
}
