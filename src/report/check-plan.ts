/**
 * Planning the connections of `check --from A --to B [--port P] [--family F]`: resolve both endpoints against
 * the cluster, expand pods, workloads and Services into (source pod, destination pod, port) flows, and evaluate
 * them. The CLI and `netpol serve` call the same functions with the same three strings, so both say the same
 * thing about the same question. Nothing here throws for bad input: a mistake comes back as a
 * {@link CheckQueryError} whose message is the text the CLI prints after "error: ".
 */
import { standsForSeveral, type Cluster, type Pod, type ServicePort } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import type { NameResolution } from '../engine/name-resolution.js'
import { splitNamePort } from './resolve-text.js'
import { indexCluster, type ClusterIndex } from '../engine/cluster-index.js'
import { defaultFamily, podEndpoint } from '../engine/endpoint.js'
import { evaluateFlow } from '../engine/evaluate.js'
import type { Endpoint } from '../engine/verdict.js'
import { resolveEndpoint, targetPortOn, type Resolved, type ResolveError, type ResolvedEndpoint } from '../analysis/resolve-endpoint.js'
import { splitAddressPort, withPort, type ServiceAddress } from '../analysis/service-address.js'
import type { PortProtocol } from '../analysis/reachability.js'
import type { CheckedFlow } from './check-report.js'
import { parsePort } from './port-text.js'

/** The question, as the user wrote it: endpoints as `check` takes them, port "PORT[/PROTOCOL]". */
export interface CheckQuery {
  readonly from: string
  readonly to: string
  readonly port?: string
  readonly family?: Family
  /** what domain names resolve to (`--resolve`, `--resolve-file`): for domainNames peers and a name as --to */
  readonly resolution?: NameResolution
}

/** What was wrong with a query: `field` is the part it is about; `message` the CLI's text (it names flags). */
export interface CheckQueryError {
  readonly field: 'from' | 'to' | 'port'
  readonly message: string
}

export type CheckResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: CheckQueryError }

/** One flow to evaluate and how to show it. */
export interface PlannedFlow {
  readonly flow: { readonly from: Endpoint; readonly to: Endpoint; readonly port: number; readonly protocol: PortProtocol['protocol'] }
  readonly shown: Omit<CheckedFlow, 'verdict'>
}

/**
 * Plan and evaluate: the checked flows `checkReport` and the text renderer take. Never throws for bad input.
 * `index`: the cluster's index when the caller keeps one (a server answering many questions about one cluster).
 */
export function checkConnections(cluster: Cluster, query: CheckQuery, index?: ClusterIndex): CheckResult<CheckedFlow[]> {
  const planned = planCheck(cluster, query)
  if (!planned.ok) return planned
  const idx = index ?? indexCluster(cluster)
  const options = query.resolution ? { resolution: query.resolution } : {}
  return { ok: true, value: planned.value.map((f) => ({ ...f.shown, verdict: evaluateFlow(idx, f.flow, options) })) }
}

/** "--from" text for a resolve error of one endpoint, e.g. `"shop/x": no such pod in the input; did you mean shop/web?` */
export function resolveErrorText(e: ResolveError): string {
  const dym = (s: readonly string[]) => (s.length ? `; did you mean ${s.join(', ')}?` : '')
  switch (e.code) {
    case 'syntax':
      return `"${e.input}": expected NAMESPACE/POD, an IP address, svc/NAMESPACE/NAME[:PORT], or a workload as kubectl names it (deploy/NAMESPACE/NAME; also sts, ds, rs, rc, job, cronjob)`
    case 'pod-not-found':
      return `"${e.input}": no such pod in the input${dym(e.suggestions)}`
    case 'service-not-found':
      return `"${e.input}": no such Service in the input${dym(e.suggestions)}`
    case 'workload-not-found':
      return `"${e.input}": no such workload with pods in the input${dym(e.suggestions)}`
    case 'service-port-not-found':
      return `"${e.input}": the Service has no port "${e.port}" (it has ${e.available.join(', ') || 'no ports'})`
    case 'port-on-address':
      return `"${e.input}": ${e.ip} is no Service's clusterIP or externalIP in the input; a :PORT suffix is only for those (give --port)`
  }
}

const fail = (field: CheckQueryError['field'], message: string) => ({ ok: false, error: { field, message } }) as const
const PORT_REQUIRED = '--port is required (PORT[/PROTOCOL], e.g. 5432/TCP) unless --to is svc/NS/NAME:PORT'

type Source = { name: string; pod: Pod | null; ip: Endpoint | null }
type Dest = { name: string; pod: Pod | null; ip: Endpoint | null; port: PortProtocol; via?: string; family?: Family; serviceAddress?: CheckedFlow['serviceAddress'] }

/** The flows of a query, in the order the CLI prints them (each source, then each destination). */
export function planCheck(cluster: Cluster, query: CheckQuery): CheckResult<PlannedFlow[]> {
  const fromR = resolveEndpoint(cluster, query.from)
  if (!fromR.ok) return fail('from', `--from ${resolveErrorText(fromR.error)}`)
  const named = splitNamePort(query.to)
  const toR: Resolved | null = named ? null : resolveEndpoint(cluster, query.to)
  if (toR && !toR.ok) return fail('to', `--to ${resolveErrorText(toR.error)}`)
  const from = fromR.value
  // null: a domain name, whose addresses the resolution gives (nameDestinations)
  const to: ResolvedEndpoint | null = toR && toR.value
  if (from.kind === 'service' && from.address) return fail('from', `--from ${query.from} is ${addressOf(from.address)}: ${NOT_A_SOURCE}`)
  let explicit: PortProtocol | null = null
  if (query.port !== undefined) {
    const p = parsePort(query.port)
    if (!p.ok) return fail('port', p.error)
    explicit = p.value
  }
  const sources: Source[] =
    from.kind === 'pod'
      ? [{ name: `${from.pod.namespace}/${from.pod.name}`, pod: from.pod, ip: null }]
      : from.kind === 'ip'
        ? [{ name: from.ip.text, pod: null, ip: { kind: 'ip', ip: from.ip } }]
        : from.kind === 'workload'
          ? from.pods.map((pod) => ({ name: `${pod.namespace}/${pod.name}`, pod, ip: null }))
          : from.backends.map((b) => ({ name: `${b.pod.namespace}/${b.pod.name}`, pod: b.pod, ip: null }))
  if (sources.length === 0) return fail('from', `--from ${query.from}: the Service selects no pod in the input`)

  let dests: Dest[]
  if (to === null) {
    const d = nameDestinations(named!, query, explicit)
    if (!d.ok) return d
    dests = d.value
  } else if (to.kind === 'service') {
    const d = serviceDestinations(to, query, explicit)
    if (!d.ok) return d
    dests = d.value
  } else if (to.kind === 'workload') {
    if (explicit === null) return fail('port', PORT_REQUIRED)
    const via = `via ${to.prefix}/${to.workload.namespace}/${to.workload.name}`
    const port = explicit
    dests = to.pods.map((pod) => ({ name: `${pod.namespace}/${pod.name}`, pod, ip: null, port, via }))
  } else {
    if (explicit === null) return fail('port', PORT_REQUIRED)
    dests = [to.kind === 'pod' ? { name: `${to.pod.namespace}/${to.pod.name}`, pod: to.pod, ip: null, port: explicit } : { name: to.ip.text, pod: null, ip: { kind: 'ip', ip: to.ip }, port: explicit }]
  }

  const out: PlannedFlow[] = []
  // a workload to itself: each pod to the others, not each pod to itself (always allowed), unless that is all there is
  const sameWorkload = from.kind === 'workload' && to?.kind === 'workload' && sources.length > 1
  for (const s of sources) {
    for (const d of dests) {
      if (sameWorkload && s.pod === d.pod && !standsForSeveral(s.pod!)) continue
      // a Service address decides the family: the translated connection keeps it
      const family: Family = query.family ?? d.family ?? s.ip?.ip?.family ?? d.ip?.ip?.family ?? defaultFamily(s.pod, d.pod)
      const fromE: Endpoint = s.ip ?? podEndpoint(s.pod!, family)
      const toE: Endpoint = d.ip ?? podEndpoint(d.pod!, family)
      if (fromE.ip && toE.ip && fromE.ip.family !== toE.ip.family) {
        return fail('to', `--from ${query.from} and --to ${query.to} are of different address families (IPv${fromE.ip.family} and IPv${toE.ip.family})`)
      }
      out.push({
        flow: { from: fromE, to: toE, port: d.port.port, protocol: d.port.protocol },
        shown: {
          from: s.name,
          to: d.name,
          fromIp: fromE.ip?.text ?? null,
          toIp: toE.ip?.text ?? null,
          port: d.port.port,
          protocol: d.port.protocol,
          ...(d.via ? { via: d.via } : {}),
          ...(d.serviceAddress ? { serviceAddress: d.serviceAddress } : {}),
        },
      })
    }
  }
  return { ok: true, value: out }
}

/**
 * The backing pods of a Service destination, each at the container port the service port lands on; with --port
 * and svc/NS/NAME, each at that port. A Service address (clusterIP or externalIP) is the Service: --port names
 * one of its ports, as :PORT does, and the connection keeps the address's family.
 */
function serviceDestinations(to: Extract<ResolvedEndpoint, { kind: 'service' }>, query: CheckQuery, explicitPort: PortProtocol | null): CheckResult<Dest[]> {
  let explicit = explicitPort
  const address = to.address
  let sp = to.port
  const svcName = `svc/${to.service.namespace}/${to.service.name}`
  // a connection to a virtual address is made to a service port: --port names it, as :PORT does
  if (address && explicit !== null) {
    const named = to.service.ports.find((p) => p.port === explicit!.port && p.protocol === explicit!.protocol)
    const written = splitAddressPort(query.to)?.port ?? null
    if (written !== null && sp !== named) return fail('port', `--to ${query.to} and --port ${query.port} name different service ports; give the service port once`)
    if (!named) return fail('port', `--to ${query.to}: ${svcName} has no port ${explicit.port}/${explicit.protocol} (it has ${servicePortsText(to.service.ports)})`)
    sp = named
    explicit = null
  }
  if (sp === null && explicit === null) {
    const has = to.service.ports.length === 0 ? 'has no ports' : `has several ports: ${servicePortsText(to.service.ports)}`
    return fail(
      'port',
      address
        ? `--to ${query.to}: ${address.ip.text} is ${addressOf(address)}, which ${has}; name one (${withPort(address.ip, 'PORT')}) or give --port`
        : `--to ${query.to}: the Service ${has}; name one (svc/NS/NAME:PORT) or give --port`,
    )
  }
  if (to.backends.length === 0) return fail('to', `--to ${query.to}: the Service selects no pod in the input, so no connection can be checked`)
  const family = address?.ip.family
  const dests: Dest[] = []
  for (const b of to.backends) {
    const name = `${b.pod.namespace}/${b.pod.name}`
    if (explicit !== null) {
      dests.push({ name, pod: b.pod, ip: null, port: explicit, via: `via ${svcName}` })
      continue
    }
    const podPort = targetPortOn(sp!, b.pod)
    if (podPort === null) return fail('to', `--to ${query.to}: targetPort "${sp!.targetPort}" is not a ${sp!.protocol} container port of ${name}`)
    const via = `via ${svcName}:${sp!.port} (${address ? `${address.field} ${address.ip.text}, ` : ''}targetPort ${sp!.targetPort})`
    const serviceAddress = address && { ip: address.ip.text, field: address.field, service: `${to.service.namespace}/${to.service.name}`, port: sp!.port, protocol: sp!.protocol }
    dests.push({ name, pod: b.pod, ip: null, port: { port: podPort, protocol: sp!.protocol }, via, ...(family ? { family } : {}), ...(serviceAddress ? { serviceAddress } : {}) })
  }
  return { ok: true, value: dests }
}

/**
 * A domain name as the destination: the addresses the resolution given maps it to (of --family, when given),
 * at `:PORT` or --port. netpol never looks names up.
 */
function nameDestinations(named: { name: string; port: string | null }, query: CheckQuery, explicit: PortProtocol | null): CheckResult<Dest[]> {
  const ips = query.resolution?.get(named.name)
  if (!ips || ips.length === 0) return fail('to', `--to ${query.to}: netpol does not look names up; give the name's addresses with --resolve ${named.name}=IP[,IP] or --resolve-file`)
  let port = explicit
  if (named.port !== null) {
    const p = parsePort(named.port)
    if (!p.ok) return fail('to', `--to ${query.to}: expected NAME:PORT with PORT 1-65535`)
    if (explicit !== null && (explicit.port !== p.value.port || explicit.protocol !== p.value.protocol)) return fail('port', `--to ${query.to} and --port ${query.port} name different ports; give the port once`)
    port = explicit ?? p.value
  }
  if (port === null) return fail('port', `--port is required (PORT[/PROTOCOL], e.g. 443/TCP) unless --to is NAME:PORT`)
  const of = ips.filter((ip) => query.family === undefined || ip.family === query.family)
  if (of.length === 0) return fail('to', `--to ${query.to}: the resolution given has no IPv${query.family} address for ${named.name}`)
  return { ok: true, value: of.map((ip) => ({ name: named.name, pod: null, ip: { kind: 'ip', ip }, port: port!, family: ip.family })) }
}

const NOT_A_SOURCE =
  "a Service's virtual address is never the source of a connection (connections are made to it, and the node translates them to a backing pod); " +
  'name the pod that connects (--from NS/POD), or --from svc/NS/NAME to check each pod of the Service as a source'

const addressOf = (a: ServiceAddress) => `the ${a.field} of svc/${a.service.namespace}/${a.service.name}`

/** `53/UDP (dns), 53/TCP (dns-tcp)` */
const servicePortsText = (ports: readonly ServicePort[]) => ports.map((p) => `${p.port}/${p.protocol}${p.name ? ` (${p.name})` : ''}`).join(', ')
