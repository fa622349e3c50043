/**
 * Decoded manifests → one validated, defaulted Cluster. Pure.
 *
 * Every object of every document is parsed and every issue is kept; an object with issues is left out
 * of the cluster, so a caller that needs a faithful model must refuse to go on when `issues` is not empty.
 */
import { comparePods, type Cluster, type Namespace, type Pod, type Service } from './cluster.js'
import type { ManifestDoc } from './documents.js'
import type { LocatedIssue, ModelIssue, ModelNote, ObjectRef, Parsed } from './issues.js'
import { selectorMatches, type LabelSelector } from './label-selector.js'
import { DEFAULT_NAMESPACE, isObject, pathOf, typeName, type Json, type Mutable } from './parse-fields.js'
import { implicitNamespace, parseNamespace } from './parse-namespace.js'
import { isWorkloadKind, parsePod, parseWorkload, podPhase, type Workload } from './parse-pod.js'
import { parsePolicy } from './parse-policy.js'
import { parseService } from './parse-service.js'
import type { NetworkPolicy } from './policy.js'
import type { SourceRef } from './source.js'

export interface BuildResult {
  readonly cluster: Cluster
  readonly notes: ModelNote[]
  readonly issues: LocatedIssue[]
}

/** Phases of pods that have stopped: they hold no address and take no traffic. */
const FINISHED_PHASES: ReadonlySet<string> = new Set(['Succeeded', 'Failed'])

/** An object of a kind netpol reads. */
export type Entry =
  | { readonly kind: 'Namespace'; readonly value: Namespace }
  | { readonly kind: 'Pod'; readonly value: Pod; readonly phase: string | undefined }
  | { readonly kind: 'NetworkPolicy'; readonly value: NetworkPolicy }
  | { readonly kind: 'Service'; readonly value: Service }
  | { readonly kind: 'Workload'; readonly value: Workload }

/**
 * Builds the cluster from decoded documents (see splitDocuments). Later objects replace earlier ones of the
 * same kind, namespace and name (note `duplicate_object`), as applying the files in order would. Never throws.
 */
export function buildCluster(docs: readonly ManifestDoc[]): BuildResult {
  return assembleCluster(docs.map(parseDocument))
}

/** One document parsed on its own, to be assembled with the others by `assembleCluster`. */
export interface ParsedDocument {
  readonly issues: readonly LocatedIssue[]
  /** `unknown_kind_skipped` */
  readonly skipped?: ModelNote
  /** kind, namespace and name, when the object has a name */
  readonly ref?: ObjectRef & { readonly name: string }
  /** the object; null when it has issues */
  readonly entry: Entry | null
}

const NO_ISSUES: readonly LocatedIssue[] = Object.freeze([])

/**
 * Parses one decoded document into what the cluster needs of it, so that the decoded value can be dropped
 * at once (see JsonDocumentStream). Never throws.
 */
export function parseDocument(d: ManifestDoc): ParsedDocument {
  const v = d.value
  if (!isObject(v)) {
    return { issues: [{ file: d.file, doc: d.doc, issue: { code: 'not_an_object', path: d.pathPrefix, expected: 'a Kubernetes object', got: typeName(v) } }], entry: null }
  }
  const issues: LocatedIssue[] = []
  const ref = readHead(v, d, issues)
  if (!ref) return { issues, entry: null }
  const parsed = parseEntry(ref.kind, v, d)
  if (parsed === undefined) return { issues: NO_ISSUES, skipped: { code: 'unknown_kind_skipped', kind: ref.kind, name: ref.name ?? '' }, entry: null }
  if (!parsed.ok) for (const issue of parsed.issues) issues.push({ file: d.file, doc: d.doc, object: ref, issue })
  const entry = parsed.ok ? parsed.value : null
  const named = ref.name === undefined ? {} : { ref: ref as ObjectRef & { name: string } }
  return { issues: issues.length === 0 ? NO_ISSUES : issues, ...named, entry }
}

/** The cluster of parsed documents, taken in order (see buildCluster). Never throws. */
export function assembleCluster(parsedDocs: Iterable<ParsedDocument>): BuildResult {
  const notes: ModelNote[] = []
  const issues: LocatedIssue[] = []
  // identity → the last object with that identity; null when the last one was invalid
  const objects = new Map<string, Entry | null>()

  for (const p of parsedDocs) {
    for (const issue of p.issues) issues.push(issue)
    if (p.skipped) notes.push(p.skipped)
    const ref = p.ref
    if (ref === undefined) continue
    const id = `${ref.kind}\u0000${ref.namespace ?? ''}\u0000${ref.name}`
    if (objects.has(id)) {
      notes.push({ code: 'duplicate_object', kind: ref.kind, namespace: ref.namespace ?? '', name: ref.name })
      objects.delete(id) // keep the input order of the last occurrence
    }
    objects.set(id, p.entry)
  }

  const namespaces = new Map<string, Namespace>()
  const pods: Pod[] = []
  const workloads: Workload[] = []
  const policies: NetworkPolicy[] = []
  const services: Service[] = []
  for (const e of objects.values()) {
    if (e === null) continue
    switch (e.kind) {
      case 'Namespace':
        namespaces.set(e.value.name, e.value)
        break
      case 'Pod':
        if (e.phase !== undefined && FINISHED_PHASES.has(e.phase)) {
          notes.push({ code: 'pod_not_running_skipped', namespace: e.value.namespace, name: e.value.name, phase: e.phase })
        } else pods.push(e.value)
        break
      case 'NetworkPolicy':
        policies.push(e.value)
        break
      case 'Service':
        services.push(e.value)
        break
      case 'Workload':
        workloads.push(e.value)
        break
    }
  }

  const allPods = [...pods, ...templatePods(pods, workloads, notes)].sort(comparePods)
  policies.sort(byNamespaceThenName)
  services.sort(byNamespaceThenName)
  addImplicitNamespaces(namespaces, allPods, policies, services, notes)
  const sortedNamespaces = new Map([...namespaces].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  return { cluster: { namespaces: sortedNamespaces, pods: allPods, policies, services }, notes, issues }
}

/** Parses an object of a kind netpol reads; undefined for any other kind. */
function parseEntry(kind: string, v: Json, d: ManifestDoc): Parsed<Entry> | undefined {
  const source: SourceRef = { file: d.file, doc: d.doc }
  switch (kind) {
    case 'Namespace': {
      const r = parseNamespace(v, d.pathPrefix, source)
      return r.ok ? { ok: true, value: { kind: 'Namespace', value: r.value } } : r
    }
    case 'Pod': {
      const r = parsePod(v, d.pathPrefix, source)
      return r.ok ? { ok: true, value: { kind: 'Pod', value: r.value, phase: podPhase(v) } } : r
    }
    case 'NetworkPolicy': {
      const r = parsePolicy(v, d.pathPrefix, source)
      return r.ok ? { ok: true, value: { kind: 'NetworkPolicy', value: r.value } } : r
    }
    case 'Service': {
      const r = parseService(v, d.pathPrefix, source)
      return r.ok ? { ok: true, value: { kind: 'Service', value: r.value } } : r
    }
    default: {
      if (!isWorkloadKind(kind)) return undefined
      const r = parseWorkload(v, d.pathPrefix, source)
      return r.ok ? { ok: true, value: { kind: 'Workload', value: r.value } } : r
    }
  }
}

const NAMESPACED_KINDS: ReadonlySet<string> = new Set(['Pod', 'NetworkPolicy', 'Service'])

/**
 * Checks kind and apiVersion before anything else (recording issues in `issues`) and reads the object's
 * identity as far as it can be read. Undefined when the object cannot be parsed further.
 */
function readHead(v: Json, d: ManifestDoc, issues: LocatedIssue[]): ObjectRef | undefined {
  const kind = v.kind
  const apiVersion = v.apiVersion
  const problems: ModelIssue[] = []
  if (kind === undefined || kind === null || kind === '') problems.push({ code: 'required', path: pathOf(d.pathPrefix, 'kind'), expected: 'the object kind, e.g. NetworkPolicy' })
  else if (typeof kind !== 'string') problems.push({ code: 'wrong_type', path: pathOf(d.pathPrefix, 'kind'), expected: 'string', got: typeName(kind) })
  if (apiVersion === undefined || apiVersion === null || apiVersion === '') problems.push({ code: 'required', path: pathOf(d.pathPrefix, 'apiVersion'), expected: 'the API version, e.g. networking.k8s.io/v1' })
  else if (typeof apiVersion !== 'string') problems.push({ code: 'wrong_type', path: pathOf(d.pathPrefix, 'apiVersion'), expected: 'string', got: typeName(apiVersion) })
  let ref: ObjectRef | undefined
  if (typeof kind === 'string' && kind !== '') {
    const meta = isObject(v.metadata) ? v.metadata : undefined
    const r: Mutable<ObjectRef> = { kind }
    if (NAMESPACED_KINDS.has(kind) || isWorkloadKind(kind)) r.namespace = typeof meta?.namespace === 'string' && meta.namespace !== '' ? meta.namespace : DEFAULT_NAMESPACE
    if (typeof meta?.name === 'string' && meta.name !== '') r.name = meta.name
    ref = r
  }
  if (problems.length === 0) return ref
  for (const issue of problems) issues.push(ref ? { file: d.file, doc: d.doc, object: ref, issue } : { file: d.file, doc: d.doc, issue })
  return undefined
}

function byNamespaceThenName(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

/**
 * The pods that workload templates stand for. A template is left out when real pods of its namespace
 * match its selector: they already show what the workload runs (note `template_skipped_pods_present`).
 * A template whose name is taken by another pod of its namespace, or by another template, is renamed
 * `<name>-<kind in lowercase>`.
 */
function templatePods(pods: readonly Pod[], workloads: readonly Workload[], notes: ModelNote[]): Pod[] {
  if (workloads.length === 0) return []
  const index = new PodLabelIndex(pods, workloads)
  const kept: Workload[] = []
  for (const w of workloads) {
    if (index.anyMatches(w.namespace, w.selector)) {
      notes.push({ code: 'template_skipped_pods_present', kind: w.kind, namespace: w.namespace, name: w.name })
    } else kept.push(w)
  }
  // names taken per namespace, only for the namespaces that get templates
  const taken = new Map<string, Set<string>>()
  const templateCount = new Map<string, Map<string, number>>()
  for (const w of kept) {
    if (!taken.has(w.namespace)) {
      taken.set(w.namespace, new Set())
      templateCount.set(w.namespace, new Map())
    }
    const counts = templateCount.get(w.namespace)!
    counts.set(w.name, (counts.get(w.name) ?? 0) + 1)
  }
  for (const p of pods) taken.get(p.namespace)?.add(p.name)
  const out: Pod[] = []
  for (const w of kept) {
    const names = taken.get(w.namespace)!
    let name = w.name
    if (names.has(name) || templateCount.get(w.namespace)!.get(name)! > 1) {
      const base = `${w.name}-${w.kind.toLowerCase()}`
      name = base
      for (let n = 2; names.has(name); n++) name = `${base}-${n}`
    }
    names.add(name)
    out.push(name === w.pod.name ? w.pod : { ...w.pod, name })
  }
  return out
}

/**
 * Real pods of the namespaces that have workloads, by label value for the keys workload selectors test
 * with `In`, so that finding whether any pod matches a selector looks only at the pods carrying one of
 * the values of its narrowest `In` requirement.
 */
class PodLabelIndex {
  private readonly byNamespace = new Map<string, { all: Pod[]; byKey: Map<string, Map<string, Pod[]>> }>()

  constructor(pods: readonly Pod[], workloads: readonly Workload[]) {
    const keys = new Set<string>()
    for (const w of workloads) {
      if (!this.byNamespace.has(w.namespace)) this.byNamespace.set(w.namespace, { all: [], byKey: new Map() })
      for (const r of w.selector.requirements) if (r.operator === 'In') keys.add(r.key)
    }
    for (const p of pods) {
      const ns = this.byNamespace.get(p.namespace)
      if (!ns) continue
      ns.all.push(p)
      for (const k in p.labels) {
        if (!keys.has(k)) continue
        let byValue = ns.byKey.get(k)
        if (!byValue) ns.byKey.set(k, (byValue = new Map()))
        const v = p.labels[k]!
        const list = byValue.get(v)
        if (list) list.push(p)
        else byValue.set(v, [p])
      }
    }
  }

  /** An empty selector matches nothing here: the API server refuses empty workload selectors. */
  anyMatches(namespace: string, selector: LabelSelector): boolean {
    const ns = this.byNamespace.get(namespace)
    if (!ns || selector.requirements.length === 0) return false
    let candidates: readonly Pod[][] = [ns.all]
    let size = ns.all.length
    for (const r of selector.requirements) {
      if (r.operator !== 'In') continue
      const byValue = ns.byKey.get(r.key)
      const lists: Pod[][] = []
      let n = 0
      for (const v of r.values) {
        const list = byValue?.get(v)
        if (list) {
          lists.push(list)
          n += list.length
        }
      }
      if (n < size) {
        candidates = lists
        size = n
      }
    }
    for (const list of candidates) for (const p of list) if (selectorMatches(selector, p.labels)) return true
    return false
  }
}

/**
 * Every namespace a pod, policy or service lives in exists: the ones never declared are created as the
 * API server would show them (with their name label) and marked implicit (note `namespace_created`).
 */
function addImplicitNamespaces(
  namespaces: Map<string, Namespace>,
  pods: readonly Pod[],
  policies: readonly NetworkPolicy[],
  services: readonly Service[],
  notes: ModelNote[],
): void {
  const add = (ns: string, kind: string, name: string) => {
    if (namespaces.has(ns)) return
    namespaces.set(ns, implicitNamespace(ns))
    notes.push({ code: 'namespace_created', namespace: ns, referencedBy: `${kind} ${ns}/${name}` })
  }
  for (const p of pods) add(p.namespace, p.template ? p.template.kind : 'Pod', p.template ? p.template.name : p.name)
  for (const p of policies) add(p.namespace, 'NetworkPolicy', p.name)
  for (const s of services) add(s.namespace, 'Service', s.name)
}
