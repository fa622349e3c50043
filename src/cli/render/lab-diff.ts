import type { LabComparison, LabFailure, NotProbedReason } from '../../analysis/lab-compare.js'
import type { Direction } from '../../model/policy.js'
import { formatRef } from '../../model/policy.js'
import type { SideVerdict, Verdict } from '../../engine/verdict.js'
import { chainText } from '../../report/tier-words.js'

const NOT_PROBED_TEXT: Record<NotProbedReason, string> = {
  'not-served': 'port not served by the destination',
  self: 'a pod to itself',
  replicas: 'a template of several replicas to itself, one namespace in the lab',
  'host-network': 'hostNetwork pod',
  'no-address': 'no address of the family',
}

/** One side of a verdict in a few words. */
function sideText(v: SideVerdict, dir: Direction): string {
  switch (v.kind) {
    case 'not-a-pod':
      return 'not a pod'
    case 'not-isolated':
      return `not isolated for ${dir}`
    case 'self':
      return 'the same pod'
    case 'from-node':
      return "from the pod's node"
    case 'allowed': {
      const hits = [...new Set(v.allowedBy.map((h) => `${formatRef(h.policy)} ${h.direction}[${h.rule}]`))]
      return `allowed by ${hits.join(', ')}`
    }
    case 'denied':
      return `denied: isolated by ${v.isolatedBy.map(formatRef).join(', ')}, no rule matches`
    case 'admin':
    case 'admin-pass':
    case 'baseline':
    case 'dns':
      return chainText(v)!
  }
}

/** The engine's verdict in one line: "egress of A: …; ingress of B: …". */
export function verdictLine(from: string, to: string, v: Verdict): string {
  return `engine: egress of ${from}: ${sideText(v.egress, 'egress')}; ingress of ${to}: ${sideText(v.ingress, 'ingress')}`
}

function failureText(f: LabFailure): string {
  if (f.outcome === 'refused')
    return 'refused: the destination answered on a port it declares, so its server is not listening there or a rule rejects instead of dropping'
  return `probe error${f.error === undefined ? '' : `: ${f.error}`}`
}

export interface LabDiffOptions {
  readonly notProbed: Readonly<Record<NotProbedReason, number>>
  /** the -f paths for the `netpol check` hint */
  readonly checkFiles: readonly string[]
  /** the input of the hint instead of -f (a live lab: `--kubeconfig K`) */
  readonly checkInput?: string
}

/**
 * The comparison for people: one summary line, then each disagreement (measured vs predicted, and the
 * engine's reasons in one line), then each probe that measured nothing. Ends with a newline.
 */
export function renderLabDiff(cmp: LabComparison, opts: LabDiffOptions): string {
  const name = (i: number) => `${cmp.pods[i]!.namespace}/${cmp.pods[i]!.name}`
  const skipped = Object.entries(opts.notProbed).filter(([, count]) => count > 0)
  const skippedText = skipped.length === 0 ? '' : `; not probed: ${skipped.map(([r, count]) => `${count} (${NOT_PROBED_TEXT[r as NotProbedReason]})`).join(', ')}`
  const lines = [`lab vs engine (IPv${cmp.family}): ${cmp.measured} cells measured, ${cmp.agreed} agree, ${cmp.disagreements.length} disagree, ${cmp.failures.length} failed${skippedText}`]
  if (cmp.disagreements.length > 0) {
    lines.push('', `${cmp.disagreements.length} disagreement${cmp.disagreements.length === 1 ? '' : 's'} (measured in the lab vs predicted by the engine):`)
    for (const d of cmp.disagreements) {
      lines.push(`  ${name(d.from)} → ${name(d.to)}  ${d.portNumber}/${d.protocol}  lab: ${d.measured}, engine: ${d.predicted ? 'allowed' : 'denied'}`)
      lines.push(`      ${verdictLine(name(d.from), name(d.to), d.verdict)}`)
    }
    const d = cmp.disagreements[0]!
    lines.push(`  full reasons: netpol check ${opts.checkInput ?? opts.checkFiles.map((f) => `-f ${f}`).join(' ')} --from ${name(d.from)} --to ${name(d.to)} --port ${d.portNumber}/${d.protocol} --family ${cmp.family}`)
  }
  if (cmp.failures.length > 0) {
    lines.push('', `${cmp.failures.length} probe${cmp.failures.length === 1 ? '' : 's'} failed (no measurement):`)
    for (const f of cmp.failures) lines.push(`  ${name(f.from)} → ${name(f.to)}  ${f.portNumber}/${f.protocol}  ${failureText(f)}`)
  }
  return lines.join('\n') + '\n'
}
