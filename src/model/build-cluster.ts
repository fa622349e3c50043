/**
 * Decoded manifests → one validated, defaulted Cluster. Pure.
 *
 * Every object of every document is parsed and every issue is kept; an object with issues is left out
 * of the cluster, so a caller that needs a faithful model must refuse to go on when `issues` is not empty.
 */
import { comparePods, type Cluster, type Namespace, type Pod, type Service } from './cluster.js'
import type { ManifestDoc } from './documents.js'
import { InternalError, type LocatedIssue, type ModelIssue, type ModelNote, type ObjectRef, type Parsed } from './issues.js'
import { classifyKind, SERVED_KINDS } from './api-kinds.js'
import { DEFAULT_NAMESPACE, generatedName, isObject, pathOf, typeName, type Json, type Mutable } from './parse-fields.js'
import { implicitNamespace, NAMESPACE_NAME_LABEL, parseNamespace } from './parse-namespace.js'
import { readControllerOwner, readUid, type OwnerRef } from './parse-owner.js'
import { isWorkloadKind, parsePod, parseWorkload, podPhase, type Workload } from './parse-pod.js'
import { parsePolicy } from './parse-policy.js'
import { parseService } from './parse-service.js'
import { isClusterPolicyKind, parseClusterPolicy } from './parse-cluster-policy.js'
import { parseNode } from './parse-node.js'
import { compareNodes, sortClusterPolicies, type ClusterPolicy, type Node } from './cluster-policy.js'
import type { NetworkPolicy } from './policy.js'
import type { Origin, SourceRef } from './source.js'
import { workloadPods, type PodEntry } from './workload-pods.js'

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
  | { readonly kind: 'Pod'; readonly value: Pod; readonly phase: string | undefined; readonly owner?: OwnerRef; readonly live: boolean }
  | { readonly kind: 'NetworkPolicy'; readonly value: NetworkPolicy }
  | { readonly kind: 'Service'; readonly value: Service }
  | { readonly kind: 'Workload'; readonly value: Workload }
  /** a ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy (cluster-scoped) */
  | { readonly kind: 'ClusterPolicy'; readonly value: ClusterPolicy }
  | { readonly kind: 'Node'; readonly value: Node }

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
  /** metadata.generateName, when the name was made from it */
  readonly generateName?: string
  /** the object; null when it has issues */
  readonly entry: Entry | null
}

const NO_ISSUES: readonly LocatedIssue[] = Object.freeze([])

/** The source of an object: where(d), and its path in the document when it is an item of a List. */
function sourceOf(d: ManifestDoc): SourceRef {
  if (d.pathPrefix.length === 0) return where(d)
  return d.origin === undefined ? { file: d.file, doc: d.doc, at: d.pathPrefix } : { file: d.file, doc: d.doc, origin: d.origin, at: d.pathPrefix }
}

/** file, document and (when not a file on disk) origin of a document, as issues and sources carry them */
const where = (d: ManifestDoc): { file: string; doc: number; origin?: Origin } => (d.origin === undefined ? { file: d.file, doc: d.doc } : { file: d.file, doc: d.doc, origin: d.origin })

/**
 * Parses one decoded document into what the cluster needs of it, so that the decoded value can be dropped
 * at once (see JsonDocumentStream). Never throws.
 */
export function parseDocument(d: ManifestDoc): ParsedDocument {
  const v = d.value
  if (!isObject(v)) {
    return { issues: [{ ...where(d), issue: { code: 'not_an_object', path: d.pathPrefix, expected: 'a Kubernetes object', got: typeName(v) } }], entry: null }
  }
  const issues: LocatedIssue[] = []
  const head = readHead(v, d, issues)
  if (!head) return { issues, entry: null }
  const ref = head.ref
  const parsed = head.read ? parseEntry(ref.kind, v, d) : undefined
  if (parsed === undefined) {
    const skipped: ModelNote = { code: 'unknown_kind_skipped', kind: ref.kind, name: ref.name ?? '' }
    // a custom resource that shares a name with a kind netpol reads (Calico's NetworkPolicy) says which it is
    return { issues: NO_ISSUES, skipped: SERVED_KINDS[ref.kind] ? { ...skipped, apiVersion: String(v.apiVersion) } : skipped, entry: null }
  }
  if (!parsed.ok) for (const issue of parsed.issues) issues.push({ ...where(d), object: ref, issue })
  const entry = parsed.ok ? parsed.value : null
  const named = ref.name === undefined ? {} : { ref: ref as ObjectRef & { name: string } }
  const generated = head.generateName === undefined ? {} : { generateName: head.generateName }
  return { issues: issues.length === 0 ? NO_ISSUES : issues, ...named, ...generated, entry }
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
    let ref = p.ref
    if (ref === undefined) continue
    let entry = p.entry
    const idOf = (r: ObjectRef & { name: string }) => `${r.kind}\u0000${r.namespace ?? ''}\u0000${r.name}`
    if (p.generateName !== undefined) {
      // Each object with a generateName is a new object: an identical copy gets a name of its own.
      for (let salt = 1; objects.has(idOf(ref)); salt++) {
        const name = generatedName(p.generateName, ref.name, salt)
        ref = { ...ref, name }
        entry = entry && renamed(entry, name)
      }
      notes.push({ code: 'generated_name', kind: ref.kind, namespace: ref.namespace ?? '', generateName: p.generateName, name: ref.name })
    }
    const id = idOf(ref)
    if (objects.has(id)) {
      notes.push({ code: 'duplicate_object', kind: ref.kind, namespace: ref.namespace ?? '', name: ref.name })
      objects.delete(id) // keep the input order of the last occurrence
    }
    objects.set(id, entry)
  }

  const namespaces = new Map<string, Namespace>()
  const pods: PodEntry[] = []
  let livePods = false
  const workloads: Workload[] = []
  const policies: NetworkPolicy[] = []
  const services: Service[] = []
  const clusterPolicies: ClusterPolicy[] = []
  const nodes: Node[] = []
  for (const e of objects.values()) {
    if (e === null) continue
    switch (e.kind) {
      case 'Namespace':
        namespaces.set(e.value.name, e.value)
        break
      case 'Pod':
        if (e.live) livePods = true
        if (e.phase !== undefined && FINISHED_PHASES.has(e.phase)) {
          notes.push({ code: 'pod_not_running_skipped', namespace: e.value.namespace, name: e.value.name, phase: e.phase })
        } else pods.push(e.owner ? { pod: e.value, owner: e.owner } : { pod: e.value })
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
      case 'ClusterPolicy':
        clusterPolicies.push(e.value)
        break
      case 'Node':
        nodes.push(e.value)
        break
      default:
        return unreachable(e)
    }
  }

  const wp = workloadPods(pods, workloads, livePods, notes)
  const allPods = [...wp.pods, ...wp.templates].sort(comparePods)
  policies.sort(byNamespaceThenName)
  services.sort(byNamespaceThenName)
  addImplicitNamespaces(namespaces, allPods, policies, services, notes)
  const sortedNamespaces = new Map([...namespaces].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  return { cluster: { namespaces: sortedNamespaces, pods: allPods, policies, services, clusterPolicies: sortClusterPolicies(clusterPolicies), nodes: nodes.sort(compareNodes) }, notes, issues }
}

/** The same object under another name (for a second copy of an object named from its generateName). */
function renamed(e: Entry, name: string): Entry {
  switch (e.kind) {
    case 'Namespace':
      return { kind: e.kind, value: { ...e.value, name, labels: { ...e.value.labels, [NAMESPACE_NAME_LABEL]: name } } }
    case 'Pod':
      return { ...e, value: { ...e.value, name } }
    case 'NetworkPolicy':
      return { kind: e.kind, value: { ...e.value, name } }
    case 'Service':
      return { kind: e.kind, value: { ...e.value, name } }
    case 'Workload':
      return { kind: e.kind, value: { ...e.value, name, pod: { ...e.value.pod, name, template: { kind: e.value.kind, name } } } }
    case 'ClusterPolicy':
      return { kind: e.kind, value: { ...e.value, name } }
    case 'Node':
      return { kind: e.kind, value: { ...e.value, name } }
  }
}

/** Makes a switch over Entry exhaustive: a new kind of entry without its case does not compile. */
function unreachable(e: never): never {
  throw new InternalError(`unhandled entry ${JSON.stringify((e as { kind?: unknown }).kind)}`)
}

/** Parses an object of a kind netpol reads; undefined for any other kind. */
function parseEntry(kind: string, v: Json, d: ManifestDoc): Parsed<Entry> | undefined {
  const source: SourceRef = sourceOf(d)
  switch (kind) {
    case 'Namespace': {
      const r = parseNamespace(v, d.pathPrefix, source)
      return r.ok ? { ok: true, value: { kind: 'Namespace', value: r.value } } : r
    }
    case 'Pod': {
      const r = parsePod(v, d.pathPrefix, source)
      const issues: ModelIssue[] = r.ok ? [] : [...r.issues]
      const owner = readControllerOwner(v, d.pathPrefix, issues)
      if (!r.ok || issues.length > 0) return { ok: false, issues }
      const entry: Mutable<Extract<Entry, { kind: 'Pod' }>> = { kind: 'Pod', value: r.value, phase: podPhase(v), live: readUid(v) !== undefined }
      if (owner) entry.owner = owner
      return { ok: true, value: entry }
    }
    case 'NetworkPolicy': {
      const r = parsePolicy(v, d.pathPrefix, source)
      return r.ok ? { ok: true, value: { kind: 'NetworkPolicy', value: r.value } } : r
    }
    case 'Service': {
      const r = parseService(v, d.pathPrefix, source)
      return r.ok ? { ok: true, value: { kind: 'Service', value: r.value } } : r
    }
    case 'Node': {
      const r = parseNode(v, d.pathPrefix, source)
      return r.ok ? { ok: true, value: { kind: 'Node', value: r.value } } : r
    }
    default: {
      if (isClusterPolicyKind(kind)) {
        const r = parseClusterPolicy(kind, v, d.pathPrefix, source)
        return r.ok ? { ok: true, value: { kind: 'ClusterPolicy', value: r.value } } : r
      }
      if (!isWorkloadKind(kind)) return undefined
      const r = parseWorkload(v, d.pathPrefix, source)
      return r.ok ? { ok: true, value: { kind: 'Workload', value: r.value } } : r
    }
  }
}

const NAMESPACED_KINDS: ReadonlySet<string> = new Set(['Pod', 'NetworkPolicy', 'Service'])

/**
 * Checks kind and apiVersion before anything else (recording issues in `issues`) and reads the object's
 * identity as far as it can be read. Undefined when the object cannot be parsed further; `read` is false for
 * a kind netpol does not read. A kind netpol reads at an apiVersion no API server serves, or a mis-cased or
 * misspelt one of them in a Kubernetes API group, is an error, as `kubectl apply` makes it.
 */
function readHead(v: Json, d: ManifestDoc, issues: LocatedIssue[]): { ref: ObjectRef; read: boolean; generateName?: string } | undefined {
  const kind = v.kind
  const apiVersion = v.apiVersion
  const problems: ModelIssue[] = []
  if (kind === undefined || kind === null || kind === '') problems.push({ code: 'required', path: pathOf(d.pathPrefix, 'kind'), expected: 'the object kind, e.g. NetworkPolicy' })
  else if (typeof kind !== 'string') problems.push({ code: 'wrong_type', path: pathOf(d.pathPrefix, 'kind'), expected: 'string', got: typeName(kind) })
  if (apiVersion === undefined || apiVersion === null || apiVersion === '') problems.push({ code: 'required', path: pathOf(d.pathPrefix, 'apiVersion'), expected: 'the API version, e.g. networking.k8s.io/v1' })
  else if (typeof apiVersion !== 'string') problems.push({ code: 'wrong_type', path: pathOf(d.pathPrefix, 'apiVersion'), expected: 'string', got: typeName(apiVersion) })
  const verdict = problems.length === 0 && typeof kind === 'string' && typeof apiVersion === 'string' ? classifyKind(apiVersion, kind) : undefined
  let ref: ObjectRef | undefined
  let generateName: string | undefined
  if (typeof kind === 'string' && kind !== '') {
    const meta = isObject(v.metadata) ? v.metadata : undefined
    const r: Mutable<ObjectRef> = { kind }
    // a misspelt kind is shown with the namespace of the kind it was meant to be
    const meant = verdict?.is === 'misspelt' ? verdict.suggestion : verdict?.is === 'other' ? '' : kind
    if (NAMESPACED_KINDS.has(meant) || isWorkloadKind(meant)) r.namespace = typeof meta?.namespace === 'string' && meta.namespace !== '' ? meta.namespace : DEFAULT_NAMESPACE
    if (typeof meta?.name === 'string' && meta.name !== '') r.name = meta.name
    else if ((meta?.name === undefined || meta.name === null || meta.name === '') && typeof meta?.generateName === 'string' && meta.generateName !== '') {
      generateName = meta.generateName
      r.name = generatedName(generateName, v)
    }
    ref = r
  }
  let read = true
  if (verdict !== undefined && typeof kind === 'string' && typeof apiVersion === 'string') {
    if (verdict.is === 'other') read = false
    else if (verdict.is === 'unserved') problems.push({ code: 'unserved_api_version', path: pathOf(d.pathPrefix, 'apiVersion'), apiVersion, kind, served: verdict.served, removed: verdict.removed })
    else if (verdict.is === 'misspelt') problems.push({ code: 'unknown_kind', path: pathOf(d.pathPrefix, 'kind'), kind, apiVersion, suggestion: verdict.suggestion, served: verdict.served })
  }
  if (problems.length === 0) return ref && { ref, read, ...(generateName === undefined ? {} : { generateName }) }
  for (const issue of problems) issues.push(ref ? { ...where(d), object: ref, issue } : { ...where(d), issue })
  return undefined
}

function byNamespaceThenName(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0
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
