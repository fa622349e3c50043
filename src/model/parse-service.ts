/** core/v1 Service: name, selector and ports, validated and defaulted as the API server does. */
import type { Service, ServicePort } from './cluster.js'
import { cidrContains, parseCidr, parseIp, type IpAddress } from './ip.js'
import type { ModelIssue, Parsed, Path, ServiceIpProblem } from './issues.js'
import type { Labels } from './labels.js'
import { arrayAt, at, checkKnownFields, elementObject, intAt, isObject, type Json, type Loc, NO_ITEMS, objectAt, parseLabels, parseMetadata, pathOf, result, stringAt, typeName, wrongType, nameIssue } from './parse-fields.js'
import { PROTOCOLS, type Protocol } from './port.js'
import type { SourceRef } from './source.js'
import { netpolAnnotations } from './netpol-annotations.js'
import { dns1035LabelProblem, dnsLabelProblem, isPortNumber, portNameProblem } from './validate-names.js'

const PROTOCOL_SET: ReadonlySet<string> = new Set(PROTOCOLS)
/** ServiceSpec and ServicePort fields (1.26, plus trafficDistribution of 1.30): anything else is refused, as strict field validation does. */
const SPEC_FIELDS: ReadonlySet<string> = new Set([
  'ports', 'selector', 'clusterIP', 'clusterIPs', 'type', 'externalIPs', 'sessionAffinity', 'loadBalancerIP', 'loadBalancerSourceRanges',
  'externalName', 'externalTrafficPolicy', 'healthCheckNodePort', 'publishNotReadyAddresses', 'sessionAffinityConfig', 'ipFamilies',
  'ipFamilyPolicy', 'allocateLoadBalancerNodePorts', 'loadBalancerClass', 'internalTrafficPolicy', 'trafficDistribution',
])
const PORT_FIELDS: ReadonlySet<string> = new Set(['name', 'protocol', 'appProtocol', 'port', 'targetPort', 'nodePort'])

/**
 * Parses a Service. Its name must be an RFC 1035 label (ValidateServiceName). `spec.selector` is a label
 * map; a missing or empty one means "no selector" (null): the Service's endpoints are managed elsewhere.
 * Collects every issue; never throws.
 */
export function parseService(input: unknown, path: Path = [], source?: SourceRef): Parsed<Service> {
  const issues: ModelIssue[] = []
  if (!isObject(input)) return { ok: false, issues: [{ code: 'not_an_object', path, expected: 'Service', got: typeName(input) }] }
  const meta = parseMetadata(input, path, issues, { name: dns1035LabelProblem, namespaced: true })
  const specPath = at(path, 'spec')
  const spec = objectAt(input, 'spec', path, issues) ?? {}
  checkKnownFields(spec, SPEC_FIELDS, specPath, issues)
  const labels: Labels = parseLabels(spec.selector, at(specPath, 'selector'), issues)
  // an empty map is stored as no selector, so both select nothing
  const selector = Object.keys(labels).length === 0 ? null : labels
  const rawPorts = arrayAt(spec, 'ports', specPath, issues) ?? NO_ITEMS
  const ports: ServicePort[] = []
  const names = new Set<string>()
  for (let i = 0; i < rawPorts.length; i++) {
    const port = readServicePort(rawPorts[i], at(at(specPath, 'ports'), i), rawPorts.length > 1, names, issues)
    if (port) ports.push(port)
  }
  const clusterIPs = readClusterIPs(spec, specPath, issues)
  const externalIPs = readExternalIPs(spec, specPath, issues)
  const annotations = netpolAnnotations(input)
  const type = stringAt(spec, 'type', specPath, issues)
  return result({
    namespace: meta.namespace,
    name: meta.name,
    selector,
    ports,
    ...(clusterIPs.length > 0 ? { clusterIPs } : {}),
    ...(externalIPs.length > 0 ? { externalIPs } : {}),
    ...(type === 'NodePort' || type === 'LoadBalancer' ? { type } : {}),
    ...(annotations ? { annotations } : {}),
    ...(source ? { source } : {}),
  }, issues)
}

/** "None" in clusterIP: a headless Service, which has no virtual address (ServiceSpec.clusterIP). */
const CLUSTER_IP_NONE = 'None'

/**
 * spec.clusterIP and spec.clusterIPs as the API server takes them on create. normalizeClusterIPs (registry): "User
 * specified singular and not plural (e.g. an old client), so init plural for them". Then
 * validateServiceClusterIPsRelatedFields: clusterIPs[0] must equal clusterIP ("first value must match
 * `clusterIP`"); "None" only alone and first; every other value a valid IP; "may only hold up to 2 values";
 * two values must be of different families (dual stack). Empty: not allocated yet. Returns the addresses.
 */
function readClusterIPs(spec: Json, specPath: Loc, issues: ModelIssue[]): IpAddress[] {
  const single = stringAt(spec, 'clusterIP', specPath, issues) ?? ''
  const listPath = at(specPath, 'clusterIPs')
  const raw = arrayAt(spec, 'clusterIPs', specPath, issues)
  const list: string[] = []
  for (let i = 0; i < (raw?.length ?? 0); i++) {
    const v = raw![i]
    if (typeof v === 'string') list.push(v)
    else {
      issues.push(wrongType(at(listPath, i), 'string', v))
      return []
    }
  }
  if (list.length === 0) {
    if (single === '' || single === CLUSTER_IP_NONE) return []
    const ip = parseIp(single)
    if (ip === null) issues.push({ code: 'invalid_ip', path: pathOf(specPath, 'clusterIP'), input: single })
    return ip === null ? [] : [ip]
  }
  const before = issues.length
  if (list[0] !== single) issues.push({ code: 'service_ip', path: pathOf(listPath), input: list.join(', '), problem: 'first-not-cluster-ip' })
  if (list[0] === CLUSTER_IP_NONE) {
    if (list.length > 1) issues.push({ code: 'service_ip', path: pathOf(listPath), input: list.join(', '), problem: 'none-with-others' })
    return []
  }
  if (list.length > 2) issues.push({ code: 'service_ip', path: pathOf(listPath), input: list.join(', '), problem: 'too-many' })
  const ips: IpAddress[] = []
  list.forEach((text, i) => {
    const ip = parseIp(text)
    if (ip === null) issues.push({ code: 'invalid_ip', path: pathOf(listPath, i), input: text })
    else if (list.length === 2 && i === 1 && ips[0]?.family === ip.family) issues.push({ code: 'service_ip', path: pathOf(listPath, i), input: text, problem: 'same-family' })
    else ips.push(ip)
  })
  return issues.length === before ? ips : []
}

/**
 * spec.externalIPs: each a valid IP, and (ValidateNonSpecialIP) not unspecified, loopback, link-local or
 * link-local multicast.
 */
function readExternalIPs(spec: Json, specPath: Loc, issues: ModelIssue[]): IpAddress[] {
  const listPath = at(specPath, 'externalIPs')
  const raw = arrayAt(spec, 'externalIPs', specPath, issues) ?? NO_ITEMS
  const out: IpAddress[] = []
  raw.forEach((v, i) => {
    if (typeof v !== 'string') return void issues.push(wrongType(at(listPath, i), 'string', v))
    const ip = parseIp(v)
    if (ip === null) return void issues.push({ code: 'invalid_ip', path: pathOf(listPath, i), input: v })
    const problem = specialIpProblem(ip)
    if (problem !== null) return void issues.push({ code: 'service_ip', path: pathOf(listPath, i), input: v, problem })
    out.push(ip)
  })
  return out
}

const inRange = (ip: IpAddress, cidr: string) => cidrContains(parseCidr(cidr)!, ip)

function specialIpProblem(ip: IpAddress): ServiceIpProblem | null {
  if (ip.value === 0n) return 'unspecified'
  if (inRange(ip, '127.0.0.0/8') || inRange(ip, '::1/128')) return 'loopback'
  if (inRange(ip, '169.254.0.0/16') || inRange(ip, 'fe80::/10')) return 'link-local'
  if (inRange(ip, '224.0.0.0/24') || inRange(ip, 'ff02::/16')) return 'link-local-multicast'
  return null
}

/**
 * validateServicePort: "All ports within a ServiceSpec must have unique names ... if there is only one
 * ServicePort, this field may be omitted"; port 1-65535 is required; protocol defaults to TCP; targetPort
 * is a number 1-65535 or an IANA port name and "defaults to the value of the 'port' field".
 */
function readServicePort(raw: unknown, path: Loc, nameRequired: boolean, names: Set<string>, issues: ModelIssue[]): ServicePort | undefined {
  const p: Json | undefined = elementObject(raw, path, issues)
  if (!p) return undefined
  checkKnownFields(p, PORT_FIELDS, path, issues)
  const before = issues.length
  const name = stringAt(p, 'name', path, issues) ?? ''
  if (name === '') {
    if (nameRequired && (p.name == null || p.name === '')) issues.push({ code: 'required', path: pathOf(path, 'name'), expected: 'a port name (the Service has several ports)' })
  } else {
    const problem = dnsLabelProblem(name)
    if (problem !== null) issues.push(nameIssue('invalid_name', pathOf(path, 'name'), name, problem))
    else if (names.has(name)) issues.push({ code: 'duplicate_value', path: pathOf(path, 'name'), input: name })
    names.add(name)
  }
  const port = intAt(p, 'port', path, issues)
  if (port === undefined) {
    if (p.port == null) issues.push({ code: 'required', path: pathOf(path, 'port'), expected: 'a port number 1-65535' })
  } else if (!isPortNumber(port)) issues.push({ code: 'invalid_port_number', path: pathOf(path, 'port'), input: port })
  const protocolText = stringAt(p, 'protocol', path, issues) || 'TCP'
  if (!PROTOCOL_SET.has(protocolText)) issues.push({ code: 'invalid_protocol', path: pathOf(path, 'protocol'), input: protocolText })
  const target = readTargetPort(p, path, issues)
  if (issues.length !== before || port === undefined) return undefined
  return {
    ...(name !== '' ? { name } : {}),
    port,
    protocol: protocolText as Protocol,
    // SetDefaults_Service: a zero or empty targetPort becomes the port
    targetPort: target ?? port,
  }
}

function readTargetPort(p: Json, path: Loc, issues: ModelIssue[]): number | string | undefined {
  const t = p.targetPort
  if (t === undefined || t === null || t === 0 || t === '') return undefined
  if (typeof t === 'number' && Number.isInteger(t)) {
    if (!isPortNumber(t)) issues.push({ code: 'invalid_port_number', path: pathOf(path, 'targetPort'), input: t })
    return t
  }
  if (typeof t === 'string') {
    const problem = portNameProblem(t)
    if (problem !== null) issues.push(nameIssue('invalid_port_name', pathOf(path, 'targetPort'), t, problem))
    return t
  }
  issues.push(wrongType(pathOf(path, 'targetPort'), 'integer or string', t))
  return undefined
}
