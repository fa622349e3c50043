/**
 * A live cluster as a source of manifests: every object of the kinds the model is built from, in every
 * namespace (the analysis needs every namespace's labels and every pod a policy can select), built into the
 * same LoadResult that loadManifests gives for files. Each object's origin, in place of file:line, is
 * `cluster CONTEXT: Kind NS/NAME` (the `file` of its ManifestDoc and of the model's SourceRef), so an issue
 * reads `cluster prod: NetworkPolicy shop/web: spec.ingress[0]…: …` through formatIssue (an issue's `file` is
 * `cluster CONTEXT` and its `object` names the object). Lines and columns do not apply.
 */
import { assembleCluster, parseDocument, type BuildResult, type ParsedDocument } from '../../model/build-cluster.js'
import type { ManifestDoc } from '../../model/documents.js'
import type { KubeClient } from './kube-client.js'
import { ok, type KubeResult } from './kube-error.js'
import { originOf, type KubeObject } from './kube-object.js'
import { listAll } from './list-all.js'
import { absenceOf, kindServed, type Absence } from './discovery.js'
import { MODEL_KINDS, OPTIONAL_KINDS, type KindName } from './resources.js'

export interface LoadClusterOptions {
  /** list page size (default 500) */
  readonly limit?: number
  /** objects read so far, all kinds together (for a progress line) */
  readonly onProgress?: (read: number) => void
}

/** What loadCluster read: the build (as loadManifests returns for files), and the list resourceVersion of each kind. */
export interface LiveLoadResult extends BuildResult {
  readonly context: string
  /** kind → the resourceVersion its list was read at (a watch from there misses nothing) */
  readonly resourceVersions: Readonly<Partial<Record<KindName, string>>>
  /** how many objects were read */
  readonly objects: number
  /** the optional kinds left out (see ListedCluster) */
  readonly absent: readonly Absence[]
}

/** Every object of the kinds the model is built from, as listed, and the list resourceVersion of each kind. */
export interface ListedCluster {
  readonly context: string
  readonly objects: readonly KubeObject[]
  readonly resourceVersions: Readonly<Partial<Record<KindName, string>>>
  /** the optional kinds left out: not served (no CRD), or Node when RBAC forbids listing nodes */
  readonly absent: readonly Absence[]
}

/**
 * Lists every kind of MODEL_KINDS at cluster scope (in parallel), and of OPTIONAL_KINDS those the cluster serves
 * (see kindServed), without building anything: the CLI hands the objects to the one loader of every source
 * (io/load-manifests.ts). The first error of any list is the result (a partial cluster would give wrong
 * answers), but for Node forbidden by RBAC, which is left out (see absenceOf). Never throws.
 */
export async function listCluster(client: KubeClient, opts: LoadClusterOptions = {}): Promise<KubeResult<ListedCluster>> {
  const absent: Absence[] = []
  const served = await Promise.all(OPTIONAL_KINDS.map((kind) => kindServed(client, kind)))
  const kinds: KindName[] = [...MODEL_KINDS]
  for (let i = 0; i < served.length; i++) {
    const s = served[i]!
    if (!s.ok) return s
    if (s.value) kinds.push(OPTIONAL_KINDS[i]!)
    else absent.push({ kind: OPTIONAL_KINDS[i]!, reason: 'not_served' })
  }
  const read = new Map<KindName, number>()
  const progress = (kind: KindName) => (n: number) => {
    read.set(kind, n)
    let total = 0
    for (const v of read.values()) total += v
    opts.onProgress?.(total)
  }
  const lists = await Promise.all(kinds.map((kind) => listAll(client, kind, { limit: opts.limit, onProgress: progress(kind) })))
  const objects: KubeObject[] = []
  const resourceVersions: Partial<Record<KindName, string>> = {}
  for (let i = 0; i < lists.length; i++) {
    const l = lists[i]!
    const kind = kinds[i]!
    if (!l.ok) {
      const a = absenceOf(kind, l.error)
      if (a === undefined) return l
      absent.push(a)
      continue
    }
    resourceVersions[kind] = l.value.resourceVersion
    for (const o of l.value.items) objects.push(o)
  }
  return ok({ context: client.context, objects, resourceVersions, absent })
}

/** listCluster, then the cluster built from its objects (see clusterFromObjects). Never throws. */
export async function loadCluster(client: KubeClient, opts: LoadClusterOptions = {}): Promise<KubeResult<LiveLoadResult>> {
  const listed = await listCluster(client, opts)
  if (!listed.ok) return listed
  const { context, objects, resourceVersions, absent } = listed.value
  return ok({ ...clusterFromObjects(context, objects), context, resourceVersions, absent, objects: objects.length })
}

/**
 * Each live object parsed, by the object's identity: a watcher replaces an object on every change and never
 * mutates it, so a model rebuilt after one event parses one object again, not all.
 */
export type ParsedCache = WeakMap<KubeObject, ParsedDocument>

/**
 * The cluster of live objects (of any kinds, e.g. a watcher's stores together), each located by its origin.
 * The same model code as files go through (parseDocument, assembleCluster); with `cache`, an object parsed
 * before is not parsed again (see ParsedCache).
 */
export function clusterFromObjects(context: string, objects: Iterable<KubeObject>, cache?: ParsedCache): BuildResult {
  const parsed: ParsedDocument[] = []
  for (const o of objects) {
    let p = cache?.get(o)
    if (!p) {
      p = parseDocument(liveDoc(context, o))
      cache?.set(o, p)
    }
    parsed.push(p)
  }
  const built = assembleCluster(parsed)
  if (built.issues.length === 0) return built
  // an issue names its object itself: its `file` is the cluster, so it reads `cluster C: Kind NS/NAME: field: …`
  const where = `cluster ${context}`
  return { ...built, issues: built.issues.map((i) => (i.object ? { ...i, file: where } : i)) }
}

/** A live object as a document whose `file` is its origin (see originOf). */
export function liveDoc(context: string, object: KubeObject): ManifestDoc {
  return { file: originOf(context, object), doc: 0, pathPrefix: [], value: object }
}
