import type { LabIssue, LabPlan, LabPodInput } from '../../lab/lab-plan.js'

/** A LabIssue in words, naming the pod its path points at (`pods` is the input given to planLab). */
export function formatLabIssue(issue: LabIssue, pods: readonly LabPodInput[]): string {
  const p = issue.path[0] === 'pods' && typeof issue.path[1] === 'number' ? pods[issue.path[1]] : undefined
  const who = p === undefined ? '' : `${p.namespace}/${p.name}: `
  switch (issue.code) {
    case 'invalid_ip':
      return `${who}address "${issue.input}" is not an IP address; left out of the lab`
    case 'duplicate_ip':
      return `${who}address ${issue.ip} is already used by ${issue.usedBy}; left out of the lab`
    case 'invalid_cidr':
      return `--pod-cidr ${issue.input} is not an IPv${issue.family} range; using the default`
    case 'duplicate_pod':
      return `pod ${issue.id} appears twice; the first is used`
    case 'invalid_port':
      return `${who}port ${issue.port} is out of range; not served`
    case 'ip_outside_pod_cidr':
      return `${who}address ${issue.ip} is outside the pod range ${issue.cidr}; reached through a host route (give --pod-cidr to match the input)`
    case 'pod_cidr_exhausted':
      return `${who}no free address left in ${issue.cidr}; the pod has none in the lab`
    case 'external_unreachable':
      return `outside host ${issue.ip}: no pod has an address of its family; left out of the lab`
  }
}

/** A hostNetwork pod, and the policies that select it (by its labels, as the engine reads them). */
export interface HostPodSummary {
  readonly id: string
  readonly selectedBy: readonly string[]
}

export interface LabUpSummary {
  readonly plan: LabPlan
  readonly pods: readonly LabPodInput[]
  /** pods with the host's network, which get no namespace of their own */
  readonly hostNetwork: readonly HostPodSummary[]
  readonly ms: number
  readonly manifests: string
}

/** What `lab up` built: counts, the addresses it chose, what it left out. Ends with a newline. */
export function renderLabUp(s: LabUpSummary): string {
  const { plan } = s
  const served = plan.pods.reduce((n, p) => n + p.ports.length, 0)
  const lines = [`lab up in ${(s.ms / 1000).toFixed(1)} s: ${plan.pods.length} pod${plan.pods.length === 1 ? '' : 's'} on bridge ${plan.bridge} in namespace ${plan.nodeNetns}, ${served} server port${served === 1 ? '' : 's'}`]
  const assigned = plan.pods.filter((p) => p.assigned)
  if (assigned.length > 0) {
    const families = new Set(assigned.flatMap((p) => p.addresses.map((a) => a.family)))
    const ranges = [...(families.has(4) ? [plan.podCidr4] : []), ...(families.has(6) ? [plan.podCidr6] : [])]
    lines.push(`addresses assigned to pods the input gave none${ranges.length === 0 ? '' : ` (from ${ranges.join(', ')})`}:`)
    const width = Math.max(...assigned.map((p) => p.id.length))
    for (const p of assigned) lines.push(`  ${p.id.padEnd(width)}  ${p.addresses.map((a) => a.ip).join(', ') || '(none)'}`)
  }
  lines.push(...hostNetworkLines(s.hostNetwork, plan))
  for (const issue of plan.issues) lines.push(`warning: ${formatLabIssue(issue, s.pods)}`)
  lines.push(`manifests as the lab runs them: ${s.manifests}`)
  return lines.join('\n') + '\n'
}

/**
 * What the agent does and does not filter for each hostNetwork pod. Its traffic is the node's: the node's
 * output to pods is never filtered ("traffic to and from the node where a Pod is running is always allowed"),
 * a pod's connection to it is the pod's egress to the node's address (input hook: ipBlock peers can match
 * that address, podSelector peers cannot), and the policies that select it by its labels are not enforced.
 */
export function hostNetworkLines(pods: readonly HostPodSummary[], plan: LabPlan): string[] {
  if (pods.length === 0) return []
  const where = plan.gateways.length === 0 ? 'no node address (no pod has one)' : `${plan.nodeNetns}, on ${plan.gateways.map((g) => g.ip).join(', ')}`
  const lines = [`hostNetwork pods: the node's network, no namespace of their own; their ports are served in ${where}; the agent:`]
  for (const p of pods) {
    const own = p.selectedBy.length === 0 ? 'no policy selects it' : `does not enforce ${p.selectedBy.join(', ')}, which select${p.selectedBy.length === 1 ? 's' : ''} it`
    lines.push(`  ${p.id}: ${own}; never filters its connections to pods (the node may always reach them); filters pods' connections to it only by their egress rules, on the node's address (an ipBlock holding it matches, a podSelector never)`)
  }
  return lines
}
