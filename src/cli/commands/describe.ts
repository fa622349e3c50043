import type { Cluster, Pod } from '../../model/cluster.js'
import { podId } from '../../model/cluster.js'
import type { Family } from '../../model/ip.js'
import { formatRef, type PolicyRef } from '../../model/policy.js'
import { indexCluster } from '../../engine/cluster-index.js'
import { describePod, Describer, type ExternalView, type PodSet, type PodView, type PolicyView, type PortReach, type RuleView } from '../../analysis/describe.js'
import { nearest } from '../../analysis/resolve-endpoint.js'
import { ExitError, UsageError, type CliIO } from '../io.js'
import { loadClusterOrExit } from '../load.js'
import { checkNamespaceFlags, liveOf, shownNamespaces } from '../shown-namespaces.js'
import { peerWords, portWords, renderPodText, renderPoliciesText, selectorText } from '../render/describe-text.js'

export interface DescribeOptions {
  filename: string[]
  family?: '4' | '6'
  output: 'text' | 'json'
  namespace?: string[]
  allNamespaces?: boolean
  kubeconfig?: string
  context?: string
}

const POLICY_WORDS = new Set(['networkpolicy', 'networkpolicies', 'netpol', 'policy', 'policies'])
const POD_WORDS = new Set(['pod', 'pods', 'po'])

/**
 * `netpol describe [NS/NAME ...]` (policies; all when none is named) and `netpol describe pod NS/NAME ...`:
 * read → resolve against the cluster → render. Exit 2 when a name is not in the input.
 */
export async function describe(targets: readonly string[], opts: DescribeOptions, io: CliIO): Promise<void> {
  const first = targets[0]?.toLowerCase()
  const podMode = first !== undefined && POD_WORDS.has(first)
  const names = first !== undefined && (podMode || POLICY_WORDS.has(first)) ? targets.slice(1) : [...targets]
  if (podMode && names.length === 0) throw new UsageError('describe pod: name at least one pod as NAMESPACE/NAME')
  const refs = names.map(parseName)
  checkNamespaceFlags(opts)
  const cluster = await loadClusterOrExit({ files: opts.filename, live: liveOf(opts) }, io)
  const shown = shownNamespaces(opts, cluster.namespaces)
  const index = indexCluster(cluster)

  if (podMode) {
    const pods = refs.map((r) => findPod(cluster, r, io))
    const family = opts.family ? (Number(opts.family) as Family) : undefined
    const views = pods.map((p) => describePod(index, p, family))
    if (opts.output === 'json') io.stdout.write(JSON.stringify(describePodsJson(views), null, 2) + '\n')
    else io.stdout.write(views.map(renderPodText).join('\n'))
    return
  }
  for (const r of refs) findPolicy(cluster, r, io)
  // -n limits the policies listed when none is named; a policy named is shown wherever it is
  const all = new Describer(index).policies(refs.length === 0 ? undefined : refs)
  const views = shown === null || refs.length > 0 ? all : all.filter((v) => shown.has(v.policy.namespace))
  if (opts.output === 'json') io.stdout.write(JSON.stringify(describePoliciesJson(views), null, 2) + '\n')
  else io.stdout.write(renderPoliciesText(views))
}

function parseName(text: string): PolicyRef {
  const parts = text.split('/')
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') throw new UsageError(`"${text}": expected NAMESPACE/NAME`)
  return { namespace: parts[0]!, name: parts[1]! }
}

function notFound(kind: string, wanted: string, candidates: readonly string[], io: CliIO): never {
  const close = nearest(wanted, candidates)
  const ns = wanted.slice(0, wanted.indexOf('/') + 1)
  const sameNs = candidates.filter((c) => c.startsWith(ns)).slice(0, 10)
  const hint = close.length > 0 ? `; did you mean ${close.join(', ')}?` : sameNs.length > 0 ? ` (in that namespace: ${sameNs.join(', ')})` : candidates.length === 0 ? ` (the input has no ${kind})` : ''
  io.stderr.write(`error: no ${kind} "${wanted}" in the input${hint}\n`)
  throw new ExitError(2)
}

function findPolicy(cluster: Cluster, ref: PolicyRef, io: CliIO): void {
  if (cluster.policies.some((p) => p.namespace === ref.namespace && p.name === ref.name)) return
  notFound('NetworkPolicy', formatRef(ref), cluster.policies.map(formatRef), io)
}

function findPod(cluster: Cluster, ref: PolicyRef, io: CliIO): Pod {
  const pod = cluster.pods.find((p) => p.namespace === ref.namespace && p.name === ref.name)
  if (pod) return pod
  return notFound('pod', formatRef(ref), cluster.pods.map(podId), io)
}

const ids = (s: PodSet) => s.pods.map(podId)

/**
 * The JSON contract of `describe -o json` for policies:
 * `{"policies": [{namespace, name, podSelector, selectedPods, policyTypes, ingress, egress, ignored}]}` where
 * ingress/egress is null when policyTypes lacks the direction, else a list of rules
 * `{index, peers: "any" | [peer], ports: "any" | [port], pods}`; a peer is
 * `{kind: "pods", text, podSelector, namespaceSelector (null: the policy's namespace), pods, namespaces}` or
 * `{kind: "ipBlock", text, cidr, except, pods}`; a port is `{protocol, port, endPort}` (numbers, or null for all
 * ports) or `{protocol, name, resolved: [{ports, pods}], unresolved}`. Selectors are given as text.
 */
export function describePoliciesJson(views: readonly PolicyView[]) {
  const rule = (r: RuleView) => ({
    index: r.index,
    peers:
      r.peers === 'any'
        ? 'any'
        : r.peers.map(({ peer, matched }) =>
            peer.kind === 'ipBlock'
              ? { kind: 'ipBlock', text: peerWords(peer), cidr: peer.block.cidr.text, except: peer.block.except.map((e) => e.text), pods: ids(matched) }
              : {
                  kind: 'pods',
                  text: peerWords(peer),
                  podSelector: selectorText(peer.podSelector),
                  namespaceSelector: peer.namespaces.kind === 'own' ? null : selectorText(peer.namespaces.selector),
                  pods: ids(matched),
                  namespaces: matched.namespaces,
                },
          ),
    ports:
      r.ports === 'any'
        ? 'any'
        : r.ports.map((pv) => {
            const s = pv.spec
            if (s.port.kind === 'named') {
              return { protocol: s.protocol, name: s.port.name, text: portWords(pv), resolved: pv.named!.resolved.map((g) => ({ ports: g.ports, pods: g.pods.map(podId) })), unresolved: pv.named!.unresolved.map(podId) }
            }
            return s.port.kind === 'range' ? { protocol: s.protocol, port: s.port.from, endPort: s.port.to } : { protocol: s.protocol, port: null, endPort: null }
          }),
    pods: ids(r.pods),
  })
  return {
    policies: views.map((v) => ({
      namespace: v.policy.namespace,
      name: v.policy.name,
      podSelector: selectorText(v.policy.podSelector),
      selectedPods: ids(v.selected),
      policyTypes: v.policyTypes.map((d) => (d === 'ingress' ? 'Ingress' : 'Egress')),
      ingress: v.ingress === null ? null : v.ingress.map(rule),
      egress: v.egress === null ? null : v.egress.map(rule),
      ignored: { ingress: v.ignored.ingress.map(rule), egress: v.ignored.egress.map(rule) },
    })),
  }
}

/**
 * The JSON contract of `describe pod -o json`: `{"pods": [{pod, labels, ips, family, selectedBy, ingress, egress,
 * inbound, outbound}]}`; ingress/egress is `{isolated, by: ["ns/name"]}`; inbound/outbound entries are
 * `{port, protocol, name?, considered, allowed: {pods: n, namespaces: [..]}, allowedPods: ["ns/name"],
 * external: "any" | ["cidr" or "cidr except a, b"]}`.
 */
export function describePodsJson(views: readonly PodView[]) {
  const external = (e: ExternalView) => (e.kind === 'any' ? 'any' : e.blocks.map((b) => `${b.cidr.text}${b.except.length ? ` except ${b.except.map((x) => x.text).join(', ')}` : ''}`))
  const reach = (r: PortReach) => ({
    port: r.port,
    protocol: r.protocol,
    ...(r.name !== undefined ? { name: r.name } : {}),
    considered: r.considered,
    allowed: { pods: r.allowed.pods.length, namespaces: r.allowed.namespaces },
    allowedPods: ids(r.allowed),
    external: external(r.external),
  })
  return {
    pods: views.map((v) => ({
      pod: podId(v.pod),
      labels: v.pod.labels,
      ips: v.pod.ips.map((a) => a.text),
      family: v.family,
      selectedBy: v.selectedBy.map(formatRef),
      ingress: { isolated: v.ingress.by.length > 0, by: v.ingress.by.map(formatRef) },
      egress: { isolated: v.egress.by.length > 0, by: v.egress.by.map(formatRef) },
      inbound: v.inbound.map(reach),
      outbound: v.outbound.map(reach),
    })),
  }
}
