/**
 * GET /api/describe/pod?pod=NS/NAME[&family=4|6] and GET /api/describe/policy?policy=NS/NAME: exactly
 * `netpol describe pod NS/NAME -o json` and `netpol describe NS/NAME -o json`, with the lint findings (as
 * `netpol lint -o json` gives them) on that object beside.
 */
import type { DescribePodResponse, DescribePolicyResponse } from '../api.js'
import { podId } from '../../model/cluster.js'
import type { Family } from '../../model/ip.js'
import { formatRef } from '../../model/policy.js'
import { describePod } from '../../analysis/describe.js'
import { nearest } from '../../analysis/resolve-endpoint.js'
import { badRequest, type Answer } from './respond.js'
import { classesOf, describePodsReportOf, describePoliciesReportOf, indexOf, lintOutcomeSoon, policyViewOf } from './reports.js'
import type { Snapshot } from './serve-input.js'

interface LintFindingJson {
  readonly object: { readonly kind: string; readonly namespace?: string; readonly name: string }
}

export async function describePodAnswer(s: Snapshot, query: URLSearchParams): Promise<Answer> {
  const name = query.get('pod')
  if (name === null || !/^[^/]+\/[^/]+$/.test(name)) return badRequest('expected the pod as NAMESPACE/NAME', 'pod')
  const familyText = query.get('family')
  if (familyText !== null && familyText !== '4' && familyText !== '6') return badRequest('expected 4 or 6', 'family')
  const pod = s.cluster.pods.find((p) => podId(p) === name)
  if (!pod) return badRequest(notFound('pod', name, s.cluster.pods.map(podId)), 'pod')
  const family: Family = familyText === null ? (pod.ips[0]?.family ?? 4) : (Number(familyText) as Family)
  // the classes and sides the graph and the what-ifs share
  const view = describePod(indexOf(s), pod, family, classesOf(s, family).sides)
  // a template's findings are about its workload's object
  const object = pod.template ? { kind: pod.template.kind, name: pod.template.name } : { kind: 'Pod', name: pod.name }
  const body: DescribePodResponse = { describe: describePodsReportOf([view]), ...(await findingsOn(s, object.kind, pod.namespace, object.name)) }
  return { body }
}

export async function describePolicyAnswer(s: Snapshot, query: URLSearchParams): Promise<Answer> {
  const name = query.get('policy')
  if (name === null || !/^[^/]+\/[^/]+$/.test(name)) return badRequest('expected the policy as NAMESPACE/NAME', 'policy')
  const view = policyViewOf(s, name)
  if (!view) return badRequest(notFound('NetworkPolicy', name, s.cluster.policies.map(formatRef)), 'policy')
  const [namespace, policy] = name.split('/') as [string, string]
  const body: DescribePolicyResponse = { describe: describePoliciesReportOf([view]), ...(await findingsOn(s, 'NetworkPolicy', namespace, policy)) }
  return { body }
}

/** The findings of `netpol lint -o json` on one object, or none yet and `lintPending` while the lint runs. */
async function findingsOn(s: Snapshot, kind: string, namespace: string, name: string): Promise<{ lint: unknown[]; lintPending?: true }> {
  const outcome = await lintOutcomeSoon(s)
  if (!outcome) return { lint: [], lintPending: true }
  const report = outcome.report as { findings: readonly LintFindingJson[] }
  return { lint: report.findings.filter((f) => f.object.kind === kind && f.object.namespace === namespace && f.object.name === name) }
}

/** What `netpol describe` says of a name the input does not have. */
function notFound(kind: string, wanted: string, candidates: readonly string[]): string {
  const close = nearest(wanted, candidates)
  return `no ${kind} "${wanted}" in the input${close.length > 0 ? `; did you mean ${close.join(', ')}?` : ''}`
}
