/**
 * Real packets between pods and hosts outside the cluster, against the engine: which (outside host, pod, port)
 * cells the lab probes in each direction, and where the measurement and the engine's verdict disagree. Pure,
 * as lab-compare.ts is for pod-to-pod cells, whose outcome meaning (labCellOf) it shares.
 *
 * ingress: the outside host connects to the pod (the pod's ingress rules, ipBlock peers in `from`);
 * egress: the pod connects to the outside host (the pod's egress rules, ipBlock peers in `to`).
 */
import type { Pod } from '../model/cluster.js'
import type { Family, IpAddress } from '../model/ip.js'
import type { Protocol } from '../model/port.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import { podEndpoint } from '../engine/endpoint.js'
import { evaluateFlow } from '../engine/evaluate.js'
import type { Endpoint, Verdict } from '../engine/verdict.js'
import { LabCell, labCellOf, type LabOutcome } from './lab-compare.js'
import type { PortProtocol } from './reachability.js'

export type OutsideDirection = 'ingress' | 'egress'

/** Why an outside cell was not probed. */
export type OutsideNotProbed =
  /** the pod uses the host's network: it has no namespace of its own in the lab */
  | 'host-network'
  /** the pod has no address of the family */
  | 'no-address'
  /** ingress: the pod declares no such container port; egress: the outside host does not serve the port */
  | 'not-served'

/** One cell: index into the outside hosts, into the pods, into the ports, and the direction. */
export interface OutsideCellRef {
  readonly host: number
  readonly pod: number
  readonly port: number
  readonly direction: OutsideDirection
}

export interface OutsideProbeCell extends OutsideCellRef {
  readonly podIp: string
}

export interface OutsideProbePlan {
  readonly probe: readonly OutsideProbeCell[]
  readonly notProbed: Readonly<Record<OutsideNotProbed, number>>
}

/**
 * The cells of hosts × pods × ports in both directions. `hosts` are of the table's family; `hostPorts` are the
 * ports the lab's outside hosts serve. Cells come out in (port, host, direction, pod) order.
 */
export function outsideProbeCells(
  pods: readonly Pod[],
  hosts: readonly IpAddress[],
  hostPorts: readonly PortProtocol[],
  ports: readonly PortProtocol[],
  family: Family,
): OutsideProbePlan {
  const notProbed: Record<OutsideNotProbed, number> = { 'host-network': 0, 'no-address': 0, 'not-served': 0 }
  const ipOf = pods.map((p) => (p.hostNetwork ? null : (p.ips.find((a) => a.family === family)?.text ?? null)))
  const probe: OutsideProbeCell[] = []
  ports.forEach(({ port, protocol }, k) => {
    const hostServes = hostPorts.some((p) => p.port === port && p.protocol === protocol)
    hosts.forEach((_, h) => {
      for (const direction of ['ingress', 'egress'] as const) {
        pods.forEach((p, i) => {
          const served = direction === 'egress' ? hostServes : p.ports.some((c) => c.port === port && c.protocol === protocol)
          const reason: OutsideNotProbed | null = p.hostNetwork ? 'host-network' : ipOf[i] === null ? 'no-address' : !served ? 'not-served' : null
          if (reason !== null) notProbed[reason]++
          else probe.push({ host: h, pod: i, port: k, direction, podIp: ipOf[i]! })
        })
      }
    })
  })
  return { probe, notProbed }
}

export interface OutsideMeasurement extends OutsideCellRef {
  readonly outcome: LabOutcome
  readonly error?: string
}

/** A measured or failed cell with the engine's verdict beside it. */
export interface OutsideResult extends OutsideCellRef {
  readonly protocol: Protocol
  readonly portNumber: number
  readonly outcome: LabOutcome
  readonly error?: string
  readonly predicted: boolean
  readonly verdict: Verdict
}

export interface OutsideComparison {
  readonly pods: readonly Pod[]
  readonly hosts: readonly IpAddress[]
  readonly family: Family
  readonly ports: readonly PortProtocol[]
  /** per port and direction, hosts × pods cells (`host * pods.length + pod`): LabCell values */
  readonly cells: readonly Readonly<Record<OutsideDirection, Uint8Array>>[]
  /** every probed cell, in (port, host, direction, pod) order */
  readonly results: readonly OutsideResult[]
  readonly measured: number
  readonly agreed: number
  readonly disagreements: readonly OutsideResult[]
  readonly failures: readonly OutsideResult[]
}

/** The flow of a cell: outside host → pod (ingress) or pod → outside host (egress). */
export function outsideFlow(pod: Pod, host: IpAddress, family: Family, direction: OutsideDirection, port: PortProtocol) {
  const p = podEndpoint(pod, family)
  const h: Endpoint = { kind: 'ip', ip: host }
  return { from: direction === 'ingress' ? h : p, to: direction === 'ingress' ? p : h, port: port.port, protocol: port.protocol }
}

/** Each measurement beside the engine's verdict for its flow (evaluateFlow: the same engine as every command). */
export function compareOutside(
  index: ClusterIndex,
  pods: readonly Pod[],
  hosts: readonly IpAddress[],
  ports: readonly PortProtocol[],
  family: Family,
  measurements: readonly OutsideMeasurement[],
): OutsideComparison {
  const n = pods.length
  const cells = ports.map(() => ({ ingress: new Uint8Array(hosts.length * n), egress: new Uint8Array(hosts.length * n) }))
  const results: OutsideResult[] = []
  for (const m of measurements) {
    const port = ports[m.port]
    const host = hosts[m.host]
    const pod = pods[m.pod]
    if (port === undefined || host === undefined || pod === undefined) throw new RangeError(`measurement outside the table: ${JSON.stringify(m)}`)
    cells[m.port]![m.direction][m.host * n + m.pod] = labCellOf(m.outcome)
    const verdict = evaluateFlow(index, outsideFlow(pod, host, family, m.direction, port))
    results.push({ ...m, protocol: port.protocol, portNumber: port.port, predicted: verdict.allowed, verdict })
  }
  results.sort((a, b) => a.port - b.port || a.host - b.host || (a.direction === b.direction ? 0 : a.direction === 'ingress' ? -1 : 1) || a.pod - b.pod)
  const failures = results.filter((r) => labCellOf(r.outcome) === LabCell.failed)
  const measuredResults = results.filter((r) => labCellOf(r.outcome) !== LabCell.failed)
  const disagreements = measuredResults.filter((r) => (labCellOf(r.outcome) === LabCell.allowed) !== r.predicted)
  return { pods, hosts, family, ports, cells, results, measured: measuredResults.length, agreed: measuredResults.length - disagreements.length, disagreements, failures }
}

/**
 * Whether a connection was made from `from` to `to` for the JSON table: a measured cell is true iff it was
 * allowed, a not-probed cell carries the engine's verdict (as pod-to-pod cells do), and one outside host to
 * another is false (no such traffic crosses the cluster). Indexes: pods first, then hosts.
 */
export function outsideAllowed(cmp: OutsideComparison, index: ClusterIndex, k: number, from: number, to: number): boolean {
  const n = cmp.pods.length
  const fromHost = from >= n
  const toHost = to >= n
  if (fromHost === toHost) throw new RangeError('outsideAllowed is for a pod and an outside host')
  const direction: OutsideDirection = fromHost ? 'ingress' : 'egress'
  const host = fromHost ? from - n : to - n
  const pod = fromHost ? to : from
  const cell = cmp.cells[k]![direction][host * n + pod]!
  if (cell !== LabCell.notProbed) return cell === LabCell.allowed
  return evaluateFlow(index, outsideFlow(cmp.pods[pod]!, cmp.hosts[host]!, cmp.family, direction, cmp.ports[k]!)).allowed
}
