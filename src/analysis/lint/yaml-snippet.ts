import type { LabelSelector, Requirement } from '../../model/label-selector.js'
import type { Peer } from '../../model/policy.js'
import type { Labels } from '../../model/labels.js'

/** Snippets for fixes, written by hand so they read as a person would write them (flow style for selectors). */

const PLAIN = /^[A-Za-z_][A-Za-z0-9_.\/-]*$/
const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i

/** A string as a YAML scalar: plain when that reads back as the same string, double-quoted otherwise. */
export function yamlScalar(s: string): string {
  return PLAIN.test(s) && !RESERVED.test(s) ? s : JSON.stringify(s)
}

const flowMap = (entries: readonly [string, string][]) => `{${entries.map(([k, v]) => `${yamlScalar(k)}: ${v}`).join(', ')}}`

export function labelsFlow(labels: Labels): string {
  return flowMap(Object.keys(labels).sort().map((k) => [k, yamlScalar(labels[k]!)]))
}

function requirementFlow(r: Requirement): string {
  const entries: [string, string][] = [['key', yamlScalar(r.key)], ['operator', r.operator]]
  if (r.operator === 'In' || r.operator === 'NotIn') entries.push(['values', `[${r.values.map(yamlScalar).join(', ')}]`])
  return flowMap(entries)
}

/**
 * A selector in flow style: `{}`, `{matchLabels: {app: web}}`, or with matchExpressions. Requirements that came
 * from matchLabels go back there; an `In` with one value is written as a label when `preferLabels` is set.
 */
export function selectorFlow(sel: LabelSelector, preferLabels = true): string {
  const labels: [string, string][] = []
  const exprs: string[] = []
  for (const r of sel.requirements) {
    if (r.operator === 'In' && r.values.length === 1 && (r.fromMatchLabels || preferLabels)) labels.push([r.key, yamlScalar(r.values[0]!)])
    else exprs.push(requirementFlow(r))
  }
  const entries: [string, string][] = []
  if (labels.length > 0) entries.push(['matchLabels', flowMap(labels)])
  if (exprs.length > 0) entries.push(['matchExpressions', `[${exprs.join(', ')}]`])
  return flowMap(entries)
}

/** One list entry of `from`/`to`, as lines (`- podSelector: ...` and its continuation). */
export function peerLines(peer: Peer): string[] {
  if (peer.kind === 'ipBlock') {
    const b = peer.block
    const lines = ['- ipBlock:', `    cidr: ${b.cidr.text}`]
    if (b.except.length > 0) lines.push(`    except: [${b.except.map((e) => e.text).join(', ')}]`)
    return lines
  }
  const lines: string[] = []
  if (peer.namespaces.kind === 'selector') lines.push(`namespaceSelector: ${selectorFlow(peer.namespaces.selector)}`)
  if (peer.namespaces.kind === 'own' || peer.written.podSelector) lines.push(`podSelector: ${selectorFlow(peer.podSelector)}`)
  return lines.map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`))
}

export const indent = (lines: readonly string[], by: number): string[] => lines.map((l) => ' '.repeat(by) + l)

export interface PolicySnippet {
  readonly name: string
  readonly namespace: string
  /** flow text, e.g. `{}` or `{matchLabels: {app: web}}` */
  readonly podSelector: string
  readonly policyTypes: readonly ('Ingress' | 'Egress')[]
  /** the rules of each direction as YAML list lines (`- from: ...`); omitted → no key */
  readonly ingress?: readonly string[]
  readonly egress?: readonly string[]
}

/** A complete NetworkPolicy manifest. */
export function policyYaml(p: PolicySnippet): string {
  const lines = [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    `  name: ${yamlScalar(p.name)}`,
    `  namespace: ${yamlScalar(p.namespace)}`,
    'spec:',
    `  podSelector: ${p.podSelector}`,
    `  policyTypes: [${p.policyTypes.join(', ')}]`,
  ]
  if (p.ingress) lines.push(...(p.ingress.length === 0 ? ['  ingress: []'] : ['  ingress:', ...indent(p.ingress, 2)]))
  if (p.egress) lines.push(...(p.egress.length === 0 ? ['  egress: []'] : ['  egress:', ...indent(p.egress, 2)]))
  return lines.join('\n') + '\n'
}
