/**
 * What the three cluster policy kinds write differently, read from their CRDs (experimental channel, which holds
 * every field of the standard one): ClusterNetworkPolicy v1alpha2 (network-policy-api v0.2.0), and
 * AdminNetworkPolicy / BaselineAdminNetworkPolicy v1alpha1 (v0.1.7).
 */
import type { ClusterAction, ClusterPolicyKind } from './cluster-policy.js'

export type PeerField = 'namespaces' | 'pods' | 'nodes' | 'networks' | 'domainNames'

export interface Dialect {
  readonly kind: ClusterPolicyKind
  /** the fields of `spec` */
  readonly specFields: ReadonlySet<string>
  /** "A maximum of 25 rules" (CNP) / "A total of 100 rules" (ANP, BANP), per direction */
  readonly maxRules: number
  /** maxItems of `from`/`to` and of the ports list */
  readonly maxPeers: number
  readonly maxPorts: number
  /** the enum of `action`, as written, and what each means */
  readonly actions: Readonly<Record<string, ClusterAction>>
  /** where a rule's ports are: `protocols` (CNP) or `ports` (ANP, BANP) */
  readonly portsKey: 'protocols' | 'ports'
  readonly ingressPeers: readonly PeerField[]
  readonly egressPeers: readonly PeerField[]
  /** NamespacedPod: v1alpha1 requires namespaceSelector too; v1alpha2 only podSelector */
  readonly namespaceSelectorRequired: boolean
  /** the DomainName pattern of the CRD */
  readonly domainPattern: RegExp
}

// ClusterNetworkPolicy: DomainName "+kubebuilder:validation:Pattern" of v1alpha2
const CNP_DOMAIN = /^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/
// AdminNetworkPolicy v1alpha1 writes the first character of a label as [a-zA-z0-9]: the range A-z also holds
// [ \ ] ^ _ and `, which the API server therefore accepts there. netpol takes the pattern as the CRD has it.
const ANP_DOMAIN = /^(\*\.)?([a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/

const IN_CLUSTER: readonly PeerField[] = ['namespaces', 'pods']

export const DIALECTS: Readonly<Record<ClusterPolicyKind, Dialect>> = {
  ClusterNetworkPolicy: {
    kind: 'ClusterNetworkPolicy',
    specFields: new Set(['tier', 'priority', 'subject', 'ingress', 'egress']),
    maxRules: 25,
    maxPeers: 25,
    maxPorts: 25,
    actions: { Accept: 'Accept', Deny: 'Deny', Pass: 'Pass' },
    portsKey: 'protocols',
    ingressPeers: IN_CLUSTER,
    egressPeers: ['namespaces', 'pods', 'nodes', 'networks', 'domainNames'],
    namespaceSelectorRequired: false,
    domainPattern: CNP_DOMAIN,
  },
  AdminNetworkPolicy: {
    kind: 'AdminNetworkPolicy',
    specFields: new Set(['priority', 'subject', 'ingress', 'egress']),
    maxRules: 100,
    maxPeers: 100,
    maxPorts: 100,
    actions: { Allow: 'Accept', Deny: 'Deny', Pass: 'Pass' },
    portsKey: 'ports',
    ingressPeers: IN_CLUSTER,
    egressPeers: ['namespaces', 'pods', 'nodes', 'networks', 'domainNames'],
    namespaceSelectorRequired: true,
    domainPattern: ANP_DOMAIN,
  },
  BaselineAdminNetworkPolicy: {
    kind: 'BaselineAdminNetworkPolicy',
    specFields: new Set(['subject', 'ingress', 'egress']),
    maxRules: 100,
    maxPeers: 100,
    maxPorts: 100,
    actions: { Allow: 'Accept', Deny: 'Deny' },
    portsKey: 'ports',
    ingressPeers: IN_CLUSTER,
    egressPeers: ['namespaces', 'pods', 'nodes', 'networks'],
    namespaceSelectorRequired: true,
    domainPattern: ANP_DOMAIN,
  },
}

/** "Networks can have up to 25 CIDRs", "DomainNames can have up to 25 domain names" (all kinds) */
export const MAX_NETWORKS = 25
export const MAX_DOMAIN_NAMES = 25
/** CIDR: "+kubebuilder:validation:MaxLength=43" */
export const CIDR_MAX_LENGTH = 43
/** rule name: "may be no more than 100 characters" */
export const RULE_NAME_MAX = 100
/** priority: "+kubebuilder:validation:Minimum=0", "Maximum=1000" */
export const PRIORITY_MIN = 0
export const PRIORITY_MAX = 1000
