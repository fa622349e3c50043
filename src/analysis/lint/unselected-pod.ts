import type { Pod } from '../../model/cluster.js'
import { labelsKey } from '../../model/labels.js'
import { policySelects } from '../../engine/select.js'
import type { Check } from './check.js'
import { CONTROLLER_LABELS } from './context.js'
import { code, count, msg, podLabelsPath, podName, podList, podObject, ref, type Draft } from './finding.js'
import { labelsFlow } from './yaml-snippet.js'

/** Pods of one workload differ only in controller-added labels; group them so a Deployment counts once. */
function workloadKey(p: Pod): string {
  const labels: Record<string, string> = {}
  for (const [k, v] of Object.entries(p.labels)) if (!CONTROLLER_LABELS.has(k)) labels[k] = v
  return labelsKey(labels)
}

export const unselectedPod: Check = {
  id: 'NP013',
  slug: 'unselected-pod',
  severity: 'warning',
  title: 'pods no policy selects, in a namespace where the others are selected',
  description:
    'When most workloads of a namespace are selected by some policy and a few are not, the few are usually ' +
    'forgotten (a new label, a renamed app) and stay open in both directions. Pods are grouped into workloads by ' +
    'their labels without controller-added ones; it fires when the unselected workloads are fewer than the ' +
    'selected ones. hostNetwork pods are left out.',
  run(ctx) {
    const out: Draft[] = []
    for (const ns of [...ctx.cluster.namespaces.keys()].sort()) {
      const pods = ctx.podsIn(ns).filter((p) => !p.hostNetwork)
      const policies = ctx.index.policiesByNamespace.get(ns) ?? []
      if (pods.length < 2 || policies.length === 0) continue
      const groups = new Map<string, { pods: Pod[]; selected: boolean }>()
      for (const p of pods) {
        const selected = policies.some((pol) => policySelects(pol, p))
        const key = `${workloadKey(p)}\n${selected}`
        const g = groups.get(key)
        if (g) g.pods.push(p)
        else groups.set(key, { pods: [p], selected })
      }
      const all = [...groups.values()]
      const unselected = all.filter((g) => !g.selected)
      const selectedCount = all.length - unselected.length
      if (unselected.length === 0 || unselected.length >= selectedCount) continue
      for (const g of unselected) {
        const first = g.pods[0]!
        const labels: Record<string, string> = {}
        for (const [k, v] of Object.entries(first.labels)) if (!CONTROLLER_LABELS.has(k)) labels[k] = v
        out.push({
          object: podObject(first),
          path: podLabelsPath(first),
          message: msg`no policy selects ${g.pods.length === 1 ? ref(podName(first)) : msg`${count(g.pods.length, 'pod')} (${podList(g.pods)})`} with labels ${code(labelsFlow(labels))}, while every other workload of ${ref(ns)} (${count(selectedCount, 'workload')}) is selected by some policy: ${g.pods.length === 1 ? 'it is' : 'they are'} open for ingress and egress`,
          fix: { text: msg`select ${g.pods.length === 1 ? 'it' : 'them'} with a policy of ${ref(ns)}, or add a default-deny baseline (podSelector ${code('{}')}) so that unselected pods are closed` },
        })
      }
    }
    return out
  },
}
