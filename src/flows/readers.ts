import type { FlowFormat, FlowLineReader } from './flow-record.js'

/** The line reader of each format (read-<format>.ts); absent until that format is read. */
export const READERS: Partial<Record<FlowFormat, () => FlowLineReader>> = {}
