import type { Namespace, Pod, Service } from '../../model/cluster.js'
import type { Path } from '../../model/issues.js'
import type { NetworkPolicy } from '../../model/policy.js'
import type { SourceRef } from '../../model/source.js'

/** How much a finding matters. Only `error` makes `netpol lint` exit 1. */
export type Severity = 'error' | 'warning' | 'info'
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info']
/** Higher is more severe; used by --min-severity. */
export const severityRank = (s: Severity): number => 2 - SEVERITIES.indexOf(s)

/**
 * One piece of a message. Plain text, a literal the user would type (`app=web`, a port, a CIDR), or the
 * name of an object (`shop/web`). Renderers decide how each looks; the words stay the same everywhere.
 */
export type Part = string | { readonly code: string } | { readonly ref: string }

export const code = (s: string | number): Part => ({ code: String(s) })
export const ref = (s: string): Part => ({ ref: s })

/**
 * Builds parts from a template: `msg\`no pod has ${code('app=web')}\``. Interpolated arrays of parts are
 * spliced in; numbers become text.
 */
export function msg(strings: TemplateStringsArray, ...values: (Part | number | readonly Part[])[]): Part[] {
  const out: Part[] = []
  strings.forEach((s, i) => {
    if (s !== '') out.push(s)
    if (i >= values.length) return
    const v = values[i]!
    if (typeof v === 'number') out.push(String(v))
    else if (Array.isArray(v)) out.push(...(v as readonly Part[]))
    else out.push(v as Part)
  })
  return out
}

/** Parts as plain text (JSON, SARIF, uncolored terminals). */
export function partsText(parts: readonly Part[]): string {
  let text = texts.get(parts)
  if (text === undefined) {
    text = ''
    for (const p of parts) text += typeof p === 'string' ? p : 'code' in p ? p.code : p.ref
    texts.set(parts, text)
  }
  return text
}
/** the text of parts shared by several findings (a long message said of many objects) is made once */
const texts = new WeakMap<readonly Part[], string>()

/** `a, b and c`, each item already made of parts. */
export function joinParts(items: readonly (readonly Part[])[], last = 'and'): Part[] {
  const out: Part[] = []
  items.forEach((item, i) => {
    if (i > 0) out.push(i === items.length - 1 ? ` ${last} ` : ', ')
    out.push(...item)
  })
  return out
}

/** Up to `max` names as refs, then "and N more". */
export function refList(names: readonly string[], max = 3): Part[] {
  const shown = names.slice(0, max).map((n) => [ref(n)])
  if (names.length > max) shown.push([`${names.length - max} more`])
  return joinParts(shown)
}

/** refList of the pods' names (see podName), naming only the ones shown; `total`: how many there are when `pods` holds only the first ones. */
export function podList(pods: readonly Pod[], max = 3, total = pods.length): Part[] {
  const shown = pods.slice(0, max).map((p) => [ref(podName(p))])
  if (total > max) shown.push([`${total - max} more`])
  return joinParts(shown)
}

/** `1 pod`, `3 pods` */
export const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/** The object a finding is about, as the user knows it. */
export interface LintObject {
  /** NetworkPolicy, Namespace, Pod, Service, or a workload kind for a pod template (Deployment, ...) */
  readonly kind: string
  readonly namespace?: string
  readonly name: string
  readonly source?: SourceRef
}

/** `NetworkPolicy shop/allow-web`, `Namespace shop` */
export function formatObject(o: LintObject): string {
  return `${o.kind} ${o.namespace === undefined ? o.name : `${o.namespace}/${o.name}`}`
}

export const objectKey = (o: LintObject): string => formatObject(o)

export function policyObject(p: NetworkPolicy): LintObject {
  return { kind: 'NetworkPolicy', namespace: p.namespace, name: p.name, ...(p.source ? { source: p.source } : {}) }
}

/** A pod, or the workload whose template it stands for. */
export function podObject(p: Pod): LintObject {
  const name = p.template?.name ?? p.name
  return { kind: p.template?.kind ?? 'Pod', namespace: p.namespace, name, ...(p.source ? { source: p.source } : {}) }
}

/** A namespace; with its source when the Namespace object is in the input, so findings on it have a file and line. */
export function namespaceObject(ns: Namespace | string): LintObject {
  if (typeof ns === 'string') return { kind: 'Namespace', name: ns }
  return { kind: 'Namespace', name: ns.name, ...(ns.source ? { source: ns.source } : {}) }
}

export function serviceObject(s: Service): LintObject {
  return { kind: 'Service', namespace: s.namespace, name: s.name, ...(s.source ? { source: s.source } : {}) }
}

/** How to resolve a finding: what to do, and a YAML snippet when one helps. */
export interface Fix {
  readonly text: readonly Part[]
  readonly yaml?: string
}

/** Another object a finding points at (the rule that covers a redundant one, the earlier duplicate). */
export interface RelatedObject {
  readonly object: LintObject
  readonly path: Path
}

/** What a check reports, before the runner stamps its id and the configured severity. */
export interface Draft {
  readonly object: LintObject
  /** field path inside the object; `[]` for the object as a whole */
  readonly path: Path
  readonly message: readonly Part[]
  readonly fix?: Fix
  readonly related?: readonly RelatedObject[]
}

/** A check's result on one object: data only; text is made by the renderers. */
export interface Finding extends Draft {
  readonly id: string
  readonly slug: string
  readonly severity: Severity
  /** where `path` sits in `object.source.file`, when the caller looked it up (checks never set it) */
  readonly location?: { readonly line: number; readonly column: number }
  /** set on the findings of LintResult.suppressed only: how the user suppressed it, and why when the config says */
  readonly suppressed?: { readonly by: 'annotation' | 'config'; readonly reason?: string }
}

/** Why a check could not run on this input (e.g. no DNS pods to check against). */
export interface Skipped {
  readonly id: string
  readonly slug: string
  readonly reason: readonly Part[]
}

/** Pod names for messages: `ns/name`, or `Deployment ns/name` for a template. */
export function podName(p: Pod): string {
  return p.template ? `${p.template.kind} ${p.namespace}/${p.template.name}` : `${p.namespace}/${p.name}`
}

/** Where a pod's labels are written: the pod's metadata, or its workload's pod template. */
export function podLabelsPath(p: Pod): Path {
  if (!p.template) return ['metadata', 'labels']
  if (p.template.kind === 'CronJob') return ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels']
  return ['spec', 'template', 'metadata', 'labels']
}
