/**
 * core/v1 Node, as far as `nodes` peers of cluster policies need it: the name, the labels and the addresses of
 * `status.addresses`. "It selects the nodeIPs as the peer type by matching on the IPs present in the
 * node.Status.Addresses field of the node": entries of type InternalIP and ExternalIP that are IP addresses
 * (Hostname, InternalDNS and ExternalDNS entries hold names, not addresses, and are left out).
 *
 * The rest of the spec and status is not read, and not checked: a Node is written by its kubelet, not by the user.
 */
import type { Node } from './cluster-policy.js'
import { parseIp, type IpAddress } from './ip.js'
import type { ModelIssue, Parsed, Path } from './issues.js'
import { arrayAt, at, elementObject, isObject, objectAt, parseMetadata, result, stringAt, typeName } from './parse-fields.js'
import type { SourceRef } from './source.js'
import { dnsSubdomainProblem } from './validate-names.js'

const ADDRESS_TYPES: ReadonlySet<string> = new Set(['InternalIP', 'ExternalIP'])

/** Parses a Node object; its name must be a DNS subdomain (ValidateNodeName). Never throws. */
export function parseNode(input: unknown, path: Path = [], source?: SourceRef): Parsed<Node> {
  const issues: ModelIssue[] = []
  if (!isObject(input)) return { ok: false, issues: [{ code: 'not_an_object', path, expected: 'Node', got: typeName(input) }] }
  const meta = parseMetadata(input, path, issues, { name: dnsSubdomainProblem, namespaced: false })
  const statusLoc = at(path, 'status')
  const status = objectAt(input, 'status', path, issues)
  const raw = (status && arrayAt(status, 'addresses', statusLoc, issues)) ?? []
  const addresses: IpAddress[] = []
  const seen = new Set<string>()
  for (let i = 0; i < raw.length; i++) {
    const a = elementObject(raw[i], at(at(statusLoc, 'addresses'), i), issues)
    if (!a) continue
    const type = stringAt(a, 'type', at(at(statusLoc, 'addresses'), i), issues)
    const text = stringAt(a, 'address', at(at(statusLoc, 'addresses'), i), issues)
    if (type === undefined || text === undefined || !ADDRESS_TYPES.has(type)) continue
    const ip = parseIp(text)
    if (ip === null) continue
    const key = `${ip.family}/${ip.value}`
    if (seen.has(key)) continue
    seen.add(key)
    addresses.push(ip)
  }
  return result<Node>({ name: meta.name, labels: meta.labels, addresses, ...(source ? { source } : {}) }, issues)
}
