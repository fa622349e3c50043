/**
 * Reading flow inputs: files (plain or gzip), `-` for stdin, several at once, each streamed line by line into
 * the reader of its format (detected from the first lines, or given), so that inputs of any size are read in
 * bounded memory. (Contract for the flow commands; implemented with the readers of each format.)
 */
import type { FlowFormat, FlowInputIssue, FlowRecord } from './flow-record.js'

export interface ReadFlowsOptions {
  /** the format of every input; detected per input when absent */
  readonly format?: FlowFormat
  /** reads stdin for `-` */
  readonly stdin?: () => NodeJS.ReadableStream
  /** called for each record in input order; when given, records are not kept in the result (streaming) */
  readonly onRecord?: (r: FlowRecord) => void
}

export interface ReadFlowsResult {
  /** empty when `onRecord` was given */
  readonly records: FlowRecord[]
  readonly issues: FlowInputIssue[]
  readonly lines: number
  /** the format each input was read as */
  readonly formats: ReadonlyMap<string, FlowFormat>
}

/** Never throws for bad content (a line that cannot be read is an issue); a missing file is an issue too. */
export async function readFlows(paths: readonly string[], opts: ReadFlowsOptions = {}): Promise<ReadFlowsResult> {
  void paths
  void opts
  throw new Error('readFlows: not implemented yet')
}
