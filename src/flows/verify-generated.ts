/**
 * The check `generate` runs on its own output: the cluster with the generated policies applied over its
 * existing ones (as `kubectl apply` would: the same namespace and name replaces, others are added), and every
 * connection the output means to allow decided by the engine. Pure.
 */
import type { Cluster } from '../model/cluster.js'
import type { ModelIssue } from '../model/issues.js'
import type { NetworkPolicy } from '../model/policy.js'
import { parsePolicy } from '../model/parse-policy.js'
import { indexCluster } from '../engine/cluster-index.js'
import { defaultFamily, podEndpoint } from '../engine/endpoint.js'
import { evaluateFlow } from '../engine/evaluate.js'
import type { Endpoint, Verdict } from '../engine/verdict.js'
import type { GeneratedPolicy } from './generate-policies.js'
import type { ObservedConnection, ObservedEnd } from './observed.js'

export interface VerifyResult {
  /** the cluster as it would be with the output applied */
  readonly after: Cluster
  /** observed connections the output should allow but the engine denies: must be empty */
  readonly failures: readonly { readonly connection: ObservedConnection; readonly verdict: Verdict }[]
  /** the output as the API server would refuse it: must be empty */
  readonly invalid: readonly { readonly policy: string; readonly issues: readonly ModelIssue[] }[]
  readonly checked: number
}

export function verifyGenerated(cluster: Cluster, policies: readonly GeneratedPolicy[], allowed: readonly ObservedConnection[]): VerifyResult {
  const parsed: NetworkPolicy[] = []
  const invalid: { policy: string; issues: ModelIssue[] }[] = []
  for (const p of policies) {
    const r = parsePolicy(p.manifest)
    if (r.ok) parsed.push(r.value)
    else invalid.push({ policy: `${p.namespace}/${p.name}`, issues: r.issues })
  }
  const after = withPolicies(cluster, parsed)
  const index = indexCluster(after)
  const failures: { connection: ObservedConnection; verdict: Verdict }[] = []
  for (const c of allowed) {
    const family = c.from.kind === 'external' ? c.from.ip.family : c.to.kind === 'external' ? c.to.ip.family : defaultFamily(c.from.kind === 'pod' ? c.from.pod : null, c.to.kind === 'pod' ? c.to.pod : null)
    const from = endpoint(c.from, family)
    const to = endpoint(c.to, family)
    if (from === null || to === null) continue
    const verdict = evaluateFlow(index, { from, to, port: c.port, protocol: c.protocol })
    if (!verdict.allowed) failures.push({ connection: c, verdict })
  }
  return { after, failures, invalid, checked: allowed.length }
}

function endpoint(e: ObservedEnd, family: 4 | 6): Endpoint | null {
  if (e.kind === 'pod') return podEndpoint(e.pod, family)
  if (e.kind === 'external') return { kind: 'ip', ip: e.ip }
  return null
}

/** `cluster` with `policies` applied over its own: one of the same namespace and name replaces it. */
export function withPolicies(cluster: Cluster, policies: readonly NetworkPolicy[]): Cluster {
  const key = (p: NetworkPolicy) => `${p.namespace}/${p.name}`
  const added = new Set(policies.map(key))
  return { ...cluster, policies: [...cluster.policies.filter((p) => !added.has(key(p))), ...policies] }
}
