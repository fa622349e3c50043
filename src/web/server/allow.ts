/**
 * POST /api/allow {from, to, port}: the smallest policies that allow one connection. It is the question
 * `netpol generate` answers for one observed flow, so the flows module writes them (src/flows): an ingress
 * policy at the destination's workload when its ingress denies the connection, an egress policy at the source's
 * workload when its egress does, each selecting the workload by its stable labels (never pod-template-hash and
 * the like) with one rule for the one peer and port. The engine then checks that the result allows every
 * connection asked for, and the answer carries the what-if of adding them.
 */
import type { AllowRequest, AllowResponse, WhatIfResponse } from '../api.js'
import type { Cluster, Pod } from '../../model/cluster.js'
import { standsForSeveral } from '../../model/cluster.js'
import { selectorMatches } from '../../model/label-selector.js'
import { parsePolicy } from '../../model/parse-policy.js'
import { defaultFamily, podEndpoint } from '../../engine/endpoint.js'
import { evaluateFlow } from '../../engine/evaluate.js'
import { sideAllows, type Endpoint } from '../../engine/verdict.js'
import { resolveEndpoint } from '../../analysis/resolve-endpoint.js'
import { generatePolicies, type GeneratedPolicy } from '../../flows/generate-policies.js'
import type { ObservedConnection, ObservedEnd } from '../../flows/observed.js'
import { renderPolicy } from '../../flows/render-policies.js'
import { verifyGenerated } from '../../flows/verify-generated.js'
import { workloadOf } from '../../flows/workload-selector.js'
import { parsePort, portText } from '../../report/index.js'
import { badRequest, type Answer } from './respond.js'
import { indexOf, resolveErrorMessage } from './reports.js'
import type { Snapshot } from './serve-input.js'
import { whatIf } from './whatif.js'

export async function allow(s: Snapshot, body: unknown): Promise<Answer> {
  const req = parseAllow(body)
  if ('error' in req) return req
  const port = parsePort(req.port)
  if (!port.ok) return badRequest(req.port === 'any' ? 'expected one port, PORT[/PROTOCOL]' : port.error, 'port')
  const { port: num, protocol } = port.value
  const from = ends(s.cluster, req.from)
  if (!from.ok) return badRequest(from.error, 'from')
  const to = ends(s.cluster, req.to)
  if (!to.ok) return badRequest(to.error, 'to')

  const connections: ObservedConnection[] = []
  for (const f of from.value) {
    for (const t of to.value) {
      if (f.kind === 'pod' && t.kind === 'pod' && f.pod === t.pod && !standsForSeveral(f.pod)) continue
      connections.push({ from: f, to: t, protocol, port: num, verdict: 'allowed', count: 1 })
    }
  }
  if (connections.length === 0) return badRequest('a pod may always reach itself: nothing to allow', 'to')
  if (from.value.every((e) => e.kind === 'external') && to.value.every((e) => e.kind === 'external')) return badRequest('neither end is a pod: no NetworkPolicy decides this connection', 'to')

  // which ends deny it now: the destinations whose ingress does, the sources whose egress does
  const index = indexOf(s)
  const needIngress = new Set<Pod>()
  const needEgress = new Set<Pod>()
  for (const c of connections) {
    const v = evaluateFlow(index, flowOf(c))
    if (!sideAllows(v.ingress) && c.to.kind === 'pod') needIngress.add(c.to.pod)
    if (!sideAllows(v.egress) && c.from.kind === 'pod') needEgress.add(c.from.pod)
  }
  const shownPort = portText(port.value)
  if (needIngress.size === 0 && needEgress.size === 0) {
    const wi = await whatIf(s, { changes: [], port: shownPort })
    return 'body' in wi ? { body: { alreadyAllowed: true, policies: [], whatif: wi.body as WhatIfResponse } satisfies AllowResponse } : wi
  }

  const generated = generatePolicies(s.cluster, connections, { baseline: false })
  const kept = named(s.cluster, generated.policies.filter((p) => needed(p, needIngress, needEgress)), req, shownPort)
  const verified = verifyGenerated(s.cluster, kept, connections)
  if (verified.failures.length > 0 || verified.invalid.length > 0) {
    const f = verified.failures[0]
    const why = f ? `${end(f.connection.from)} → ${end(f.connection.to)} stays denied` : `${verified.invalid[0]!.policy} is not valid`
    return badRequest(`no NetworkPolicy written by netpol allows this connection (${why}); a hostNetwork pod, or the node, is not filtered by policies`)
  }
  const policies = kept.map((p) => ({ namespace: p.namespace, name: p.name, yaml: renderPolicy(p) }))
  const wi = await whatIf(s, { changes: policies.map((p) => ({ op: 'add' as const, yaml: p.yaml })), port: shownPort })
  if (!('body' in wi)) return wi
  return { body: { alreadyAllowed: false, policies, whatif: wi.body as WhatIfResponse } satisfies AllowResponse }
}

function parseAllow(body: unknown): AllowRequest | (Answer & { error: string }) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { status: 400, error: 'expected an object {from, to, port}' }
  const b = body as Record<string, unknown>
  for (const f of ['from', 'to', 'port'] as const) if (typeof b[f] !== 'string' || b[f] === '') return { status: 400, error: f === 'port' ? 'expected PORT/PROTOCOL, e.g. 5432/TCP' : 'expected an endpoint as `netpol check` takes it (NS/POD, an IP address, svc/NS/NAME, deploy/NS/NAME, …)', path: f }
  return b as unknown as AllowRequest
}

/** The ends an endpoint text stands for, as `check` resolves it: pods (a workload's, a Service's backends), or an address. */
function ends(cluster: Cluster, text: string): { ok: true; value: ObservedEnd[] } | { ok: false; error: string } {
  const r = resolveEndpoint(cluster, text)
  if (!r.ok) return { ok: false, error: resolveErrorMessage(r.error) }
  const e = r.value
  const pods = e.kind === 'pod' ? [e.pod] : e.kind === 'workload' ? e.pods : e.kind === 'service' ? e.backends.map((b) => b.pod) : null
  if (pods === null) return { ok: true, value: [{ kind: 'external', ip: (e as { ip: Endpoint['ip'] & object }).ip }] }
  if (pods.length === 0) return { ok: false, error: `"${text}" has no pod in the input` }
  return { ok: true, value: pods.map((pod) => ({ kind: 'pod', pod })) }
}

function flowOf(c: ObservedConnection) {
  const family = c.from.kind === 'external' ? c.from.ip.family : c.to.kind === 'external' ? c.to.ip.family : defaultFamily(c.from.kind === 'pod' ? c.from.pod : null, c.to.kind === 'pod' ? c.to.pod : null)
  const endpoint = (e: ObservedEnd): Endpoint => (e.kind === 'pod' ? podEndpoint(e.pod, family) : { kind: 'ip', ip: (e as { ip: Endpoint['ip'] & object }).ip })
  return { from: endpoint(c.from), to: endpoint(c.to), port: c.port, protocol: c.protocol }
}

const end = (e: ObservedEnd) => (e.kind === 'pod' ? `${e.pod.namespace}/${e.pod.name}` : e.kind === 'external' ? e.ip.text : e.kind)

/**
 * Whether a generated policy is one the connection needs: an ingress policy selecting a destination whose
 * ingress denies it, or an egress policy selecting a source whose egress does. (Generation also opens the DNS
 * servers and Internet-facing workloads of the namespaces it touches; those are not asked for here.)
 */
function needed(p: GeneratedPolicy, ingress: ReadonlySet<Pod>, egress: ReadonlySet<Pod>): boolean {
  const parsed = parsePolicy(p.manifest)
  if (!parsed.ok) return true // kept, so that the check below says it is invalid
  const policy = parsed.value
  const selects = (pods: ReadonlySet<Pod>) => [...pods].some((pod) => pod.namespace === policy.namespace && selectorMatches(policy.podSelector, pod.labels))
  return (policy.ingress !== null && selects(ingress)) || (policy.egress !== null && selects(egress))
}

/**
 * Names that say what each policy allows (`postgres-from-worker-5432-tcp` at the destination,
 * `worker-to-postgres-5432-tcp` at the source), not taken by a policy of the cluster, and a comment saying why
 * it is there instead of the observed flows `generate` would cite.
 */
function named(cluster: Cluster, policies: readonly GeneratedPolicy[], req: AllowRequest, port: string): GeneratedPolicy[] {
  const taken = new Set(cluster.policies.map((p) => `${p.namespace}/${p.name}`))
  const who = (text: string) => {
    const r = ends(cluster, text)
    const first = r.ok ? r.value[0] : undefined
    return first?.kind === 'pod' ? workloadOf(first.pod).name : first?.kind === 'external' ? first.ip.text : text
  }
  const [src, dst] = [who(req.from), who(req.to)]
  const portPart = port.replace('/', '-')
  return policies.map((p) => {
    const ingress = p.manifest.spec.policyTypes.includes('Ingress')
    const base = dnsName(ingress ? `${dst}-from-${src}-${portPart}` : `${src}-to-${dst}-${portPart}`)
    let name = base
    for (let n = 2; taken.has(`${p.namespace}/${name}`); n++) name = `${base}-${n}`
    taken.add(`${p.namespace}/${name}`)
    const side = ingress ? `ingress of ${dst}` : `egress of ${src}`
    return {
      ...p,
      name,
      manifest: { ...p.manifest, metadata: { ...p.manifest.metadata, name } },
      comment: `${ingress ? 'Ingress' : 'Egress'}: allows ${req.from} → ${req.to} on ${port}, which the ${side} denies now; ${p.comment.slice(p.comment.indexOf(';') + 2)}`,
      ruleComments: { ingress: [], egress: [] },
    }
  })
}

/** A policy name (a DNS subdomain): lower case, [a-z0-9.-], at most 253, starting and ending alphanumeric. */
const dnsName = (text: string) => text.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 253) || 'allow'
