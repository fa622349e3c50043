/** The summary `netpol generate` prints after the policies: what was read, what got no rule, the verification. */
import type { GenerateResult, SkipReason } from '../../flows/generate-policies.js'
import type { ObservedConnection, ObservedEnd } from '../../flows/observed.js'
import type { ResolveResult } from '../../flows/resolve-flows.js'
import type { VerifyResult } from '../../flows/verify-generated.js'
import { count } from '../../report/words.js'

export interface GenerateSummaryInput {
  readonly lines: number
  readonly unreadable: number
  readonly resolve: Pick<ResolveResult, 'connections' | 'stats' | 'unresolved'>
  readonly gen: GenerateResult
  readonly verified: VerifyResult
}

const WHY: Record<SkipReason, string> = {
  denied: 'denied when observed: never allowed by a generated rule',
  node: 'to or from a node: no rule (traffic from a pod\'s node is always allowed; egress to a node is not, add it by hand if it is needed)',
  'host-network': 'a host-network pod: no rule (it shares its node\'s address and cannot be selected reliably)',
  unresolved: 'an end not resolved against the cluster: no rule',
  self: 'a pod to itself: always allowed, no rule',
  'not-a-pod': 'between two addresses outside the cluster: no policy applies',
}

const SHOWN = 5

export function endText(e: ObservedEnd): string {
  switch (e.kind) {
    case 'pod': return `${e.pod.namespace}/${e.pod.name}`
    case 'external': return e.ip.text
    case 'node': return e.ip ? `node ${e.ip.text}` : 'a node'
    case 'unresolved': return `? (${e.why})`
  }
}

export const connectionText = (c: ObservedConnection): string => `${endText(c.from)} → ${endText(c.to)} ${c.port}/${c.protocol}`

export function generateSummary(s: GenerateSummaryInput): string[] {
  const st = s.resolve.stats
  const out = [
    `netpol generate: ${count(s.lines, 'line')} read (${s.unreadable} unreadable), ${count(st.records, 'record')}, ${st.collapsed} collapsed, ${st.unresolvable} unresolvable, ${st.undecidable} undecidable, ${st.otherProtocol} of other protocols; ${count(s.resolve.connections.length, 'connection')} (${st.startedBefore} started before the capture)`,
    `${s.gen.policies.length} polic${s.gen.policies.length === 1 ? 'y' : 'ies'} for ${count(s.gen.allowed.length, 'observed connection')}`,
  ]
  const byWhy = new Map<SkipReason, ObservedConnection[]>()
  for (const k of s.gen.skipped) byWhy.set(k.why, [...(byWhy.get(k.why) ?? []), k.connection])
  for (const [why, list] of byWhy) {
    out.push(`${count(list.length, 'connection')} ${WHY[why]}:`)
    for (const c of list.slice(0, SHOWN)) out.push(`  ${connectionText(c)}`)
    if (list.length > SHOWN) out.push(`  … and ${list.length - SHOWN} more`)
  }
  for (const n of s.gen.notes) out.push(`note: ${n}`)
  const v = s.verified
  if (v.failures.length === 0 && v.invalid.length === 0) out.push(`verified: all ${count(v.checked, 'observed connection')} ALLOWED by the output plus the existing policies`)
  else {
    out.push(`VERIFICATION FAILED: ${v.failures.length} of ${count(v.checked, 'observed connection')} DENIED by the output plus the existing policies${v.invalid.length > 0 ? `; ${v.invalid.length} generated polic${v.invalid.length === 1 ? 'y' : 'ies'} invalid` : ''}`)
    for (const f of v.failures.slice(0, 20)) out.push(`  ${connectionText(f.connection)}`)
  }
  out.push('What the output changes compared to the cluster today (netpol diff):')
  return out
}
