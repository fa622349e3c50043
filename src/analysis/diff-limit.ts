/**
 * A diff limited to what `-n` shows: the connection changes from or to pods of the namespaces, and the policy,
 * pod and namespace changes in them. The diff itself was computed over every namespace (a policy selects pods
 * and namespaces anywhere), so limiting never changes a verdict, only what is reported.
 */
import type { ClusterDiff } from './diff.js'

export function limitDiff(d: ClusterDiff, shown: ReadonlySet<string> | null): ClusterDiff {
  if (shown === null) return d
  const inShown = (id: string) => shown.has(id.slice(0, id.indexOf('/')))
  const pods = (list: readonly string[]) => list.filter(inShown)
  return {
    ...d,
    policies: d.policies.filter((p) => shown.has(p.policy.namespace)),
    pods: { added: pods(d.pods.added), removed: pods(d.pods.removed), relabeled: pods(d.pods.relabeled) },
    namespaces: { added: d.namespaces.added.filter((n) => shown.has(n)), removed: d.namespaces.removed.filter((n) => shown.has(n)), relabeled: d.namespaces.relabeled.filter((n) => shown.has(n)) },
    changes: d.changes.filter((c) => shown.has(d.classes[c.from]!.namespace) || shown.has(d.classes[c.to]!.namespace)),
  }
}
