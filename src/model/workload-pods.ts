/**
 * Real pods and workload templates → the pods of the cluster, each pod once. Pure.
 *
 * A workload stands for its pods only when the input does not show them: real pods always win over templates.
 * Which pods are a workload's comes from `metadata.ownerReferences` (a Pod's ReplicaSet, that ReplicaSet's
 * Deployment; a Pod's Job, that Job's CronJob), and, for pods written without owners, from the workload's
 * selector. So a whole `kubectl get all -A -o json` dump (Deployments, their current and old ReplicaSets,
 * CronJobs and their Jobs, and the Pods) gives one pod per real pod and no template beside them.
 */
import type { Pod, WorkloadKind, WorkloadRef } from './cluster.js'
import type { ModelNote } from './issues.js'
import { selectorMatches, type LabelSelector } from './label-selector.js'
import type { OwnerRef } from './parse-owner.js'
import { isWorkloadKind, type Workload } from './parse-pod.js'

/** A running pod of the input and its controller owner. */
export interface PodEntry {
  readonly pod: Pod
  readonly owner?: OwnerRef
}

const MAX_OWNER_DEPTH = 8

/**
 * The pods of the cluster: `pods` with the workloads each belongs to (`Pod.workloads`), and one template per
 * workload that stands for pods, renamed `<name>-<kind in lowercase>` when its name is taken in its namespace.
 * `livePods`: the input holds pods read from a live cluster (with a uid). A workload is left out, with a note:
 * - when pods of it are present (owned by it, directly or through owned workloads, or matched by its selector);
 * - when another workload of the input owns it: the owner stands for it (a Deployment for its ReplicaSets,
 *   a CronJob for its Jobs);
 * - when it asks for no pods (replicas 0, a suspended Job or CronJob);
 * - when it was read from a live cluster (uid) and so were pods, none of them its: it runs none now.
 */
export function workloadPods(entries: readonly PodEntry[], workloads: readonly Workload[], livePods: boolean, notes: ModelNote[]): { pods: Pod[]; templates: Pod[] } {
  if (workloads.length === 0 && entries.every((e) => e.owner === undefined)) return { pods: entries.map((e) => e.pod), templates: [] }
  const byKey = new Map<string, Workload>()
  for (const w of workloads) byKey.set(key(w.namespace, w.kind, w.name), w)
  const lookup = (namespace: string, ref: OwnerRef): Workload | undefined => {
    const w = byKey.get(key(namespace, ref.kind, ref.name))
    // "uid: UID of the referent": another object of the same name is not the owner
    return w !== undefined && (ref.uid === undefined || w.uid === undefined || ref.uid === w.uid) ? w : undefined
  }

  // each pod's workloads: its owner chain, then the workloads whose selector picks it
  const chains: WorkloadRef[][] = entries.map((e) => {
    const chain: WorkloadRef[] = []
    let ref = e.owner
    for (let depth = 0; ref !== undefined && depth < MAX_OWNER_DEPTH; depth++) {
      if (!isWorkloadKind(ref.kind) || chain.some((c) => c.kind === ref!.kind && c.name === ref!.name)) break
      chain.push({ kind: ref.kind as WorkloadKind, name: ref.name })
      ref = lookup(e.pod.namespace, ref)?.owner
    }
    return chain
  })
  const covered = new Set<string>()
  entries.forEach((e, i) => {
    for (const c of chains[i]!) covered.add(key(e.pod.namespace, c.kind, c.name))
  })
  const index = new PodLabelIndex(entries, workloads)
  for (const w of workloads) {
    for (const i of index.matching(w.namespace, w.selector)) {
      covered.add(key(w.namespace, w.kind, w.name))
      const chain = chains[i]!
      if (!chain.some((c) => c.kind === w.kind && c.name === w.name)) chain.push({ kind: w.kind, name: w.name })
    }
  }
  const pods = entries.map((e, i) => (chains[i]!.length === 0 ? e.pod : withWorkloads(e.pod, chains[i]!)))

  const kept: Workload[] = []
  for (const w of workloads) {
    const id = { kind: w.kind, namespace: w.namespace, name: w.name }
    const owner = w.owner === undefined ? undefined : lookup(w.namespace, w.owner)
    if (covered.has(key(w.namespace, w.kind, w.name))) notes.push({ code: 'template_skipped_pods_present', ...id })
    else if (owner !== undefined && owner !== w) notes.push({ code: 'template_owned_skipped', ...id, owner: `${owner.kind} ${owner.name}` })
    else if (w.replicas === 0) notes.push({ code: 'workload_no_replicas_skipped', ...id })
    else if (livePods && w.uid !== undefined) notes.push({ code: 'template_skipped_no_live_pods', ...id })
    else kept.push(w)
  }
  return { pods, templates: nameTemplates(entries, kept) }
}

function key(namespace: string, kind: string, name: string): string {
  return `${namespace}\u0000${kind}\u0000${name}`
}

/**
 * The template pods of `kept`. A template whose name is taken by another pod of its namespace, or by another
 * template, is renamed `<name>-<kind in lowercase>` (then `-2`, `-3`...).
 */
function nameTemplates(entries: readonly PodEntry[], kept: readonly Workload[]): Pod[] {
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
  for (const e of entries) taken.get(e.pod.namespace)?.add(e.pod.name)
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
 * with `In`, so that finding the pods a selector matches looks only at the pods carrying one of the values
 * of its narrowest `In` requirement.
 */
class PodLabelIndex {
  private readonly byNamespace = new Map<string, { all: number[]; byKey: Map<string, Map<string, number[]>> }>()

  constructor(private readonly entries: readonly PodEntry[], workloads: readonly Workload[]) {
    const keys = new Set<string>()
    for (const w of workloads) {
      if (!this.byNamespace.has(w.namespace)) this.byNamespace.set(w.namespace, { all: [], byKey: new Map() })
      for (const r of w.selector.requirements) if (r.operator === 'In') keys.add(r.key)
    }
    entries.forEach(({ pod: p }, i) => {
      const ns = this.byNamespace.get(p.namespace)
      if (!ns) return
      ns.all.push(i)
      for (const k in p.labels) {
        if (!keys.has(k)) continue
        let byValue = ns.byKey.get(k)
        if (!byValue) ns.byKey.set(k, (byValue = new Map()))
        const v = p.labels[k]!
        const list = byValue.get(v)
        if (list) list.push(i)
        else byValue.set(v, [i])
      }
    })
  }

  /** Indexes of the pods of `namespace` that `selector` matches. An empty selector matches nothing here: the API server refuses empty workload selectors. */
  matching(namespace: string, selector: LabelSelector): number[] {
    const ns = this.byNamespace.get(namespace)
    if (!ns || selector.requirements.length === 0) return []
    let candidates: readonly number[][] = [ns.all]
    let size = ns.all.length
    for (const r of selector.requirements) {
      if (r.operator !== 'In') continue
      const byValue = ns.byKey.get(r.key)
      const lists: number[][] = []
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
    const out: number[] = []
    for (const list of candidates) for (const i of list) if (selectorMatches(selector, this.entries[i]!.pod.labels)) out.push(i)
    return out
  }
}

/**
 * A pod with its workloads: the same object as last time for the same pod and workloads, so that a model built
 * again after a change shares every pod the change did not touch (the agent's incremental compile tells changes
 * by identity).
 */
const withWorkloadsMemo = new WeakMap<Pod, { readonly key: string; readonly pod: Pod }>()
function withWorkloads(pod: Pod, workloads: WorkloadRef[]): Pod {
  const k = workloads.map((w) => `${w.kind}/${w.name}`).join(',')
  const known = withWorkloadsMemo.get(pod)
  if (known !== undefined && known.key === k) return known.pod
  const out = { ...pod, workloads }
  withWorkloadsMemo.set(pod, { key: k, pod: out })
  return out
}
