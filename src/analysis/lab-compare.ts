/**
 * Real packets against the engine: which cells of the pods × pods × ports table the lab can measure, what
 * each probe outcome means, and where the measurement and the engine's prediction disagree. Pure: the
 * probes are made elsewhere (src/lab), this file only reads their outcomes.
 */
import { standsForSeveral, type Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import type { Protocol } from '../model/port.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import { podEndpoint } from '../engine/endpoint.js'
import { evaluateFlow } from '../engine/evaluate.js'
import type { Verdict } from '../engine/verdict.js'
import { Bitset } from '../engine/bitset.js'
import type { HalfClass, Identities, PodClass } from '../engine/identities.js'
import { ClassMatrix, podAllowed, type PortProtocol, type Reachability } from './reachability.js'

/**
 * What one real connection attempt showed (the lab's probe outcomes):
 * ok = connected / echoed / INIT-ACK; refused = RST, ICMP unreachable or ABORT; timeout = no answer;
 * error = the probe could not be made.
 */
export type LabOutcome = 'ok' | 'refused' | 'timeout' | 'error'

/** Why a cell was not probed: a real server can only prove what it serves, between two lab endpoints. */
export type NotProbedReason =
  /** a pod to itself: loopback traffic, which no policy filters (and the engine always allows) */
  | 'self'
  /**
   * a template of several replicas to itself: one replica to another for the engine, but the lab runs one
   * namespace for the template, where it could only measure loopback
   */
  | 'replicas'
  /** one end uses the host's network: it has no namespace of its own in the lab */
  | 'host-network'
  /** one end has no address of the table's family */
  | 'no-address'
  /** the destination declares no container port with this number and protocol, so nothing listens there */
  | 'not-served'

/** One cell: source pod index, destination pod index, index into the table's ports. */
export interface LabCellRef {
  readonly from: number
  readonly to: number
  readonly port: number
}

/** A cell the lab can measure, with the addresses the probe uses. */
export interface LabProbeCell extends LabCellRef {
  readonly fromIp: string
  readonly toIp: string
}

export interface LabProbePlan {
  readonly probe: readonly LabProbeCell[]
  readonly notProbed: Readonly<Record<NotProbedReason, number>>
}

/**
 * The cells of `pods` × `pods` × `ports` to probe. A cell is probed when the two ends are different pods,
 * neither uses hostNetwork, both have an address of `family` (the first one is used, as `podEndpoint` does),
 * and the destination declares a container port with the cell's number and protocol: an undeclared port
 * has no server, so "allowed" could never be seen there. Cells come out in (port, from, to) order.
 */
export function labProbeCells(pods: readonly Pod[], ports: readonly PortProtocol[], family: Family): LabProbePlan {
  const notProbed: Record<NotProbedReason, number> = { self: 0, replicas: 0, 'host-network': 0, 'no-address': 0, 'not-served': 0 }
  const ipOf = pods.map((p) => (p.hostNetwork ? null : (p.ips.find((a) => a.family === family)?.text ?? null)))
  const probe: LabProbeCell[] = []
  ports.forEach(({ port, protocol }, k) => {
    const serves = pods.map((p) => p.ports.some((c) => c.port === port && c.protocol === protocol))
    for (let i = 0; i < pods.length; i++) {
      for (let j = 0; j < pods.length; j++) {
        const reason: NotProbedReason | null =
          i === j ? (standsForSeveral(pods[i]!) ? 'replicas' : 'self')
          : pods[i]!.hostNetwork || pods[j]!.hostNetwork ? 'host-network'
          : ipOf[i] === null || ipOf[j] === null ? 'no-address'
          : !serves[j] ? 'not-served'
          : null
        if (reason !== null) notProbed[reason]++
        else probe.push({ from: i, to: j, port: k, fromIp: ipOf[i]!, toIp: ipOf[j]! })
      }
    }
  })
  return { probe, notProbed }
}

/** The state of one measured cell. */
export const LabCell = { notProbed: 0, allowed: 1, denied: 2, failed: 3 } as const
export type LabCell = (typeof LabCell)[keyof typeof LabCell]

/**
 * The meaning of an outcome on a port the destination serves. `ok`: the connection was made, so allowed.
 * `timeout`: nothing answered, which is what a dropping rule looks like, so denied. `refused`: the packet
 * reached the destination's kernel (or a rule rejected it) although a server should listen there; the
 * enforcement never answers that way, so the cell is not a measurement but a fault: failed. `error`: failed.
 */
export function labCellOf(outcome: LabOutcome): LabCell {
  switch (outcome) {
    case 'ok':
      return LabCell.allowed
    case 'timeout':
      return LabCell.denied
    default:
      return LabCell.failed
  }
}

export interface LabMeasurement extends LabCellRef {
  readonly outcome: LabOutcome
  /** why a probe failed, when the prober said */
  readonly error?: string
}

/** A measured cell that the engine predicted otherwise, with the engine's reasons. */
export interface LabDisagreement extends LabCellRef {
  readonly protocol: Protocol
  readonly portNumber: number
  readonly measured: 'allowed' | 'denied'
  readonly predicted: boolean
  readonly verdict: Verdict
}

/** A cell whose probe measured nothing: refused on a served port, or no probe could be made. */
export interface LabFailure extends LabCellRef {
  readonly protocol: Protocol
  readonly portNumber: number
  readonly outcome: 'refused' | 'error'
  readonly error?: string
  readonly predicted: boolean
}

export interface LabComparison {
  readonly pods: readonly Pod[]
  readonly family: Family
  readonly ports: readonly PortProtocol[]
  /** per port, pods² cells (row = from, column = to, `from * pods.length + to`): LabCell values */
  readonly cells: readonly Uint8Array[]
  /** cells measured as allowed or denied */
  readonly measured: number
  readonly agreed: number
  readonly disagreements: readonly LabDisagreement[]
  readonly failures: readonly LabFailure[]
}

/**
 * Compares measurements with `predicted` (computeReachability over the same pods, ports and family).
 * Only measured cells count: not-probed cells are neither agreements nor disagreements, and failed cells
 * are listed in `failures` instead. A measurement of a multi-replica template to itself is dropped (see
 * NotProbedReason 'replicas'): the lab's one namespace would show loopback, which policies never filter. A measurement for a cell outside the table is a bug (RangeError).
 * Each disagreement carries the engine's verdict for that flow, so its reasons can be shown.
 */
export function compareLab(index: ClusterIndex, predicted: Reachability, measurements: readonly LabMeasurement[]): LabComparison {
  const { pods, results } = predicted
  const family = predicted.identities.family
  const n = pods.length
  const cells = results.map(() => new Uint8Array(n * n))
  const disagreements: LabDisagreement[] = []
  const failures: LabFailure[] = []
  let measured = 0
  for (const m of measurements) {
    const matrix = results[m.port]
    if (matrix === undefined || m.from < 0 || m.from >= n || m.to < 0 || m.to >= n) throw new RangeError(`measurement outside the table: ${JSON.stringify(m)}`)
    // a template's namespace to itself is loopback, never one replica reaching another: not a measurement
    if (m.from === m.to && standsForSeveral(pods[m.from]!)) continue
    const cell = labCellOf(m.outcome)
    cells[m.port]![m.from * n + m.to] = cell
    const want = podAllowed(predicted, matrix, m.from, m.to)
    const where = { from: m.from, to: m.to, port: m.port, protocol: matrix.protocol, portNumber: matrix.port }
    if (cell === LabCell.failed) {
      failures.push({ ...where, outcome: m.outcome as 'refused' | 'error', ...(m.error === undefined ? {} : { error: m.error }), predicted: want })
      continue
    }
    measured++
    const got = cell === LabCell.allowed
    if (got === want) continue
    const flow = { from: podEndpoint(pods[m.from]!, family), to: podEndpoint(pods[m.to]!, family), port: matrix.port, protocol: matrix.protocol }
    disagreements.push({ ...where, measured: got ? 'allowed' : 'denied', predicted: want, verdict: evaluateFlow(index, flow) })
  }
  const order = (a: LabCellRef, b: LabCellRef) => a.port - b.port || a.from - b.from || a.to - b.to
  disagreements.sort(order)
  failures.sort(order)
  return { pods, family, ports: results.map((r) => ({ port: r.port, protocol: r.protocol })), cells, measured, agreed: measured - disagreements.length, disagreements, failures }
}

/**
 * The measured table as a Reachability, so that every matrix writer renders it. Booleans only, like the
 * matrix: a measured cell is true iff the connection was made (allowed); a failed cell is false (no
 * connection was made); a cell that was not probed carries the engine's prediction. Each pod is its own
 * class, isolated for ingress and admitting exactly the sources measured (or predicted) as allowed.
 */
export function measuredReachability(cmp: LabComparison, predicted: Reachability): Reachability {
  const n = cmp.pods.length
  const family = cmp.family
  const reps = cmp.pods.map((p) => podEndpoint(p, family) as PodClass['rep'])
  const classes: PodClass[] = cmp.pods.map((p, i) => ({ index: i, namespace: p.namespace, rep: reps[i]!, members: [i] }))
  const selectorClasses: HalfClass[] = reps.map((rep, i) => ({ index: i, rep }))
  const addressClasses: HalfClass[] = n === 0 ? [] : [{ index: 0, rep: reps[0]! }]
  const byNamespace = new Map<string, number[]>()
  cmp.pods.forEach((p, i) => byNamespace.set(p.namespace, [...(byNamespace.get(p.namespace) ?? []), i]))
  const ids: Identities = {
    family,
    classes,
    classOf: Int32Array.from(cmp.pods, (_, i) => i),
    byNamespace,
    selectorClasses,
    addressClasses,
    selectorOf: Int32Array.from(cmp.pods, (_, i) => i),
    addressOf: new Int32Array(n),
    selectorsByNamespace: byNamespace,
  }
  const results = predicted.results.map((m, k) => {
    const cells = cmp.cells[k]!
    const admitted = cmp.pods.map((_, to) => {
      const from = new Bitset(n)
      for (let i = 0; i < n; i++) {
        const c = cells[i * n + to]!
        if (c === LabCell.allowed || (c === LabCell.notProbed && podAllowed(predicted, m, i, to))) from.add(i)
      }
      return from
    })
    const none = new Bitset(n)
    return new ClassMatrix(
      m.port,
      m.protocol,
      ids,
      new Uint8Array(n).fill(1),
      admitted,
      cmp.pods.map(() => new Bitset(addressClasses.length)),
      new Uint8Array(n),
      cmp.pods.map(() => none),
      cmp.pods.map(() => []),
    )
  })
  return { pods: cmp.pods, identities: ids, results }
}
