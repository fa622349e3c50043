import { standsForSeveral, type Cluster, type Pod, type ServicePort } from '../../model/cluster.js'
import type { Family } from '../../model/ip.js'
import { indexCluster } from '../../engine/cluster-index.js'
import { defaultFamily, podEndpoint } from '../../engine/endpoint.js'
import { evaluateFlow } from '../../engine/evaluate.js'
import type { Endpoint } from '../../engine/verdict.js'
import { resolveEndpoint, targetPortOn, type ResolveError, type ResolvedEndpoint } from '../../analysis/resolve-endpoint.js'
import { splitAddressPort, withPort, type ServiceAddress } from '../../analysis/service-address.js'
import type { PortProtocol } from '../../analysis/reachability.js'
import { parsePortArg } from '../args.js'
import { ExitError, UsageError, type CliIO } from '../io.js'
import { loadClusterOrExit } from '../load.js'
import { liveOf } from '../shown-namespaces.js'
import { renderCheckText, type CheckedFlow, type Style, plain } from '../render/verdict-text.js'

export interface CheckOptions {
  filename: string[]
  from: string
  to: string
  port?: string
  family?: '4' | '6'
  output: 'text' | 'json'
  kubeconfig?: string
  context?: string
}

/** `netpol check`: read → resolve → evaluate each (source, destination) pair → render. Exit 0 allowed, 1 denied. */
export async function check(opts: CheckOptions, io: CliIO): Promise<void> {
  const cluster = await loadClusterOrExit({ files: opts.filename, live: liveOf(opts) }, io)
  const flows = planFlows(cluster, opts)
  const index = indexCluster(cluster)
  const checked = flows.map((f) => ({ ...f.shown, verdict: evaluateFlow(index, f.flow) }))
  if (opts.output === 'json') io.stdout.write(JSON.stringify(checkJson(checked), null, 2) + '\n')
  else io.stdout.write(renderCheckText(cluster, checked, io.stdout.isTTY ? await colors() : plain))
  if (!checked.every((c) => c.verdict.allowed)) throw new ExitError(1)
}

async function colors(): Promise<Style> {
  const pc = (await import('picocolors')).default
  return { ok: pc.green, bad: pc.red, dim: pc.dim, bold: pc.bold }
}

interface PlannedFlow {
  flow: { from: Endpoint; to: Endpoint; port: number; protocol: PortProtocol['protocol'] }
  shown: Omit<CheckedFlow, 'verdict'>
}

function resolveOrThrow(cluster: Cluster, text: string, flag: string): ResolvedEndpoint {
  const r = resolveEndpoint(cluster, text)
  if (!r.ok) throw new UsageError(`${flag} ${resolveErrorText(r.error)}`)
  return r.value
}

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

function planFlows(cluster: Cluster, opts: CheckOptions): PlannedFlow[] {
  const from = resolveOrThrow(cluster, opts.from, '--from')
  const to = resolveOrThrow(cluster, opts.to, '--to')
  if (from.kind === 'service' && from.address) throw new UsageError(`--from ${opts.from} is ${addressOf(from.address)}: ${NOT_A_SOURCE}`)
  const explicit = opts.port === undefined ? null : parsePortArg(opts.port)
  const sources: { name: string; pod: Pod | null; ip: Endpoint | null }[] =
    from.kind === 'pod'
      ? [{ name: `${from.pod.namespace}/${from.pod.name}`, pod: from.pod, ip: null }]
      : from.kind === 'ip'
        ? [{ name: from.ip.text, pod: null, ip: { kind: 'ip', ip: from.ip } }]
        : from.kind === 'workload'
          ? from.pods.map((pod) => ({ name: `${pod.namespace}/${pod.name}`, pod, ip: null }))
          : from.backends.map((b) => ({ name: `${b.pod.namespace}/${b.pod.name}`, pod: b.pod, ip: null }))
  if (sources.length === 0) throw new UsageError(`--from ${opts.from}: the Service selects no pod in the input`)

  let dests: Dest[]
  if (to.kind === 'service') dests = serviceDestinations(to, opts, explicit)
  else if (to.kind === 'workload') {
    if (explicit === null) throw new UsageError('--port is required (PORT[/PROTOCOL], e.g. 5432/TCP) unless --to is svc/NS/NAME:PORT')
    const via = `via ${to.prefix}/${to.workload.namespace}/${to.workload.name}`
    dests = to.pods.map((pod) => ({ name: `${pod.namespace}/${pod.name}`, pod, ip: null, port: explicit, via }))
  } else {
    if (explicit === null) throw new UsageError('--port is required (PORT[/PROTOCOL], e.g. 5432/TCP) unless --to is svc/NS/NAME:PORT')
    dests = [to.kind === 'pod' ? { name: `${to.pod.namespace}/${to.pod.name}`, pod: to.pod, ip: null, port: explicit } : { name: to.ip.text, pod: null, ip: { kind: 'ip', ip: to.ip }, port: explicit }]
  }

  const out: PlannedFlow[] = []
  // a workload to itself: each pod to the others, not each pod to itself (always allowed), unless that is all there is
  const sameWorkload = from.kind === 'workload' && to.kind === 'workload' && sources.length > 1
  for (const s of sources) {
    for (const d of dests) {
      if (sameWorkload && s.pod === d.pod && !standsForSeveral(s.pod!)) continue
      // a Service address decides the family: the translated connection keeps it
      const family: Family = opts.family ? (Number(opts.family) as Family) : d.family ?? s.ip?.ip?.family ?? d.ip?.ip?.family ?? defaultFamily(s.pod, d.pod)
      const fromE: Endpoint = s.ip ?? podEndpoint(s.pod!, family)
      const toE: Endpoint = d.ip ?? podEndpoint(d.pod!, family)
      if (fromE.ip && toE.ip && fromE.ip.family !== toE.ip.family) {
        throw new UsageError(`--from ${opts.from} and --to ${opts.to} are of different address families (IPv${fromE.ip.family} and IPv${toE.ip.family})`)
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
  return out
}

type Dest = { name: string; pod: Pod | null; ip: Endpoint | null; port: PortProtocol; via?: string; family?: Family; serviceAddress?: CheckedFlow['serviceAddress'] }

/**
 * The backing pods of a Service destination, each at the container port the service port lands on; with --port
 * and svc/NS/NAME, each at that port. A Service address (clusterIP or externalIP) is the Service: --port names
 * one of its ports, as :PORT does, and the connection keeps the address's family.
 */
function serviceDestinations(to: Extract<ResolvedEndpoint, { kind: 'service' }>, opts: CheckOptions, explicitPort: PortProtocol | null): Dest[] {
  let explicit = explicitPort
  const address = to.address
  let sp = to.port
  const svcName = `svc/${to.service.namespace}/${to.service.name}`
  // a connection to a virtual address is made to a service port: --port names it, as :PORT does
  if (address && explicit !== null) {
    const named = to.service.ports.find((p) => p.port === explicit!.port && p.protocol === explicit!.protocol)
    const written = splitAddressPort(opts.to)?.port ?? null
    if (written !== null && sp !== named) throw new UsageError(`--to ${opts.to} and --port ${opts.port} name different service ports; give the service port once`)
    if (!named) throw new UsageError(`--to ${opts.to}: ${svcName} has no port ${explicit.port}/${explicit.protocol} (it has ${servicePortsText(to.service.ports)})`)
    sp = named
    explicit = null
  }
  if (sp === null && explicit === null) {
    const has = to.service.ports.length === 0 ? 'has no ports' : `has several ports: ${servicePortsText(to.service.ports)}`
    throw new UsageError(
      address
        ? `--to ${opts.to}: ${address.ip.text} is ${addressOf(address)}, which ${has}; name one (${withPort(address.ip, 'PORT')}) or give --port`
        : `--to ${opts.to}: the Service ${has}; name one (svc/NS/NAME:PORT) or give --port`,
    )
  }
  if (to.backends.length === 0) throw new UsageError(`--to ${opts.to}: the Service selects no pod in the input, so no connection can be checked`)
  const family = address?.ip.family
  return to.backends.map((b) => {
    if (explicit !== null) return { name: `${b.pod.namespace}/${b.pod.name}`, pod: b.pod, ip: null, port: explicit, via: `via ${svcName}` }
    const podPort = targetPortOn(sp!, b.pod)
    if (podPort === null) throw new UsageError(`--to ${opts.to}: targetPort "${sp!.targetPort}" is not a ${sp!.protocol} container port of ${b.pod.namespace}/${b.pod.name}`)
    const via = `via ${svcName}:${sp!.port} (${address ? `${address.field} ${address.ip.text}, ` : ''}targetPort ${sp!.targetPort})`
    const serviceAddress = address && { ip: address.ip.text, field: address.field, service: `${to.service.namespace}/${to.service.name}`, port: sp!.port, protocol: sp!.protocol }
    return { name: `${b.pod.namespace}/${b.pod.name}`, pod: b.pod, ip: null, port: { port: podPort, protocol: sp!.protocol }, via, ...(family ? { family } : {}), ...(serviceAddress ? { serviceAddress } : {}) }
  })
}

const NOT_A_SOURCE =
  "a Service's virtual address is never the source of a connection (connections are made to it, and the node translates them to a backing pod); " +
  'name the pod that connects (--from NS/POD), or --from svc/NS/NAME to check each pod of the Service as a source'

const addressOf = (a: ServiceAddress) => `the ${a.field} of svc/${a.service.namespace}/${a.service.name}`

/** `53/UDP (dns), 53/TCP (dns-tcp)` */
const servicePortsText = (ports: readonly ServicePort[]) => ports.map((p) => `${p.port}/${p.protocol}${p.name ? ` (${p.name})` : ''}`).join(', ')

/** The JSON contract of `check -o json`. */
export function checkJson(checked: readonly CheckedFlow[]) {
  return {
    allowed: checked.every((c) => c.verdict.allowed),
    results: checked.map((c) => ({
      from: c.from,
      to: c.to,
      fromIp: c.fromIp,
      toIp: c.toIp,
      port: c.port,
      protocol: c.protocol,
      ...(c.via ? { via: c.via } : {}),
      ...(c.serviceAddress ? { serviceAddress: c.serviceAddress } : {}),
      allowed: c.verdict.allowed,
      egress: c.verdict.egress,
      ingress: c.verdict.ingress,
      notes: c.verdict.notes,
    })),
  }
}
