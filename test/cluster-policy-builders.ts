/** Builders for cluster policies (subject and rules in one object) and Nodes, as the lint tests use them; test/tier-builders.ts is the set the engine, dataplane and check tests use. */
import type { ClusterPeer, ClusterPolicy, ClusterPort, ClusterRule, ClusterSubject, Tier } from '../src/model/cluster-policy.js'
import type { LabelSelector } from '../src/model/label-selector.js'
import type { Protocol } from '../src/model/port.js'
import { sel } from './builders.js'

import { tcp, toNamespaces, toNodes } from './tier-builders.js'

export { crule, node, nsSubject, podSubject } from './tier-builders.js'

type Body = { subject?: ClusterSubject; ingress?: ClusterRule[]; egress?: ClusterRule[] }

const ALL: ClusterSubject = { kind: 'namespaces', selector: sel() }
const body = (b: Body) => ({ subject: b.subject ?? ALL, ingress: b.ingress ?? [], egress: b.egress ?? [] })

export const cnp = (name: string, tier: Tier, priority: number, b: Body = {}): ClusterPolicy => ({ kind: 'ClusterNetworkPolicy', tier, priority, name, ...body(b) })
export const anp = (name: string, priority: number, b: Body = {}): ClusterPolicy => ({ kind: 'AdminNetworkPolicy', tier: 'Admin', priority, name, ...body(b) })
export const banp = (b: Body = {}): ClusterPolicy => ({ kind: 'BaselineAdminNetworkPolicy', tier: 'Baseline', priority: null, name: 'default', ...body(b) })

export const inNs = (name: string): LabelSelector => sel({ 'kubernetes.io/metadata.name': name })

export const namespaces = (s: LabelSelector = sel()): ClusterPeer => toNamespaces(s)
export const nodes = (s: LabelSelector = sel()): ClusterPeer => toNodes(s)
export { toPods as pods, toNetworks as networks, toDomains as domains, named as cnamed } from './tier-builders.js'

export const cport = (p: number, protocol: Protocol = 'TCP', to = p): ClusterPort => tcp(p, to, protocol)

