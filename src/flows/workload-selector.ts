/**
 * Which workload a pod belongs to, and the stable labels that select exactly that workload's pods in its
 * namespace: what a generated policy puts in `podSelector`. Pure.
 */
import type { Cluster, Pod, WorkloadKind } from '../model/cluster.js'
import { makeSelector, selectorMatches, type LabelSelector } from '../model/label-selector.js'
import { labelsKey, type Labels } from '../model/labels.js'

/** A workload of the cluster (or a bare pod, kind 'Pod'), with the pods of the input that are its. */
export interface WorkloadId {
  readonly namespace: string
  readonly kind: WorkloadKind | 'Pod'
  readonly name: string
  /** kind 'Pod': the stable labels that make the group (pods no workload owns, told apart only by labels) */
  readonly labels?: string
}

export const workloadKey = (w: WorkloadId): string => `${w.namespace}/${w.kind}/${w.name}${w.labels === undefined ? '' : `/${w.labels}`}`

/** The controller that stands for a pod's workload: the outermost of its owners that users write. */
const KIND_RANK: Record<WorkloadKind, number> = { Deployment: 0, StatefulSet: 1, DaemonSet: 2, CronJob: 3, ReplicationController: 4, Job: 5, ReplicaSet: 6 }

/**
 * The pod's workload: a template's own workload; for a real pod, the one of `Pod.workloads` users write
 * (a Deployment before its ReplicaSet, a CronJob before its Job); else the pod itself.
 */
export function workloadOf(pod: Pod): WorkloadId {
  if (pod.template) return { namespace: pod.namespace, kind: pod.template.kind, name: pod.template.name }
  const ws = pod.workloads ?? []
  if (ws.length === 0) {
    // pods no workload owns: those of one name label and the same stable labels are one group, named by that label
    const named = PREFERRED.find((k) => pod.labels[k] !== undefined && pod.labels[k] !== '')
    if (named === undefined) return { namespace: pod.namespace, kind: 'Pod', name: pod.name }
    return { namespace: pod.namespace, kind: 'Pod', name: pod.labels[named]!, labels: labelsKey(stableLabels(pod.labels)) }
  }
  const best = [...ws].sort((a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind])[0]!
  return { namespace: pod.namespace, kind: best.kind, name: best.name }
}

/**
 * Labels that differ between the pods of one workload, or name one pod: selecting by them would pin a policy
 * to one revision or one replica, and the next rollout would escape it.
 */
export const UNSTABLE_LABELS: ReadonlySet<string> = new Set(['pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index', 'pod-template-generation'])

/** The labels preferred, in order: the recommended name label, then the common `app`. */
export const PREFERRED = ['app.kubernetes.io/name', 'app']

export interface WorkloadSelection {
  readonly selector: LabelSelector
  /** the labels of the selector, as `matchLabels` */
  readonly matchLabels: Labels
  /** false when no stable label set selects exactly the workload's pods: `note` says what else it selects */
  readonly exact: boolean
  readonly note?: string
}

/**
 * The stable labels that select exactly `pods` (the pods of one workload) among the pods of their namespace.
 * Tried in order, the first exact one wins: the preferred labels alone, then each with further common labels
 * added in key order (narrowing), then every common stable label. When none is exact, the most specific
 * stable set (every common stable label) is used and `note` names the other pods it selects.
 */
export function selectWorkload(cluster: Cluster, pods: readonly Pod[]): WorkloadSelection {
  const namespace = pods[0]!.namespace
  const others = cluster.pods.filter((p) => p.namespace === namespace && !pods.includes(p))
  const common = commonStableLabels(pods)
  const keys = Object.keys(common).sort()
  const candidates: string[][] = []
  const preferred = PREFERRED.filter((k) => k in common)
  for (const k of preferred) candidates.push([k])
  const rest = keys.filter((k) => !preferred.includes(k))
  // narrowing: one preferred label (or none) plus the other common labels, one at a time in key order
  for (const base of preferred.length > 0 ? preferred.map((k) => [k]) : [[]]) {
    const set = [...base]
    for (const k of rest) {
      set.push(k)
      candidates.push([...set])
    }
  }
  candidates.push(keys)
  for (const c of candidates) {
    const labels = pick(common, c)
    const sel = toSelector(labels)
    if (!others.some((p) => selectorMatches(sel, p.labels))) return { selector: sel, matchLabels: labels, exact: true }
  }
  const sel = toSelector(common)
  const also = others.filter((p) => selectorMatches(sel, p.labels)).map((p) => p.name)
  const why = keys.length === 0 ? 'its pods share no stable label' : `no stable label set tells its pods apart from ${also.join(', ')}`
  return { selector: sel, matchLabels: common, exact: false, note: `${why}: the selector also selects ${also.length === others.length && keys.length === 0 ? 'every pod of the namespace' : also.join(', ')}` }
}

function stableLabels(labels: Labels): Labels {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !UNSTABLE_LABELS.has(k)))
}

function commonStableLabels(pods: readonly Pod[]): Labels {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(pods[0]!.labels)) {
    if (UNSTABLE_LABELS.has(k)) continue
    if (pods.every((p) => p.labels[k] === v)) out[k] = v
  }
  return out
}

const pick = (labels: Labels, keys: readonly string[]): Labels => Object.fromEntries(keys.map((k) => [k, labels[k]!]))

export function toSelector(labels: Labels): LabelSelector {
  return makeSelector(Object.keys(labels).sort().map((key) => ({ key, operator: 'In' as const, values: [labels[key]!], fromMatchLabels: true })))
}
