/** Builders for cluster policies (subject and rules in one object) and Nodes, as the lint tests use them; test/tier-builders.ts is the set the engine, dataplane and check tests use. */
import type { ClusterAction, ClusterPeer, ClusterPolicy, ClusterPort, ClusterRule, ClusterSubject, Node, Tier } from '../src/model/cluster-policy.js'
import type { LabelSelector } from '../src/model/label-selector.js'
import type { Labels } from '../src/model/labels.js'
import { parseCidr } from '../src/model/ip.js'
import type { Protocol } from '../src/model/port.js'
import { ip, sel } from './builders.js'

type Body = { subject?: ClusterSubject; ingress?: ClusterRule[]; egress?: ClusterRule[] }

const ALL: ClusterSubject = { kind: 'namespaces', selector: sel() }
const body = (b: Body) => ({ subject: b.subject ?? ALL, ingress: b.ingress ?? [], egress: b.egress ?? [] })

export const cnp = (name: string, tier: Tier, priority: number, b: Body = {}): ClusterPolicy => ({ kind: 'ClusterNetworkPolicy', tier, priority, name, ...body(b) })
export const anp = (name: string, priority: number, b: Body = {}): ClusterPolicy => ({ kind: 'AdminNetworkPolicy', tier: 'Admin', priority, name, ...body(b) })
export const banp = (b: Body = {}): ClusterPolicy => ({ kind: 'BaselineAdminNetworkPolicy', tier: 'Baseline', priority: null, name: 'default', ...body(b) })

export const nsSubject = (s: LabelSelector): ClusterSubject => ({ kind: 'namespaces', selector: s })
export const podSubject = (ns: LabelSelector, pods: LabelSelector): ClusterSubject => ({ kind: 'pods', namespaceSelector: ns, podSelector: pods })
export const inNs = (name: string): LabelSelector => sel({ 'kubernetes.io/metadata.name': name })

export const namespaces = (s: LabelSelector = sel()): ClusterPeer => ({ kind: 'namespaces', selector: s })
export const pods = (ns: LabelSelector, p: LabelSelector): ClusterPeer => ({ kind: 'pods', namespaceSelector: ns, podSelector: p })
export const nodes = (s: LabelSelector = sel()): ClusterPeer => ({ kind: 'nodes', selector: s })
export const networks = (...cidrs: string[]): ClusterPeer => ({ kind: 'networks', cidrs: cidrs.map((c) => parseCidr(c)!) })
export const domains = (...names: string[]): ClusterPeer => ({ kind: 'domainNames', names })

export const cport = (p: number, protocol: Protocol = 'TCP', to = p): ClusterPort => ({ kind: 'range', protocol, from: p, to })
export const cnamed = (name: string): ClusterPort => ({ kind: 'named', name })

export function crule(action: ClusterAction, peers: ClusterPeer[], ports: 'any' | ClusterPort[] = 'any', name?: string): ClusterRule {
  return name === undefined ? { action, peers, ports } : { name, action, peers, ports }
}

export const node = (name: string, labels: Labels, addresses: string[]): Node => ({ name, labels, addresses: addresses.map(ip) })
