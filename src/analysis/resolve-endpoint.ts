import type { Cluster, Pod, Service, ServicePort } from '../model/cluster.js'
import type { IpAddress } from '../model/ip.js'
import { selectorMatches, makeSelector } from '../model/label-selector.js'
import { serviceAtAddress, splitAddressPort, type ServiceAddress } from './service-address.js'
import { nearest } from './nearest.js'
import { resolveWorkload, workloadPrefix, workloadsNamed, type WorkloadEndpoint, type WorkloadError } from './resolve-workload.js'

export { nearest, editDistance } from './nearest.js'

/** What a command-line endpoint names. */
export type ResolvedEndpoint =
  | { readonly kind: 'pod'; readonly pod: Pod }
  | { readonly kind: 'ip'; readonly ip: IpAddress }
  | {
      readonly kind: 'service'
      readonly service: Service
      readonly port: ServicePort | null
      readonly backends: readonly Backend[]
      /** set when the endpoint was written as one of the Service's virtual addresses */
      readonly address?: ServiceAddress
    }
  | WorkloadEndpoint

/** One pod behind a Service and the container port the service port lands on ("targetPort"), when it resolves. */
export interface Backend {
  readonly pod: Pod
  /** null when targetPort is a name the pod does not define for the protocol */
  readonly port: number | null
}

export type ResolveError =
  | { readonly code: 'syntax'; readonly input: string }
  | { readonly code: 'pod-not-found'; readonly input: string; readonly suggestions: readonly string[] }
  | { readonly code: 'service-not-found'; readonly input: string; readonly suggestions: readonly string[] }
  | { readonly code: 'service-port-not-found'; readonly input: string; readonly port: string; readonly available: readonly string[] }
  | { readonly code: 'port-on-address'; readonly input: string; readonly ip: string }
  | WorkloadError

export type Resolved = { ok: true; value: ResolvedEndpoint } | { ok: false; error: ResolveError }

/**
 * `NS/POD`, an IPv4/IPv6 address (a pod's address resolves to that pod, a Service's clusterIP or externalIP to
 * that Service, optionally with `:PORT`, `[IPv6]:PORT`), `svc/NS/NAME[:PORT]` where PORT is the service port's
 * number or name, or a workload as kubectl spells it (`deploy/NS/NAME`, see resolve-workload.ts). A Service
 * resolves to the pods its selector picks in its namespace, a workload to its pods.
 */
export function resolveEndpoint(cluster: Cluster, input: string): Resolved {
  const addr = splitAddressPort(input)
  if (addr !== null) {
    const { ip, port } = addr
    if (port === '') return { ok: false, error: { code: 'syntax', input } }
    // a hostNetwork pod shares its node's address: prefer the pod that owns the address
    const owners = cluster.pods.filter((p) => p.ips.some((a) => a.family === ip.family && a.value === ip.value))
    const pod = owners.find((p) => !p.hostNetwork) ?? owners[0]
    if (pod && port === null) return { ok: true, value: { kind: 'pod', pod } }
    const vip = serviceAtAddress(cluster, ip)
    if (vip !== null) return serviceEndpoint(cluster, vip.service, input, port, vip)
    if (port !== null) return { ok: false, error: { code: 'port-on-address', input, ip: ip.text } }
    return { ok: true, value: { kind: 'ip', ip } }
  }
  if (input.startsWith('svc/') || input.startsWith('service/')) return resolveService(cluster, input)
  if (workloadPrefix(input) !== null) return resolveWorkload(cluster, input)
  const parts = input.split('/')
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return { ok: false, error: { code: 'syntax', input } }
  const [ns, name] = parts as [string, string]
  const pod = cluster.pods.find((p) => p.namespace === ns && p.name === name)
  if (pod) return { ok: true, value: { kind: 'pod', pod } }
  // a workload of that name first (`deploy/backend/api` for backend/api), then pods named like it
  const suggestions = [...workloadsNamed(cluster, ns, name), ...nearest(input, cluster.pods.map((p) => `${p.namespace}/${p.name}`))]
  return { ok: false, error: { code: 'pod-not-found', input, suggestions } }
}

function resolveService(cluster: Cluster, input: string): Resolved {
  const rest = input.slice(input.indexOf('/') + 1)
  const colon = rest.lastIndexOf(':')
  const ref = colon >= 0 ? rest.slice(0, colon) : rest
  const portText = colon >= 0 ? rest.slice(colon + 1) : null
  const parts = ref.split('/')
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '' || portText === '') return { ok: false, error: { code: 'syntax', input } }
  const [ns, name] = parts as [string, string]
  const service = cluster.services.find((s) => s.namespace === ns && s.name === name)
  if (!service) {
    const names = cluster.services.map((s) => `svc/${s.namespace}/${s.name}`)
    return { ok: false, error: { code: 'service-not-found', input, suggestions: nearest(`svc/${ref}`, names) } }
  }
  return serviceEndpoint(cluster, service, input, portText)
}

/** A Service with the service port named by `portText` (number or name; null: its only port, if it has one). */
function serviceEndpoint(cluster: Cluster, service: Service, input: string, portText: string | null, address?: ServiceAddress): Resolved {
  let port: ServicePort | null = null
  if (portText !== null) {
    port = service.ports.find((p) => String(p.port) === portText || p.name === portText) ?? null
    if (port === null) {
      const available = service.ports.map((p) => (p.name ? `${p.port} (${p.name})` : String(p.port)))
      return { ok: false, error: { code: 'service-port-not-found', input, port: portText, available } }
    }
  } else if (service.ports.length === 1) port = service.ports[0]!
  const backends = servicePods(cluster, service).map((pod) => ({ pod, port: port === null ? null : targetPortOn(port, pod) }))
  return { ok: true, value: { kind: 'service', service, port, backends, ...(address ? { address } : {}) } }
}

/** The pods a Service's selector picks in its own namespace (none when it has no selector). */
export function servicePods(cluster: Cluster, service: Service): Pod[] {
  if (service.selector === null) return []
  const sel = makeSelector(Object.entries(service.selector).map(([key, v]) => ({ key, operator: 'In' as const, values: [v] })))
  return cluster.pods.filter((p) => p.namespace === service.namespace && selectorMatches(sel, p.labels))
}

/** "Number or name of the port to access on the pods targeted by the service" (ServicePort.targetPort). */
export function targetPortOn(port: ServicePort, pod: Pod): number | null {
  if (typeof port.targetPort === 'number') return port.targetPort
  return pod.ports.find((c) => c.name === port.targetPort && c.protocol === port.protocol)?.port ?? null
}
