export { AgentLoop, watchPaths, type AgentConfig, type AgentDeps, type AgentEvent, type LoadOutcome, type SyncOutcome } from './loop.js'
export { AgentMetrics, parseListenAddress, serveMetrics } from './metrics.js'
export { FlowLog, describePacket, parseUlogdLine, startUlogd, type FlowLogEntry, type LoggedPacket } from './flow-log.js'
export { ExecConntrack, flowsToCut, parseConntrack, type Conntrack, type CtFlow } from './conntrack.js'
