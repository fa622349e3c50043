import type { FlowFormat, FlowLineReader } from './flow-record.js'
import { csvReader } from './read-csv.js'
import { netpolReader } from './read-netpol.js'

/**
 * The line reader of each format (read-<format>.ts), made for one input (`file` is where its records and issues
 * say they were read); absent until that format is read.
 */
export const READERS: Partial<Record<FlowFormat, (file: string) => FlowLineReader>> = {
  netpol: netpolReader,
  csv: csvReader,
}
