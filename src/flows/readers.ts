import type { FlowFormat, FlowLineReader } from './flow-record.js'
import { calicoReader } from './read-calico.js'
import { hubbleReader } from './read-hubble.js'

/**
 * The line reader of each format (read-<format>.ts); absent until that format is read. `file` names the input
 * in records and issues (a path or `<stdin>`;
 * `<input>` when not given).
 */
export const READERS: Partial<Record<FlowFormat, (file?: string) => FlowLineReader>> = {
  hubble: hubbleReader,
  calico: calicoReader,
}
