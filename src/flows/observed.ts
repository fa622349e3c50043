/**
 * Observed connections, resolved against a cluster: what `audit` checks and `generate` allows. One connection
 * is one (source, destination, protocol, port) as observed, with every record of it collapsed into it.
 */
import type { Pod } from '../model/cluster.js'
import type { IpAddress } from '../model/ip.js'
import type { FlowVerdict } from './flow-record.js'

/**
 * One end resolved against the cluster: a pod of the input (a real pod, or a workload's template that stands
 * for its pods; its workload is `pod.workloads?.[0]` or `pod.template`), an address outside every pod, the node
 * (node and host-network traffic needs no rule: traffic from a pod's node is always allowed), or an end that
 * cannot be resolved, with why.
 */
export type ObservedEnd =
  | { readonly kind: 'pod'; readonly pod: Pod }
  | { readonly kind: 'external'; readonly ip: IpAddress }
  | { readonly kind: 'node'; readonly ip?: IpAddress }
  | { readonly kind: 'unresolved'; readonly why: string }

export interface ObservedConnection {
  readonly from: ObservedEnd
  readonly to: ObservedEnd
  readonly protocol: 'TCP' | 'UDP' | 'SCTP'
  readonly port: number
  /** as observed: `denied` when any of its records says denied, else `audited`, else `allowed`, else `unknown` */
  readonly verdict: FlowVerdict
  /**
   * connections it stands for: records that started one, times their count; for a connection whose start was not
   * seen, the most that one of its records stands for (1 for a packet, Calico's `num_flows`)
   */
  readonly count: number
  /**
   * No record of its start was seen, only replies or packets of the established connection: it began before the
   * capture did. Still evidence of the connection, so it is audited and generated like any other.
   */
  readonly startedBefore?: true
  /** milliseconds since the epoch, when the records say */
  readonly firstSeen?: number
  readonly lastSeen?: number
}

/** What reading and resolving flows counted, for the summary every flow command prints. */
export interface FlowStats {
  /** lines read, records made, records that were not the start of a connection and were folded into one */
  readonly lines: number
  readonly records: number
  readonly collapsed: number
  /** lines that could not be read (see FlowInputIssue) */
  readonly unreadable: number
  /** records whose ends could not be resolved against the cluster */
  readonly unresolvable: number
  /** records whose answer depends on an address the record does not carry (Calico aggregation): never guessed */
  readonly undecidable: number
  /** records of a protocol NetworkPolicy cannot express (ICMP, …) */
  readonly otherProtocol: number
  /** records outside --since/--until */
  readonly outsideWindow: number
  /** connections whose start was not seen (the capture began after they did): see ObservedConnection.startedBefore */
  readonly startedBefore: number
}
