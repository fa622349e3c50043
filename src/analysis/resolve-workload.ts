/**
 * A workload named on the command line as kubectl spells it (`deploy/NS/NAME`, `sts/NS/NAME`, `cronjob/NS/NAME`,
 * `deployment.apps/NS/NAME`...), resolved to its pods: the real pods that belong to it (owned by it, directly
 * or through the workloads it owns, or picked by its selector; see Pod.workloads), or the template pod that
 * stands for them when the input holds none.
 */
import type { Cluster, Pod, WorkloadKind } from '../model/cluster.js'
import { nearest } from './nearest.js'

export interface WorkloadEndpoint {
  readonly kind: 'workload'
  readonly workload: { readonly kind: WorkloadKind; readonly namespace: string; readonly name: string }
  /** how the user spelt the kind, e.g. `deploy` */
  readonly prefix: string
  readonly pods: readonly Pod[]
}

export type WorkloadError =
  | { readonly code: 'syntax'; readonly input: string }
  | { readonly code: 'workload-not-found'; readonly input: string; readonly suggestions: readonly string[] }

/** The short name kubectl prints for each kind, used in suggestions. */
export const WORKLOAD_SHORT: Readonly<Record<WorkloadKind, string>> = {
  Deployment: 'deploy',
  StatefulSet: 'sts',
  DaemonSet: 'ds',
  ReplicaSet: 'rs',
  ReplicationController: 'rc',
  Job: 'job',
  CronJob: 'cronjob',
}

const GROUP: Readonly<Record<WorkloadKind, string>> = {
  Deployment: 'apps',
  StatefulSet: 'apps',
  DaemonSet: 'apps',
  ReplicaSet: 'apps',
  ReplicationController: '',
  Job: 'batch',
  CronJob: 'batch',
}

/** Every spelling kubectl accepts for a kind: short name, singular, plural, and `plural.group`/`singular.group`. */
const PREFIXES: ReadonlyMap<string, WorkloadKind> = (() => {
  const m = new Map<string, WorkloadKind>()
  const extra: Partial<Record<WorkloadKind, string>> = { CronJob: 'cj' }
  for (const kind of Object.keys(WORKLOAD_SHORT) as WorkloadKind[]) {
    const singular = kind.toLowerCase()
    const names = [WORKLOAD_SHORT[kind], singular, `${singular}s`, ...(extra[kind] ? [extra[kind]!] : [])]
    for (const n of names) m.set(n, kind)
    if (GROUP[kind] !== '') for (const n of [singular, `${singular}s`]) m.set(`${n}.${GROUP[kind]}`, kind)
  }
  return m
})()

/** The workload kind `input` starts with (`deploy/`...), or null when it names no workload. */
export function workloadPrefix(input: string): WorkloadKind | null {
  const slash = input.indexOf('/')
  return slash < 0 ? null : (PREFIXES.get(input.slice(0, slash).toLowerCase()) ?? null)
}

/** Does `pod` stand for, or belong to, the workload? */
function belongs(pod: Pod, kind: WorkloadKind, namespace: string, name: string): boolean {
  if (pod.namespace !== namespace) return false
  if (pod.template) return pod.template.kind === kind && pod.template.name === name
  return pod.workloads?.some((w) => w.kind === kind && w.name === name) ?? false
}

/** Resolves `KIND/NS/NAME` (see workloadPrefix) to the workload's pods. */
export function resolveWorkload(cluster: Cluster, input: string): { ok: true; value: WorkloadEndpoint } | { ok: false; error: WorkloadError } {
  const kind = workloadPrefix(input)
  const parts = input.split('/')
  if (kind === null || parts.length !== 3 || parts[1] === '' || parts[2] === '') return { ok: false, error: { code: 'syntax', input } }
  const [prefix, namespace, name] = parts as [string, string, string]
  const pods = cluster.pods.filter((p) => belongs(p, kind, namespace, name))
  if (pods.length > 0) return { ok: true, value: { kind: 'workload', workload: { kind, namespace, name }, prefix, pods } }
  const known = workloadNames(cluster).filter((w) => w.kind === kind).map((w) => `${prefix}/${w.namespace}/${w.name}`)
  const others = workloadNames(cluster).filter((w) => w.kind !== kind && w.namespace === namespace && w.name === name).map((w) => `${WORKLOAD_SHORT[w.kind]}/${w.namespace}/${w.name}`)
  const suggestions = [...others, ...nearest(input, known)]
  // no workload by that name: the pods named like it (a hand-written pod list names pods after their workload)
  if (suggestions.length === 0) suggestions.push(...nearest(`${namespace}/${name}`, cluster.pods.map((p) => `${p.namespace}/${p.name}`)))
  return { ok: false, error: { code: 'workload-not-found', input, suggestions } }
}

/** The workloads the cluster's pods stand for or belong to, each once, in pod order. */
export function workloadNames(cluster: Cluster): { kind: WorkloadKind; namespace: string; name: string }[] {
  const seen = new Map<string, { kind: WorkloadKind; namespace: string; name: string }>()
  for (const p of cluster.pods) {
    const refs = p.template ? [p.template] : (p.workloads ?? [])
    for (const r of refs) {
      const key = `${r.kind}/${p.namespace}/${r.name}`
      if (!seen.has(key)) seen.set(key, { kind: r.kind, namespace: p.namespace, name: r.name })
    }
  }
  return [...seen.values()]
}

/**
 * For a `NS/NAME` that is no pod: the workloads of that name in that namespace, as kubectl spells them
 * (`deploy/backend/api`), since a pod is often named after its workload and meant as such.
 */
export function workloadsNamed(cluster: Cluster, namespace: string, name: string): string[] {
  return workloadNames(cluster)
    .filter((w) => w.namespace === namespace && w.name === name)
    .map((w) => `${WORKLOAD_SHORT[w.kind]}/${w.namespace}/${w.name}`)
}
