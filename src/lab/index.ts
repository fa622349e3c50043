/**
 * The lab: a cluster's pods as network namespaces on one bridge, with real servers and real probes, so
 * that packets can show whether the engine and the nftables agent agree. Needs root.
 */
export {
  DEFAULT_POD_CIDR4,
  DEFAULT_POD_CIDR6,
  LAB_BRIDGE,
  LAB_EXT_NETNS,
  LAB_NETNS_PREFIXES,
  LAB_NODE_NETNS,
  planLab,
  resolveLabSource,
  type LabAddress,
  type HostPodInput,
  type LabEndpoint,
  type LabHostPod,
  type LabIssue,
  type LabOptions,
  type LabPlan,
  type LabPod,
  type LabPodInput,
  type LabPort,
  type LabRoute,
} from './lab-plan.js'
export { LabBusyError, labDown, labStatus, labUp, type LabDownReport, type LabStatus, type LabUpOptions } from './lab-host.js'
export { DEFAULT_LAB_NAME, checkLabName, labNames, type LabNames } from './lab-names.js'
export { HOST_TOOLS, missingTools, packageHint, type HostTool } from '../agent/host-tools.js'
export { LabError } from './lab-exec.js'
export { LAB_STATE_FILE, type LabProcess, type LabState } from './lab-state.js'
export { probeAll, type ProbeOptions, type ProbeOutcome, type ProbeProgress, type ProbeResult, type ProbeTarget } from './probe.js'
