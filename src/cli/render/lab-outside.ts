import { LabCell } from '../../analysis/lab-compare.js'
import type { OutsideComparison, OutsideNotProbed, OutsideResult } from '../../analysis/lab-outside.js'
import type { Sink } from './matrix.js'
import { verdictLine } from './lab-diff.js'

const SYMBOL: Record<LabCell, string> = { [LabCell.notProbed]: '-', [LabCell.allowed]: '.', [LabCell.denied]: 'X', [LabCell.failed]: '!' }

const NOT_PROBED_TEXT: Record<OutsideNotProbed, string> = {
  'not-served': 'port not served',
  'host-network': 'hostNetwork pod',
  'no-address': 'no address of the family',
}

/**
 * Per port, one row per outside host: what it measured connecting to each pod (ingress) and each pod
 * connecting to it (egress), the columns numbered as the pods of the pod table above. `why` says per host
 * how it stands to the ipBlocks ("in 203.0.113.0/24").
 */
export async function writeOutsideTable(cmp: OutsideComparison, why: readonly string[], write: Sink): Promise<void> {
  const n = cmp.pods.length
  if (cmp.hosts.length === 0 || n === 0) return
  const width = String(n).length
  const sep = n <= 60 ? ' ' : ''
  const labels = cmp.hosts.map((h, e) => `${h.text} (${why[e]})`)
  const labelWidth = Math.max(...labels.map((s) => s.length))
  const block = n * (sep.length + 1) - sep.length
  const heads = ['to the pods', 'from the pods']
  const colWidth = Math.max(block, ...heads.map((h) => h.length))
  const lead = ' '.repeat(labelWidth + 2)
  const pad = (s: string) => s.padEnd(colWidth)
  for (let k = 0; k < cmp.ports.length; k++) {
    const { port, protocol } = cmp.ports[k]!
    await write(`\noutside hosts, port ${port}/${protocol}   (columns: the pods above; . connected, X no answer, - not probed, ! probe failed)\n\n`)
    await write(`${lead}${pad(heads[0]!)}   ${heads[1]}\n`)
    for (let d = width - 1; d >= 0; d--) {
      const digits = Array.from({ length: n }, (_, j) => {
        const num = String(j + 1)
        return num.length > d ? num[num.length - 1 - d]! : ' '
      }).join(sep)
      await write(`${lead}${pad(digits)}   ${digits}\n`)
    }
    const { ingress, egress } = cmp.cells[k]!
    for (let e = 0; e < cmp.hosts.length; e++) {
      const row = (cells: Uint8Array) => Array.from(cells.subarray(e * n, (e + 1) * n), (c) => SYMBOL[c as LabCell]).join(sep)
      await write(`${labels[e]!.padEnd(labelWidth)}  ${pad(row(ingress))}   ${row(egress)}\n`)
    }
  }
}

const ends = (cmp: OutsideComparison, r: OutsideResult): [string, string] => {
  const pod = `${cmp.pods[r.pod]!.namespace}/${cmp.pods[r.pod]!.name}`
  const host = cmp.hosts[r.host]!.text
  return r.direction === 'ingress' ? [host, pod] : [pod, host]
}

/** The summary line of the outside probes, then each disagreement with the engine's reasons, then each failed probe. */
export function renderOutsideDiff(cmp: OutsideComparison, notProbed: Readonly<Record<OutsideNotProbed, number>>): string {
  if (cmp.hosts.length === 0) return ''
  const skipped = Object.entries(notProbed).filter(([, count]) => count > 0)
  const skippedText = skipped.length === 0 ? '' : `; not probed: ${skipped.map(([r, count]) => `${count} (${NOT_PROBED_TEXT[r as OutsideNotProbed]})`).join(', ')}`
  const lines = [
    `lab vs engine, outside hosts (IPv${cmp.family}, ${cmp.hosts.length} host${cmp.hosts.length === 1 ? '' : 's'}, both ways): ${cmp.measured} cells measured, ${cmp.agreed} agree, ${cmp.disagreements.length} disagree, ${cmp.failures.length} failed${skippedText}`,
  ]
  if (cmp.disagreements.length > 0) {
    lines.push('', `${cmp.disagreements.length} disagreement${cmp.disagreements.length === 1 ? '' : 's'} with outside hosts (measured in the lab vs predicted by the engine):`)
    for (const d of cmp.disagreements) {
      const [from, to] = ends(cmp, d)
      lines.push(`  ${from} → ${to}  ${d.portNumber}/${d.protocol}  lab: ${d.outcome === 'ok' ? 'allowed' : 'denied'}, engine: ${d.predicted ? 'allowed' : 'denied'}`)
      lines.push(`      ${verdictLine(from, to, d.verdict)}`)
    }
  }
  if (cmp.failures.length > 0) {
    lines.push('', `${cmp.failures.length} probe${cmp.failures.length === 1 ? '' : 's'} with outside hosts failed (no measurement):`)
    for (const f of cmp.failures) {
      const [from, to] = ends(cmp, f)
      lines.push(`  ${from} → ${to}  ${f.portNumber}/${f.protocol}  ${f.outcome}${f.error === undefined ? '' : `: ${f.error}`}`)
    }
  }
  return lines.join('\n') + '\n'
}
