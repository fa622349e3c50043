import { standsForSeveral, type Cluster, type Pod } from '../../model/cluster.js'
import type { Family } from '../../model/ip.js'
import { indexCluster } from '../../engine/cluster-index.js'
import { defaultFamily, podEndpoint } from '../../engine/endpoint.js'
import { evaluateFlow } from '../../engine/evaluate.js'
import type { Endpoint } from '../../engine/verdict.js'
import { resolveEndpoint, type ResolveError, type ResolvedEndpoint } from '../../analysis/resolve-endpoint.js'
import type { PortProtocol } from '../../analysis/reachability.js'
import { parsePortArg } from '../args.js'
import { ExitError, UsageError, type CliIO } from '../io.js'
import { loadClusterOrExit } from '../load.js'
import { renderCheckText, type CheckedFlow, type Style, plain } from '../render/verdict-text.js'

export interface CheckOptions {
  filename: string[]
  from: string
  to: string
  port?: string
  family?: '4' | '6'
  output: 'text' | 'json'
}

/** `netpol check`: read → resolve → evaluate each (source, destination) pair → render. Exit 0 allowed, 1 denied. */
export async function check(opts: CheckOptions, io: CliIO): Promise<void> {
  const cluster = await loadClusterOrExit({ files: opts.filename }, io)
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
  }
}

function planFlows(cluster: Cluster, opts: CheckOptions): PlannedFlow[] {
  const from = resolveOrThrow(cluster, opts.from, '--from')
  const to = resolveOrThrow(cluster, opts.to, '--to')
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

  type Dest = { name: string; pod: Pod | null; ip: Endpoint | null; port: PortProtocol; via?: string }
  let dests: Dest[]
  if (to.kind === 'service') {
    const sp = to.port
    if (sp === null && explicit === null) throw new UsageError(`--to ${opts.to}: the Service has several ports; name one (svc/NS/NAME:PORT) or give --port`)
    if (to.backends.length === 0) throw new UsageError(`--to ${opts.to}: the Service selects no pod in the input, so no connection can be checked`)
    dests = to.backends.map((b) => {
      if (explicit !== null) return { name: `${b.pod.namespace}/${b.pod.name}`, pod: b.pod, ip: null, port: explicit, via: `via svc/${to.service.namespace}/${to.service.name}` }
      if (b.port === null) throw new UsageError(`--to ${opts.to}: targetPort "${sp!.targetPort}" is not a ${sp!.protocol} container port of ${b.pod.namespace}/${b.pod.name}`)
      const via = `via svc/${to.service.namespace}/${to.service.name}:${sp!.port} (targetPort ${sp!.targetPort})`
      return { name: `${b.pod.namespace}/${b.pod.name}`, pod: b.pod, ip: null, port: { port: b.port, protocol: sp!.protocol }, via }
    })
  } else if (to.kind === 'workload') {
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
      const family: Family = opts.family ? (Number(opts.family) as Family) : s.ip?.ip?.family ?? d.ip?.ip?.family ?? defaultFamily(s.pod, d.pod)
      const fromE: Endpoint = s.ip ?? podEndpoint(s.pod!, family)
      const toE: Endpoint = d.ip ?? podEndpoint(d.pod!, family)
      if (fromE.ip && toE.ip && fromE.ip.family !== toE.ip.family) {
        throw new UsageError(`--from ${opts.from} and --to ${opts.to} are of different address families (IPv${fromE.ip.family} and IPv${toE.ip.family})`)
      }
      out.push({
        flow: { from: fromE, to: toE, port: d.port.port, protocol: d.port.protocol },
        shown: { from: s.name, to: d.name, fromIp: fromE.ip?.text ?? null, toIp: toE.ip?.text ?? null, port: d.port.port, protocol: d.port.protocol, ...(d.via ? { via: d.via } : {}) },
      })
    }
  }
  return out
}

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
      allowed: c.verdict.allowed,
      egress: c.verdict.egress,
      ingress: c.verdict.ingress,
      notes: c.verdict.notes,
    })),
  }
}
