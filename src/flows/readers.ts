import type { FlowFormat, FlowLineReader } from './flow-record.js'
import { calicoReader } from './read-calico.js'
import { csvReader } from './read-csv.js'
import { hubbleReader } from './read-hubble.js'
import { netpolReader } from './read-netpol.js'

/**
 * The line reader of each format (read-<format>.ts), made for one input: `file` is where its records and issues
 * say they were read (a path or `<stdin>`).
 */
export const READERS: Record<FlowFormat, (file: string) => FlowLineReader> = {
  hubble: hubbleReader,
  calico: calicoReader,
  netpol: netpolReader,
  csv: csvReader,
}
