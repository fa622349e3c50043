export { indexCluster, type ClusterIndex } from './cluster-index.js'
export { evaluateFlow, evaluateSide, networkPolicySide, type EvaluateOptions } from './evaluate.js'
export { tierChain } from './tier-chain.js'
export { clusterPoliciesFor, subjectSelects } from './select-cluster.js'
export { clusterPeerMatches, type ClusterPeerMatch } from './match-cluster-peer.js'
export { clusterPortsMatch, type ClusterPortMatch } from './match-cluster-port.js'
export { matchNames, normalizeName, patternMatchesName, NO_RESOLUTION, type NameResolution, type NamesMatch } from './name-resolution.js'
export { podEndpoint, defaultFamily } from './endpoint.js'
export { peerMatches, explainPeer, matchPeers } from './match-peer.js'
export { matchPort, matchPorts } from './match-port.js'
export { policySelects, isolatingPolicies } from './select.js'
export {
  endpointName,
  sideAllows,
  sideOutcomes,
  dependsOnDns,
  type BelowAdmin,
  type ClusterStep,
  type NetworkPolicySide,
  type Endpoint,
  type Flow,
  type PeerMiss,
  type PortMiss,
  type PolicyMiss,
  type RuleHit,
  type RuleMiss,
  type SideVerdict,
  type Verdict,
  type VerdictNote,
} from './verdict.js'
export { Bitset } from './bitset.js'
export { clusterAddressSets, clusterClassesKey, computeIdentities, distinctIpBlocks, namedPortsKey, type AddressSet, type ClusterTiers, type HalfClass, type Identities, type PodClass } from './identities.js'
export { PeerCache, clusterPeerKey, identitySpace, type PeerSets, type PeerSpace } from './peer-cache.js'
export { PeerPods } from './peer-pods.js'
export {
  ALL_PORTS,
  MAX_PORT,
  NO_DECISION,
  TierDecisions,
  admits,
  intersect,
  merge,
  portSetHas,
  rulePorts,
  subtract,
  type PortInterval,
  type PortSet,
  type PortBits,
  type TierDecision,
  type TierEnds,
  type TierEnd,
  type TierPiece,
  type TierRule,
  type TierRuleRef,
} from './tier-decisions.js'
