import { podId } from '../../model/cluster.js'
import { formatLabels } from '../../model/labels.js'
import { formatRef, type Direction, type Peer } from '../../model/policy.js'
import type { ExternalView, PodSet, PodView, PolicyView, PortReach, RuleView } from '../../analysis/describe.js'
import type { PodTiers, TierEntry } from '../../analysis/describe-cluster-policy.js'
import { formatClusterRef } from '../../model/cluster-policy.js'
import { count, peerWords, portWords, selectorText } from '../../report/words.js'

/** How many pod names a line lists before "and N more". */
const SHOWN = 5

/**
 * `kubectl describe networkpolicy`, resolved against the cluster: what the policy selects now and what each
 * rule's peers and ports resolve to. Policies are separated by a blank line.
 */
export function renderPoliciesText(views: readonly PolicyView[]): string {
  if (views.length === 0) return 'no NetworkPolicy in the input\n'
  return views.map(renderPolicyText).join('\n')
}

export function renderPolicyText(v: PolicyView): string {
  const p = v.policy
  const lines = [
    field('Name', p.name),
    field('Namespace', p.namespace),
    field('Pod selector', `${selectorText(p.podSelector)} → ${v.selected.pods.length === 0 ? 'selects no pod now' : `selects ${podsText(v.selected)}`}`),
    field('Policy types', v.policyTypes.length === 0 ? '(none)' : v.policyTypes.map(cap).join(', ')),
  ]
  for (const dir of ['ingress', 'egress'] as const) {
    const rules = v[dir]
    if (rules === null) lines.push(field(cap(dir), `not in policyTypes: this policy neither isolates nor allows ${dir}`))
    else if (rules.length === 0) lines.push(field(cap(dir), `no rules: the selected pods are isolated and this policy allows no ${dir}`))
    else {
      lines.push(`${cap(dir)} rules (a connection is allowed if any rule matches it):`)
      for (const r of rules) lines.push(...ruleLines(r, dir))
    }
  }
  for (const dir of ['ingress', 'egress'] as const) {
    const rules = v.ignored[dir]
    if (rules.length === 0) continue
    lines.push(`Ignored ${dir} rules (${cap(dir)} is not in policyTypes, so they have no effect):`)
    for (const r of rules) lines.push(...ruleLines(r, dir))
  }
  return lines.join('\n') + '\n'
}

const field = (label: string, text: string) => `${label}:`.padEnd(15) + text

/** `  [0] from:  <peer> → <pods>` (one line per peer, any of which matches), then `      ports: <ports>`. */
function ruleLines(r: RuleView, dir: Direction): string[] {
  const f = dir === 'ingress' ? 'from: ' : 'to:   '
  const head = `  [${r.index}]`.padEnd(6)
  const lines: string[] = []
  const add = (text: string) => lines.push(`${lines.length === 0 ? head : ' '.repeat(6)}${text}`)
  if (r.peers === 'any') add(`${f} anywhere (no ${f.trim().slice(0, -1)} list: every pod and every address) → ${podsText(r.pods)}`)
  else for (const pv of r.peers) add(`${f} ${peerWords(pv.peer)} → ${peerResult(pv.peer, pv.matched)}`)
  add(r.ports === 'any' ? 'ports: all (no ports list)' : `ports: ${r.ports.map(portWords).join('; ')}`)
  return lines
}


function peerResult(peer: Peer, matched: PodSet): string {
  if (peer.kind === 'ipBlock') return matched.pods.length === 0 ? 'no pod address inside' : `includes the addresses of ${podsText(matched)}`
  return matched.pods.length === 0 ? 'no pod now' : podsText(matched)
}


/**
 * `describe pod`: the policies that select the pod, its isolation per direction, and per port how many pods
 * may connect to it and how many it may connect to, with the external addresses allowed.
 */
export function renderPodText(v: PodView): string {
  const pod = v.pod
  const lines = [
    field('Pod', podId(pod)),
    field('Labels', formatLabels(pod.labels)),
    field('Addresses', pod.ips.length === 0 ? '(none known: ipBlock peers never match it)' : pod.ips.map((a) => a.text).join(', ')),
    field('Selected by', v.selectedBy.length === 0 ? '(no policy)' : v.selectedBy.map(formatRef).join(', ')),
    field('Ingress', isolationText(v.ingress.by.map(formatRef), 'Ingress', (v.tiers?.ingress.length ?? 0) > 0)),
    field('Egress', isolationText(v.egress.by.map(formatRef), 'Egress', (v.tiers?.egress.length ?? 0) > 0)),
  ]
  if (v.tiers) lines.push(...tierLines(v.tiers))
  if (pod.template) {
    const r = pod.template.replicas ?? 1
    const n = r === 'per-node' ? 'one per node' : count(r, 'replica')
    lines.push(field('Template', `of ${pod.template.kind} ${pod.namespace}/${pod.template.name}, ${n}${r === 1 ? '' : ' (it counts among the pods below: one replica to another)'}`))
  }
  if (pod.hostNetwork) lines.push(field('Note', 'hostNetwork pod: NetworkPolicy enforcement for it is undefined in Kubernetes'))
  lines.push('', `Who may connect to it (of ${count(v.inbound[0]?.considered ?? 0, 'other pod')}):`)
  if (v.inbound.length === 0) lines.push('  no port: the pod declares no container port and its ingress policies name none (use netpol check)')
  else lines.push(...table(v.inbound.map((r) => [`  ${portLabel(r)}`, reachText(r, 'inbound'), `external: ${externalText(r.external)}`])))
  if (v.ingress.by.length > 0 || (v.tiers?.ingress.length ?? 0) > 0) lines.push("  (traffic from the pod's own node is always allowed)")
  lines.push('', 'Whom it may connect to:')
  if (v.outbound.length === 0) lines.push('  no port: no other pod declares a container port and its egress policies name none (use netpol check)')
  else lines.push(...table(v.outbound.map((r) => [`  ${portLabel(r)}`, reachText(r, 'outbound'), `external: ${externalText(r.external)}`])))
  if (v.tiers) lines.push(EXTERNAL_TIERS)
  return lines.join('\n') + '\n'
}

const EXTERNAL_TIERS = '  (external: what the NetworkPolicies admit; cluster policies decide outside addresses too: use netpol check)'

/** The cluster policies per direction, in the order a connection meets them, around the NetworkPolicy tier. */
function tierLines(t: PodTiers): string[] {
  const chain = (es: readonly TierEntry[]) => {
    if (es.length === 0) return 'none'
    const step = (e: TierEntry) => `[${e.tier}] ${formatClusterRef(e.policy)}${e.priority === null ? '' : ` priority ${e.priority}`}`
    return [...es.filter((e) => e.tier === 'Admin').map(step), '[NetworkPolicy]', ...es.filter((e) => e.tier === 'Baseline').map(step)].join(' → ')
  }
  return ['Cluster policies (in evaluation order; the first rule that matches in a tier decides):', `  ingress: ${chain(t.ingress)}`, `  egress:  ${chain(t.egress)}`]
}

function isolationText(by: readonly string[], type: string, tiers = false): string {
  if (by.length > 0) return `isolated by ${by.join(', ')}`
  return `not isolated (no policy with policyType ${type} selects it): ${tiers ? 'the cluster policies below decide, else it is allowed' : 'everything is allowed'}`
}

function portLabel(r: PortReach): string {
  return `${r.port}/${r.protocol}${r.name !== undefined ? ` (${r.name})` : ''}`
}

function reachText(r: PortReach, way: 'inbound' | 'outbound'): string {
  const n = r.allowed.pods.length
  const where = n === 0 ? '' : ` in ${namespacesText(r.allowed.namespaces)}`
  if (way === 'inbound') return `${count(n, 'pod')}${where}`
  if (r.considered === 0) return 'no other pod serves it'
  return `${n} of ${count(r.considered, 'pod')} serving it${where}`
}

export function externalText(e: ExternalView): string {
  if (e.kind === 'any') return 'any address'
  if (e.blocks.length === 0) return 'none'
  return e.blocks.map((b) => `${b.cidr.text}${b.except.length ? ` except ${b.except.map((x) => x.text).join(', ')}` : ''}`).join('; ')
}

/** "3 pods in 2 namespaces (a/x, a/y, b/z)", listing at most a few names. */
export function podsText(set: PodSet): string {
  const n = set.pods.length
  if (n === 0) return 'no pod'
  const names = set.pods.slice(0, SHOWN).map(podId)
  const more = n > SHOWN ? `, and ${n - SHOWN} more` : ''
  return `${count(n, 'pod')} in ${namespacesText(set.namespaces)} (${names.join(', ')}${more})`
}

function namespacesText(namespaces: readonly string[]): string {
  return namespaces.length === 1 ? `namespace ${namespaces[0]}` : `${namespaces.length} namespaces`
}


const cap = (d: Direction) => (d === 'ingress' ? 'Ingress' : 'Egress')

/** Left-aligned columns separated by two spaces; the last column is not padded. */
function table(rows: readonly string[][]): string[] {
  const widths: number[] = []
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)))
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd())
}
