/** core/v1 Service: name, selector and ports, validated and defaulted as the API server does. */
import type { Service, ServicePort } from './cluster.js'
import type { ModelIssue, Parsed, Path } from './issues.js'
import type { Labels } from './labels.js'
import { arrayAt, at, elementObject, intAt, isObject, type Json, type Loc, NO_ITEMS, objectAt, parseLabels, parseMetadata, pathOf, result, stringAt, typeName, wrongType } from './parse-fields.js'
import { PROTOCOLS, type Protocol } from './port.js'
import type { SourceRef } from './source.js'
import { netpolAnnotations } from './netpol-annotations.js'
import { dns1035LabelProblem, dnsLabelProblem, isPortNumber, portNameProblem } from './validate-names.js'

const PROTOCOL_SET: ReadonlySet<string> = new Set(PROTOCOLS)

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
  const annotations = netpolAnnotations(input)
  return result({ namespace: meta.namespace, name: meta.name, selector, ports, ...(annotations ? { annotations } : {}), ...(source ? { source } : {}) }, issues)
}

/**
 * validateServicePort: "All ports within a ServiceSpec must have unique names ... if there is only one
 * ServicePort, this field may be omitted"; port 1-65535 is required; protocol defaults to TCP; targetPort
 * is a number 1-65535 or an IANA port name and "defaults to the value of the 'port' field".
 */
function readServicePort(raw: unknown, path: Loc, nameRequired: boolean, names: Set<string>, issues: ModelIssue[]): ServicePort | undefined {
  const p: Json | undefined = elementObject(raw, path, issues)
  if (!p) return undefined
  const before = issues.length
  const name = stringAt(p, 'name', path, issues) ?? ''
  if (name === '') {
    if (nameRequired && (p.name == null || p.name === '')) issues.push({ code: 'required', path: pathOf(path, 'name'), expected: 'a port name (the Service has several ports)' })
  } else {
    const problem = dnsLabelProblem(name)
    if (problem !== null) issues.push({ code: 'invalid_name', path: pathOf(path, 'name'), input: name, expected: problem })
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
    if (problem !== null) issues.push({ code: 'invalid_port_name', path: pathOf(path, 'targetPort'), input: t, expected: problem })
    return t
  }
  issues.push(wrongType(pathOf(path, 'targetPort'), 'integer or string', t))
  return undefined
}
