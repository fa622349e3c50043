/** The check text of a side decided with cluster policies in play: the chain, then each step's peer and port. */
import { formatClusterRef, type ClusterPolicy } from '../../model/cluster-policy.js'
import { sideAllows, type ClusterStep, type SideVerdict } from '../../engine/verdict.js'
import { chainText, stepParts, stepText } from '../../report/tier-words.js'
import type { Style } from './verdict-text.js'

type TierSide = Extract<SideVerdict, { kind: 'admin' | 'admin-pass' | 'baseline' | 'dns' }>

/** Lines for one tier side; `npLines` renders a NetworkPolicy answer's detail (without its heading). */
export function tierSideLines(
  title: string,
  v: TierSide,
  clusterPolicies: readonly ClusterPolicy[],
  st: Style,
  npLines: (v: SideVerdict) => string[],
  address?: string,
): string[] {
  const word = (s: SideVerdict) => (sideAllows(s) ? st.ok('allowed') : st.bad('denied'))
  if (v.kind === 'dns') {
    const branch = (s: SideVerdict) => chainText(s, address) ?? npChain(s)
    return [
      `  ${title}: ${st.bold('depends on DNS')} — ${stepText(v.step)} names ${v.names.join(', ')}, which the resolution given (--resolve, --resolve-file) does not decide for ${address ?? 'this address'}`,
      `    if ${v.names.join(' or ')} resolves to ${address ?? 'it'}: ${word(v.ifResolved)} — ${branch(v.ifResolved)}`,
      `    otherwise: ${word(v.otherwise)} — ${branch(v.otherwise)}`,
    ]
  }
  const out = [`  ${title}: ${word(v)} — ${chainText(v)}`]
  const steps: ClusterStep[] = v.kind === 'admin' ? [v.step] : v.kind === 'baseline' ? [v.step] : [v.pass, ...(v.then.kind === 'baseline' ? [v.then.step] : [])]
  for (const s of steps) out.push(`    ${formatClusterRef(s.policy)} ${s.direction}[${s.rule}]: ${stepPartsText(s, clusterPolicies)}`)
  if (v.kind === 'admin-pass' && v.then.kind !== 'baseline') out.push(...npLines(v.then))
  return out
}

/** `to[0] networks 0.0.0.0/0, ports[1] 443/TCP` */
function stepPartsText(s: ClusterStep, clusterPolicies: readonly ClusterPolicy[]): string {
  const field = s.direction === 'ingress' ? 'from' : 'to'
  const parts = stepParts(s, clusterPolicies)
  const port = s.port === 'any' ? 'any port (no ports list)' : `ports[${s.port}] ${parts.portText ?? ''}`
  return `${field}[${s.peer}] ${parts.peerText}, ${port}`
}

/** A NetworkPolicy-only answer inside a dns branch, in the chain's words. */
function npChain(s: SideVerdict): string {
  return s.kind === 'not-isolated' ? '[NetworkPolicy] not isolated → [default] allowed' : s.kind === 'allowed' ? '[NetworkPolicy] allowed' : s.kind === 'denied' ? '[NetworkPolicy] denied' : s.kind
}
