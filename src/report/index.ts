/**
 * The JSON contracts of netpol's commands, one file each, shared by the CLI's `-o json` and `netpol serve`: the
 * same function builds the same object from the same analysis results, so the page shows exactly what the
 * command line prints. Each function is pure; reading manifests and writing output stay with the callers.
 */
export { checkReport, type CheckedFlow } from './check-report.js'
export { checkConnections, planCheck, resolveErrorText, type CheckQuery, type CheckQueryError, type CheckResult, type PlannedFlow } from './check-plan.js'
export { describePodsReport, describePoliciesReport } from './describe-report.js'
export { lintReport, limitFindings } from './lint-report.js'
export { placeFindings } from './place-findings.js'
export { diffReport, totals as diffTotals, connections as diffConnections } from './diff-report.js'
export { parsePort, portText } from './port-text.js'
export { count, peerWords, portWords, readableLabels, selectorText, NOISY_LABELS } from './words.js'
export { planMatrix, matrixCells, writeMatrixReport, type MatrixAxes, type MatrixPlan, type MatrixPlanResult, type MatrixQuery, type Sink } from './matrix-report.js'
export { graphReport, ipBlocksOf, parseGraphOptions, autoLevel, defaultGraphLevel, AUTO_LIMIT, GRAPH_LEVELS, type GraphOptions } from './graph-report.js'
export type { GraphEdge, GraphGroup, GraphLevel, GraphNode, GraphReport, PortChoice } from './graph-types.js'
export { graphChange } from './graph-change.js'
export { applyGraphDelta, graphChangeDelta, graphDelta, type GraphDelta } from './graph-delta.js'
export { writeClassesReport } from './classes-report.js'
