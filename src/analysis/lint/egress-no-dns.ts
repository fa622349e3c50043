import type { Pod } from '../../model/cluster.js'
import { formatRef, type NetworkPolicy, type PolicyRef } from '../../model/policy.js'
import type { Protocol } from '../../model/port.js'
import { evaluateSide } from '../../engine/evaluate.js'
import { isolatingPolicies } from '../../engine/select.js'
import { sideAllows, type Flow, type SideVerdict } from '../../engine/verdict.js'
import { subsetIdentities } from '../../engine/identities.js'
import { targetPortOn } from '../resolve-endpoint.js'
import type { Check } from './check.js'
import type { LintContext } from './context.js'
import { code, count, joinParts, msg, podList, policyObject, ref, refList, type Draft, type Part } from './finding.js'
import { policyYaml } from './yaml-snippet.js'

/** Where the cluster DNS runs: CoreDNS and kube-dns both keep the kube-dns label in kube-system. */
export const DNS_NAMESPACE = 'kube-system'
export const DNS_LABEL = { key: 'k8s-app', value: 'kube-dns' } as const

export function dnsPods(ctx: LintContext): Pod[] {
  return ctx.podsIn(DNS_NAMESPACE).filter((p) => p.labels[DNS_LABEL.key] === DNS_LABEL.value)
}

/**
 * The container port a DNS pod answers on for `protocol`: the targetPort of a kube-system Service port 53 that
 * selects it (policies see traffic after the Service's DNAT), else 53.
 */
function dnsPort(ctx: LintContext, pod: Pod, protocol: Protocol): number {
  for (const s of ctx.cluster.services) {
    if (s.namespace !== pod.namespace || s.selector === null) continue
    if (!Object.entries(s.selector).every(([k, v]) => pod.labels[k] === v)) continue
    const sp = s.ports.find((p) => p.port === 53 && p.protocol === protocol)
    if (sp) return targetPortOn(sp, pod) ?? 53
  }
  return 53
}

interface Failure {
  readonly pods: Pod[]
  readonly protocols: Protocol[]
  readonly policies: readonly PolicyRef[]
}

const PROTOCOLS: readonly Protocol[] = ['UDP', 'TCP']
/** What the check reads of one side's verdict (the verdicts of every class are not kept whole: they explain every miss). */
interface Side {
  readonly allows: boolean
  readonly kind: SideVerdict['kind']
  readonly isolatedBy: readonly PolicyRef[]
}
const side = (v: SideVerdict): Side => ({ allows: sideAllows(v), kind: v.kind, isolatedBy: v.kind === 'denied' ? v.isolatedBy : [] })
/** what evaluateSide says of a side no policy isolates */
const NOT_ISOLATED: Side = side({ kind: 'not-isolated' })

export const egressNoDns: Check = {
  id: 'NP002',
  slug: 'egress-no-dns',
  severity: 'error',
  title: 'pods cannot send DNS queries to the cluster DNS',
  description:
    `Evaluates UDP 53 and TCP 53 from every pod to the cluster DNS pods (label ${DNS_LABEL.key}=${DNS_LABEL.value} in ` +
    `${DNS_NAMESPACE}). A pod isolated for egress needs a rule allowing both, or every name lookup fails; TCP is ` +
    'needed for answers too large for UDP. The DNS pods\' own ingress policies are checked too.',
  run(ctx) {
    const dns = dnsPods(ctx)
    const isSource = (p: Pod) => !p.hostNetwork && !dns.includes(p)
    if (dns.length === 0) {
      const sources = ctx.cluster.pods.filter(isSource)
      if (!sources.some((p) => isolatingPolicies(ctx.index, p, 'egress').length > 0)) return []
      return { skipped: msg`no cluster DNS pods in the input (label ${code(`${DNS_LABEL.key}=${DNS_LABEL.value}`)} in namespace ${ref(DNS_NAMESPACE)}), so DNS from egress-isolated pods could not be checked; add the kube-system pods to the input` }
    }
    const ports = new Map(dns.map((d) => [d, Object.fromEntries(PROTOCOLS.map((pr) => [pr, dnsPort(ctx, d, pr)])) as Record<Protocol, number>]))
    const { pods: sources, ids } = subsetIdentities(ctx.classes.ids, ctx.cluster.pods, isSource)
    const egress = new Map<string, Failure>()
    const ingress = new Map<string, Failure>()
    // evaluateFlow by its two sides: the source's egress towards a DNS pod reads only the source's selector class
    // (its namespace and labels; the destination and port are fixed), so it is decided once per selector class
    const egressOf = new Map<number, Side>()
    // a DNS pod no policy isolates for ingress (and no cluster policy in the input) admits every source
    const open = dns.map((d) => ctx.cluster.clusterPolicies.length === 0 && isolatingPolicies(ctx.index, d, 'ingress').length === 0)
    for (const cls of ids.classes) {
      const verdicts = new Map<Protocol, { egress: Side; ingress: Side }>()
      for (const [p, protocol] of PROTOCOLS.entries()) {
        let first: { egress: Side; ingress: Side } | null = null
        let ok = false
        for (const [k, d] of dns.entries()) {
          const flow: Flow = { from: cls.rep, to: ctx.endpoint(d), port: ports.get(d)![protocol], protocol }
          const key = (ids.selectorOf[cls.index]! * dns.length + k) * PROTOCOLS.length + p
          let egress = egressOf.get(key)
          if (egress === undefined) egressOf.set(key, (egress = side(evaluateSide(ctx.index, cls.rep.pod, 'egress', flow.to, flow))))
          const v = { egress, ingress: open[k] ? NOT_ISOLATED : side(evaluateSide(ctx.index, d, 'ingress', cls.rep, flow)) }
          first ??= v
          if (v.egress.allows && v.ingress.allows) { ok = true; break }
        }
        if (!ok) verdicts.set(protocol, first!)
      }
      if (verdicts.size === 0) continue
      const members = cls.members.map((i) => sources[i]!)
      for (const [side, groups] of [['egress', egress], ['ingress', ingress]] as const) {
        const missing = [...verdicts].filter(([, v]) => v[side].kind === 'denied')
        if (missing.length === 0) continue
        const sv = missing[0]![1][side]
        const policies = sv.kind === 'denied' ? sv.isolatedBy : []
        const protocols = missing.map(([p]) => p)
        const key = `${side === 'egress' ? cls.namespace : ''}\n${policies.map(formatRef).join(',')}\n${protocols.join(',')}`
        const g = groups.get(key)
        if (g) g.pods.push(...members)
        else groups.set(key, { pods: [...members], protocols, policies })
      }
    }
    const out: Draft[] = []
    for (const f of egress.values()) out.push(egressDraft(ctx, f, dns, ports.get(dns[0]!)!))
    for (const f of ingress.values()) out.push(ingressDraft(ctx, f, dns, ports.get(dns[0]!)!))
    return out
  },
}

const byRef = new WeakMap<LintContext, Map<string, NetworkPolicy>>()
function policyOf(ctx: LintContext, r: PolicyRef): NetworkPolicy {
  let m = byRef.get(ctx)
  if (m === undefined) {
    m = new Map()
    // the first policy of that namespace and name, as a search in input order finds it
    for (const p of ctx.cluster.policies) if (!m.has(formatRef(p))) m.set(formatRef(p), p)
    byRef.set(ctx, m)
  }
  return m.get(formatRef(r))!
}

function what(protocols: readonly Protocol[], port: Record<Protocol, number>): Part[] {
  return joinParts(protocols.map((p) => [code(`${p} ${port[p]}`)]), 'or')
}

function consequence(protocols: readonly Protocol[]): string {
  return protocols.includes('UDP')
    ? 'name lookups will fail'
    : 'UDP queries work, but answers too large for UDP (truncated, then retried over TCP) will fail'
}

function portsYaml(port: Record<Protocol, number>): string[] {
  return ['  ports:', ...PROTOCOLS.map((p) => `  - {protocol: ${p}, port: ${port[p]}}`)]
}

function egressDraft(ctx: LintContext, f: Failure, dns: readonly Pod[], port: Record<Protocol, number>): Draft {
  const ns = f.pods[0]!.namespace
  const policies = f.policies.map((r) => [ref(formatRef(r))])
  return {
    object: policyObject(policyOf(ctx, f.policies[0]!)),
    path: ['spec', 'egress'],
    message: msg`${count(f.pods.length, 'pod')} (${podList(f.pods)}) ${f.pods.length === 1 ? 'is' : 'are'} isolated for egress by ${joinParts(policies)} and may not send DNS queries on ${what(f.protocols, port)} to the cluster DNS (${podList(dns, 2)}): ${consequence(f.protocols)}`,
    fix: {
      text: msg`allow egress to the DNS pods on UDP and TCP from every pod of ${ref(ns)}`,
      yaml: policyYaml({
        name: 'allow-dns',
        namespace: ns,
        podSelector: '{}',
        policyTypes: ['Egress'],
        egress: [
          '- to:',
          `  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${DNS_NAMESPACE}}}`,
          `    podSelector: {matchLabels: {${DNS_LABEL.key}: ${DNS_LABEL.value}}}`,
          ...portsYaml(port),
        ],
      }),
    },
  }
}

function ingressDraft(ctx: LintContext, f: Failure, dns: readonly Pod[], port: Record<Protocol, number>): Draft {
  const namespaces = [...new Set(f.pods.map((p) => p.namespace))].sort()
  const policies = f.policies.map((r) => [ref(formatRef(r))])
  return {
    object: policyObject(policyOf(ctx, f.policies[0]!)),
    path: ['spec', 'ingress'],
    message: msg`the cluster DNS pods (${podList(dns, 2)}) are isolated for ingress by ${joinParts(policies)}, which admit no DNS queries on ${what(f.protocols, port)} from ${count(f.pods.length, 'pod')} in ${refList(namespaces)}: ${consequence(f.protocols)}`,
    fix: {
      text: msg`admit DNS queries to the DNS pods from every namespace`,
      yaml: policyYaml({
        name: 'allow-dns-ingress',
        namespace: DNS_NAMESPACE,
        podSelector: `{matchLabels: {${DNS_LABEL.key}: ${DNS_LABEL.value}}}`,
        policyTypes: ['Ingress'],
        ingress: ['- from:', '  - namespaceSelector: {}', ...portsYaml(port)],
      }),
    },
  }
}
