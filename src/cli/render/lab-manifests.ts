import { stringify } from 'yaml'
import { podId, type Cluster, type Pod } from '../../model/cluster.js'
import type { ManifestDoc } from '../../model/documents.js'
import type { NetworkPolicy } from '../../model/policy.js'

/**
 * The manifests a lab runs on: what the agent enforces and what `lab probe` predicts from, so that both read
 * the same cluster as the lab's namespaces hold. Namespaces and pods are written from the model (a workload
 * template becomes a plain Pod), each pod with its addresses in the lab; NetworkPolicies are copied as
 * written, so the agent parses exactly the user's text.
 */

/** The written document of each policy, found by its source (file, document) plus kind, namespace and name. */
export function policyDocuments(
  policies: readonly NetworkPolicy[],
  docsOf: (file: string) => readonly ManifestDoc[],
): { docs: unknown[]; missing: string[] } {
  const docs: unknown[] = []
  const missing: string[] = []
  for (const p of policies) {
    const found =
      p.source === undefined
        ? undefined
        : docsOf(p.source.file).find((d) => {
            if (d.doc !== p.source!.doc) return false
            const v = d.value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } }
            const ns = typeof v.metadata?.namespace === 'string' && v.metadata.namespace !== '' ? v.metadata.namespace : 'default'
            return v.kind === 'NetworkPolicy' && v.metadata?.name === p.name && ns === p.namespace
          })
    if (found === undefined) missing.push(`${p.namespace}/${p.name}`)
    else docs.push(found.value)
  }
  return { docs, missing }
}

function podDocument(pod: Pod, ips: readonly string[]): Record<string, unknown> {
  const spec: Record<string, unknown> = {}
  if (pod.nodeName !== undefined) spec.nodeName = pod.nodeName
  if (pod.hostNetwork) spec.hostNetwork = true
  // one container per port: names stay unique per container whatever the input's containers were
  spec.containers =
    pod.ports.length === 0
      ? [{ name: 'c0', image: 'netpol-lab' }]
      : pod.ports.map((p, i) => ({
          name: `c${i}`,
          image: 'netpol-lab',
          ports: [{ ...(p.name === undefined ? {} : { name: p.name }), containerPort: p.port, protocol: p.protocol }],
        }))
  const status: Record<string, unknown> = { phase: 'Running' }
  if (pod.hostIPs.length > 0) {
    status.hostIP = pod.hostIPs[0]!.text
    status.hostIPs = pod.hostIPs.map((a) => ({ ip: a.text }))
  }
  if (ips.length > 0) {
    status.podIP = ips[0]
    status.podIPs = ips.map((ip) => ({ ip }))
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod.name, namespace: pod.namespace, ...(Object.keys(pod.labels).length === 0 ? {} : { labels: { ...pod.labels } }) },
    spec,
    status,
  }
}

/**
 * Multi-document YAML: every namespace, every pod (addresses from `addresses` by namespace/name, else its
 * own), then `policyDocs`. Services are left out: neither the agent nor the matrix reads them.
 */
export function renderLabManifests(cluster: Cluster, addresses: ReadonlyMap<string, readonly string[]>, policyDocs: readonly unknown[]): string {
  const docs: unknown[] = []
  for (const ns of cluster.namespaces.values()) docs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.name, labels: { ...ns.labels } } })
  for (const pod of cluster.pods) docs.push(podDocument(pod, addresses.get(podId(pod)) ?? pod.ips.map((a) => a.text)))
  docs.push(...policyDocs)
  const head = '# written by `netpol lab up`: the cluster as the lab runs it (pods with their lab addresses)\n'
  return head + docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n')
}
