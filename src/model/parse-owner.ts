/**
 * What relates pods to the workloads that make them: `metadata.ownerReferences`, `metadata.uid`, and how many
 * pods a workload keeps running (its replicas). Read leniently: a field of the wrong type is an issue, but
 * ownership only decides which object of the input stands for a pod, never what a policy allows.
 */
import type { Replicas, WorkloadKind } from './cluster.js'
import type { ModelIssue } from './issues.js'
import { arrayAt, at, boolAt, elementObject, intAt, isObject, type Json, type Loc, NO_ITEMS, pathOf, stringAt } from './parse-fields.js'

/** An owner reference: kind and name within the object's namespace, and the owner's uid when given. */
export interface OwnerRef {
  readonly kind: string
  readonly name: string
  readonly uid?: string
}

/** `metadata.uid`: set on every object read from a live cluster, absent from hand-written manifests. */
export function readUid(input: Json): string | undefined {
  const meta = isObject(input.metadata) ? input.metadata : undefined
  return typeof meta?.uid === 'string' && meta.uid !== '' ? meta.uid : undefined
}

/**
 * The controller among `metadata.ownerReferences`: "If true, this reference points to the managing controller"
 * (OwnerReference.controller); "There cannot be more than one managing controller." A hand-written reference
 * without `controller` counts when no other is marked, so the first such reference is taken then.
 * Owner references are namespaced to the object: "Cross-namespace owner references are disallowed by design."
 */
export function readControllerOwner(input: Json, path: Loc, issues: ModelIssue[]): OwnerRef | undefined {
  const metaPath = at(path, 'metadata')
  const meta = isObject(input.metadata) ? input.metadata : undefined
  if (!meta) return undefined
  const refs = arrayAt(meta, 'ownerReferences', metaPath, issues) ?? NO_ITEMS
  let first: OwnerRef | undefined
  for (let i = 0; i < refs.length; i++) {
    const rPath = at(at(metaPath, 'ownerReferences'), i)
    const r = elementObject(refs[i], rPath, issues)
    if (!r) continue
    const kind = stringAt(r, 'kind', rPath, issues)
    const name = stringAt(r, 'name', rPath, issues)
    const uid = stringAt(r, 'uid', rPath, issues)
    const controller = boolAt(r, 'controller', rPath, issues)
    if (!kind || !name) continue
    const ref: OwnerRef = uid ? { kind, name, uid } : { kind, name }
    if (controller === true) return ref
    if (controller === undefined && first === undefined) first = ref
  }
  return first
}

/**
 * How many pods a workload runs at once, from its spec (`spec` is the object holding `template`: the
 * workload's spec, or a CronJob's `spec.jobTemplate.spec`; `top` is the workload's own spec):
 * - Deployment, StatefulSet, ReplicaSet, ReplicationController: `spec.replicas`, "Number of desired pods. This
 *   is a pointer to distinguish between explicit zero and not specified. Defaults to 1."
 * - DaemonSet: "ensures that all (or some) Nodes run a copy of a Pod": one per node, a count the manifests do
 *   not tell, so 'per-node' (several: replica-to-replica traffic is real).
 * - Job: "parallelism: Specifies the maximum desired number of pods the job should run at any given time"
 *   (defaults to 1), and no more than `completions` when that is set ("Setting to 1 means that parallelism is
 *   limited to 1"); `suspend: true`: "the Job controller should not create Pods", so 0.
 *   A Job that has finished (a `Complete` or `Failed` condition with status "True" in `status.conditions`:
 *   "the job has completed its execution" / "failed its execution") runs no pod any more: 0.
 * - CronJob: the Job of its `jobTemplate`, or 0 when `spec.suspend` ("suspend subsequent executions").
 *   Runs that overlap (concurrencyPolicy Allow) are not counted: one run's pods stand for the workload.
 * A negative count is refused as the API server does ("must be greater than or equal to 0").
 */
export function readReplicas(kind: WorkloadKind, top: Json | undefined, topPath: Loc, spec: Json | undefined, specPath: Loc, issues: ModelIssue[], status?: Json): Replicas {
  const count = (obj: Json | undefined, key: string, path: Loc): number | undefined => {
    if (!obj) return undefined
    const n = intAt(obj, key, path, issues)
    if (n !== undefined && n < 0) {
      issues.push({ code: 'negative_count', path: pathOf(path, key), input: n })
      return 0
    }
    return n
  }
  switch (kind) {
    case 'DaemonSet':
      return 'per-node'
    case 'Job':
    case 'CronJob': {
      if (kind === 'CronJob' && top && boolAt(top, 'suspend', topPath, issues) === true) return 0
      if (spec && boolAt(spec, 'suspend', specPath, issues) === true) return 0
      if (kind === 'Job' && status !== undefined && jobFinished(status)) return 0
      const parallelism = count(spec, 'parallelism', specPath) ?? 1
      const completions = count(spec, 'completions', specPath)
      return completions === undefined ? parallelism : Math.min(parallelism, completions)
    }
    default:
      return count(spec, 'replicas', specPath) ?? 1
  }
}


/** JobConditionType Complete or Failed with status "True": the Job's pods have stopped. Read leniently (status is the cluster's, not the user's). */
function jobFinished(status: Json): boolean {
  const conditions = Array.isArray(status.conditions) ? status.conditions : []
  return conditions.some((c) => isObject(c) && (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')
}
