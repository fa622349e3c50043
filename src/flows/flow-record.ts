/**
 * Observed traffic, as every flow format is read into it: one record per observed event, before it is resolved
 * against a cluster (resolve-flows.ts) and collapsed into connections. Pure types; the readers are in
 * read-*.ts, one per format, and never throw for a bad line (they report it as a `FlowInputIssue`).
 */
import type { IpAddress } from '../model/ip.js'
import type { Labels } from '../model/labels.js'

/** The flow formats netpol reads. */
export type FlowFormat = 'hubble' | 'calico' | 'netpol' | 'csv'

/**
 * What the observer said happened. `allowed`: forwarded/accepted; `denied`: dropped by policy; `audited`: a
 * policy would have dropped it (audit/log-only mode); `unknown`: the record does not say.
 */
export type FlowVerdict = 'allowed' | 'denied' | 'audited' | 'unknown'

/** The transport NetworkPolicy can express, or `other` (ICMP, …: counted and reported, never dropped silently). */
export type FlowProtocol = 'TCP' | 'UDP' | 'SCTP' | 'other'

/** One end of an observed flow, as much as the record tells. */
export interface FlowEndpoint {
  /** absent when the record carries no address (e.g. a Calico flow aggregated by name) */
  readonly ip?: IpAddress
  readonly namespace?: string
  /** the pod's name, when the record names one */
  readonly pod?: string
  /** the owning workload as the record names it (Hubble `workloads`, Calico `name_aggr` with `-*`) */
  readonly workload?: { readonly kind?: string; readonly name: string }
  /** labels as the record gives them (Hubble `k8s:key=value`, Calico `labels`) */
  readonly labels?: Labels
  /**
   * What the observer says the end is: a pod, the node (host), the world outside the cluster, or something it
   * could not tell. `host-network` is a pod sharing its node's address.
   */
  readonly kind: 'pod' | 'host' | 'host-network' | 'world' | 'unknown'
  /** Calico's aggregated name (`pub`, `pvt`, `web-*`) when that is all the record has */
  readonly aggregated?: string
}

/** One observed event. */
export interface FlowRecord {
  readonly format: FlowFormat
  /** where it was read: file (or `<stdin>`) and 1-based line */
  readonly file: string
  readonly line: number
  /** milliseconds since the epoch, when the record says */
  readonly time?: number
  readonly source: FlowEndpoint
  readonly destination: FlowEndpoint
  readonly protocol: FlowProtocol
  /** the destination port, the pod's port (after any Service translation); absent for `other` */
  readonly port?: number
  readonly verdict: FlowVerdict
  /** how many connections this record stands for (CSV `count`, Calico `num_flows_started`); 1 otherwise */
  readonly count: number
  /**
   * True when the record is not the start of a connection: a reply (Hubble `is_reply`), a packet of an
   * established connection (TCP without SYN or with SYN+ACK), or a trace point that a verdict record of the same
   * connection also reports. Such records are collapsed into the connection they belong to, never counted alone.
   */
  readonly notAStart?: boolean
  /**
   * The packet goes from the connection's destination back to its source (Hubble `is_reply`, or a TCP SYN-ACK):
   * the connection is the reverse of the record's direction, to the record's `sourcePort`. Only on records that
   * are not a start.
   */
  readonly reply?: boolean
  /** the observer's words for a drop (Hubble `drop_reason_desc`, Calico policy hits), kept for reports */
  readonly reason?: string
  /** the node that observed it (Hubble `node_name`, Calico `host`): two nodes reporting one connection collapse */
  readonly observer?: string
  /**
   * Which end of the connection reported the record (Hubble `traffic_direction` EGRESS → source, INGRESS →
   * destination; Calico `reporter` src/dst): the same connection reported at both ends is one connection.
   */
  readonly observedAt?: 'source' | 'destination'
  /** the source port, when the record says: with the ends and the time it tells two connections apart */
  readonly sourcePort?: number
}

/** A line that could not be read: reported with its place, counted, never fatal. */
export interface FlowInputIssue {
  readonly file: string
  readonly line: number
  /** e.g. 'not JSON', 'truncated', 'no destination port', 'unknown verdict "X"' */
  readonly message: string
}

/** What a reader gives for one input: records in input order and the lines it could not read. */
export interface FlowReadResult {
  readonly records: FlowRecord[]
  readonly issues: FlowInputIssue[]
}

/** A reader of one format: fed one line at a time (streamed), so that a file of any size is read in bounded memory. */
export interface FlowLineReader {
  /** the record(s) of one line (a line may hold none: blank, a header), or an issue */
  line(text: string, lineNo: number): FlowRecord[] | FlowInputIssue
}
