import { describe, expect, test } from 'vitest'
import type { Cluster, Service } from '../../model/cluster.js'
import { toDotPath } from '../../model/issues.js'
import { cluster, ip, ipPeer, namedPort, namespace, nsPeer, pod, podsPeer, policy, port, rule, sel } from '../../../test/builders.js'
import { banp, cnp, crule, domains, inNs, namespaces, networks, nsSubject } from '../../../test/cluster-policy-builders.js'
import type { ClusterPolicy } from '../../model/cluster-policy.js'
import { createContext } from './context.js'
import { formatObject, partsText, type Draft, type Part } from './finding.js'
import { CHECKS } from './index.js'

/** Runs one check: per finding "Kind ns/name spec.path: message" and the fix's YAML, or the reason it skipped. */
function run(id: string, c: Cluster): { text: string; yaml: string }[] {
  const check = CHECKS.find((x) => x.id === id)!
  const r = check.run(createContext(c))
  if (!Array.isArray(r)) return [{ text: `skipped: ${partsText((r as { skipped: Part[] }).skipped)}`, yaml: '' }]
  return (r as Draft[]).map((d) => ({ text: `${formatObject(d.object)} ${toDotPath(d.path)}: ${partsText(d.message)}`, yaml: d.fix?.yaml ?? '' }))
}

const withServices = (c: Cluster, services: Service[]): Cluster => ({ ...c, services })
/** The cluster with namespace `ns` as the loader makes one that only a reference names. */
const withImplicit = (c: Cluster, ns: string): Cluster => ({ ...c, namespaces: new Map([...c.namespaces, [ns, { name: ns, labels: { 'kubernetes.io/metadata.name': ns }, implicit: true }]]) })

const dns = pod('kube-system/coredns-1', { 'k8s-app': 'kube-dns' }, { ips: ['10.244.0.10'], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] })
const web = pod('shop/web-1', { app: 'frontend' }, { ips: ['10.244.1.10'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] })
const web2 = pod('shop/web-2', { app: 'frontend' }, { ips: ['10.244.1.11'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] })
const api = pod('shop/api-1', { app: 'api' }, { ips: ['10.244.1.20'], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] })
const db = pod('shop/db-1', { app: 'db' }, { ips: ['10.244.1.30'], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] })
const agent = pod('shop/agent', { app: 'agent' }, { ips: ['10.0.0.5'], hostNetwork: true })
const prom = pod('monitoring/prom-1', { app: 'prometheus' }, { ips: ['10.244.2.10'] })
const graf = pod('monitoring/grafana-1', { app: 'grafana' }, { ips: ['10.244.2.20'] })
const nss = [namespace('shop', { team: 'shop' }), namespace('monitoring', { purpose: 'monitoring' }), namespace('kube-system')]
const shop = (policies: Parameters<typeof cluster>[0]['policies'], pods = [dns, web, web2, api, db, prom, graf]) => cluster({ namespaces: nss, pods, policies })

/** The shop with cluster policies (and NetworkPolicies). */
const tiers = (clusterPolicies: ClusterPolicy[], policies: Parameters<typeof cluster>[0]['policies'] = []) => cluster({ namespaces: nss, pods: [dns, web, web2, api, db, prom, graf], policies, clusterPolicies })
const shopSubject = nsSubject(inNs('shop'))
const fromMonitoring = namespaces(inNs('monitoring'))

const egressOnly = (name: string, tweak: Parameters<typeof policy>[2] = {}) => policy('shop', name, { ingress: null, egress: [], ...tweak })
const allowDns = (ports = [port(53, 'UDP'), port(53, 'TCP')]) =>
  egressOnly('allow-dns', { egress: [rule([podsPeer(sel({ 'k8s-app': 'kube-dns' }), sel({ 'kubernetes.io/metadata.name': 'kube-system' }))], ports)] })
const webSvc: Service = { namespace: 'shop', name: 'web', selector: { app: 'frontend' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 'http' }] }
const vipSvc: Service = { ...webSvc, clusterIPs: [ip('10.96.0.80')] }

interface Case {
  name: string
  id: string
  c: Cluster
  /** one per expected finding, in order: a substring of the message, or [message part, YAML part] */
  want: (string | [string, string])[]
}

const cases: Case[] = [
  // NP001 missing-default-deny
  { id: 'NP001', name: 'no policies: both directions reported', c: cluster({ pods: [web] }), want: ['Namespace shop : no default-deny ingress', 'Namespace shop : no default-deny egress'] },
  { id: 'NP001', name: 'a baseline for both directions', c: cluster({ pods: [web], policies: [policy('shop', 'deny', { ingress: [], egress: [] })] }), want: [] },
  { id: 'NP001', name: 'a deny that selects some pods only is no baseline', c: cluster({ pods: [web], policies: [policy('shop', 'deny', { podSelector: sel({ app: 'frontend' }), egress: [] })] }), want: ['no default-deny ingress', 'no default-deny egress'] },
  { id: 'NP001', name: 'only hostNetwork pods: nothing to protect', c: cluster({ pods: [agent] }), want: [] },

  // NP002 egress-no-dns
  { id: 'NP002', name: 'egress deny without DNS', c: shop([egressOnly('deny')]), want: ['NetworkPolicy shop/deny spec.egress: 4 pods (shop/api-1, shop/db-1, shop/web-1 and 1 more) are isolated for egress by shop/deny and may not send DNS queries on UDP 53 or TCP 53'] },
  { id: 'NP002', name: 'egress deny plus allow-dns', c: shop([egressOnly('deny'), allowDns()]), want: [] },
  { id: 'NP002', name: 'UDP only: TCP fallback fails', c: shop([egressOnly('deny'), allowDns([port(53, 'UDP')])]), want: ['on TCP 53 to the cluster DNS (kube-system/coredns-1): UDP queries work, but answers too large'] },
  { id: 'NP002', name: 'the DNS pods deny ingress', c: shop([policy('kube-system', 'deny')]), want: ['NetworkPolicy kube-system/deny spec.ingress: the cluster DNS pods (kube-system/coredns-1) are isolated for ingress by kube-system/deny, which admit no DNS queries on UDP 53 or TCP 53 from 6 pods'] },
  { id: 'NP002', name: 'no DNS pods in the input: skipped', c: shop([egressOnly('deny')], [web]), want: ['skipped: no cluster DNS pods in the input'] },
  { id: 'NP002', name: 'no DNS pods and nothing isolated: nothing to say', c: shop([], [web]), want: [] },

  // NP003 metadata-reachable
  { id: 'NP003', name: '0.0.0.0/0 includes the metadata address', c: shop([egressOnly('out', { egress: [rule([ipPeer('0.0.0.0/0')])] })]), want: ['NetworkPolicy shop/out spec.egress[0].to[0]: ipBlock 0.0.0.0/0 lets 4 pods (shop/api-1, shop/db-1, shop/web-1 and 1 more), whose egress is otherwise restricted'] },
  { id: 'NP003', name: 'a rule without to', c: shop([egressOnly('out', { egress: [rule('any', [port(80)])] })]), want: ['spec.egress[0]: a rule without to (any destination) lets'] },
  { id: 'NP003', name: 'excepted', c: shop([egressOnly('out', { egress: [rule([ipPeer('0.0.0.0/0', ['169.254.169.254/32'])])] })]), want: [] },
  { id: 'NP003', name: 'a rule allowing all egress: not restricted at all', c: shop([egressOnly('out', { egress: [rule()] })]), want: [] },
  { id: 'NP003', name: 'port 443 only', c: shop([egressOnly('out', { egress: [rule([ipPeer('0.0.0.0/0')], [port(443)])] })]), want: [] },
  { id: 'NP003', name: 'egress not restricted at all', c: shop([]), want: [] },

  // NP004 selector-matches-nothing
  { id: 'NP004', name: 'policy podSelector typo', c: shop([policy('shop', 'p', { podSelector: sel({ app: 'fronted' }) })]), want: ['NetworkPolicy shop/p spec.podSelector: this policy applies to no pod: no pod in shop has app=fronted; did you mean app=frontend (2 pods)?'] },
  { id: 'NP004', name: 'peer podSelector typo', c: shop([policy('shop', 'p', { ingress: [rule([podsPeer(sel({ app: 'fronted' }))])] })]), want: ['spec.ingress[0].from[0].podSelector: this peer admits no pod: no pod in shop has app=fronted; did you mean app=frontend (2 pods)?'] },
  { id: 'NP004', name: 'key typo', c: shop([policy('shop', 'p', { ingress: [rule([podsPeer(sel({ ap: 'api' }))])] })]), want: ['did you mean app=api (1 pod)?'] },
  { id: 'NP004', name: 'requirements hold apart, never together', c: shop([policy('shop', 'p', { ingress: [rule([podsPeer(sel({ app: 'api', tier: 'x' }, []))])] })], [web, api, pod('shop/x', { tier: 'x' })]), want: ['no pod in shop matches all of app=api (1 pod) and tier=x (1 pod) at once'] },
  { id: 'NP004', name: 'namespaceSelector typo', c: shop([policy('shop', 'p', { ingress: [rule([nsPeer(sel({ purpose: 'monitorin' }))])] })]), want: ['spec.ingress[0].from[0].namespaceSelector: this peer matches no namespace: no namespace has purpose=monitorin; did you mean purpose=monitoring (1 namespace)?'] },
  { id: 'NP004', name: 'podSelector alone for pods of another namespace', c: shop([policy('shop', 'p', { ingress: [rule([podsPeer(sel({ app: 'prometheus' }))])] })]), want: [['it matches 1 pod in monitoring, but a podSelector without a namespaceSelector only looks in the policy\'s namespace', '- namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}\n  podSelector: {matchLabels: {app: prometheus}}']] },
  { id: 'NP004', name: 'everything matches', c: shop([policy('shop', 'p', { podSelector: sel({ app: 'api' }), ingress: [rule([podsPeer(sel({ app: 'frontend' })), nsPeer(sel({ purpose: 'monitoring' }))])] })]), want: [] },
  { id: 'NP004', name: 'a namespace with no pods in the input is not judged', c: cluster({ pods: [web], policies: [policy('empty', 'p', { podSelector: sel({ app: 'x' }) })] }), want: [] },

  // NP005 namespace-name-label
  { id: 'NP005', name: 'name: monitoring', c: shop([policy('shop', 'p', { ingress: [rule([nsPeer(sel({ name: 'monitoring' }))])] })]), want: [['spec.ingress[0].from[0].namespaceSelector.matchLabels.name: namespaceSelector uses the label name, which no namespace carries, so this peer matches no namespace and allows nothing; monitoring is a namespace of the input', '- namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}']] },
  { id: 'NP005', name: 'NotIn excludes nothing', c: shop([policy('shop', 'p', { ingress: [rule([nsPeer(sel({}, [{ key: 'name', operator: 'NotIn', values: ['monitoring'] }]))])] })]), want: ['namespaceSelector.matchExpressions[0]: namespaceSelector uses the label name, which no namespace carries, so name!=monitoring excludes no namespace'] },
  { id: 'NP005', name: 'a namespace the input only references: labels unknown', c: { ...cluster({ pods: [web], policies: [policy('shop', 'p', { ingress: [rule([nsPeer(sel({ name: 'monitoring' }))])] })] }), namespaces: new Map([['shop', namespace('shop')], ['monitoring', { name: 'monitoring', labels: { 'kubernetes.io/metadata.name': 'monitoring' }, implicit: true }]]) }, want: [] },
  { id: 'NP005', name: 'some namespace carries the label', c: cluster({ namespaces: [namespace('shop', { name: 'shop' }), namespace('monitoring')], pods: [web], policies: [policy('shop', 'p', { ingress: [rule([nsPeer(sel({ name: 'monitoring' }))])] })] }), want: [] },

  // NP006 service-port-not-container-port
  { id: 'NP006', name: 'Service port instead of container port', c: withServices(shop([policy('shop', 'p', { podSelector: sel({ app: 'frontend' }), ingress: [rule('any', [port(80)])] })]), [webSvc]), want: [['spec.ingress[0].ports[0].port: port 80/TCP is the port of Service shop/web, which forwards it to container port 8080 (targetPort http)', '- {protocol: TCP, port: http}']] },
  { id: 'NP006', name: 'egress to the Service\'s pods by selector', c: withServices(shop([egressOnly('p', { egress: [rule([podsPeer(sel({ app: 'frontend' }))], [port(80)])] })]), [webSvc]), want: ['spec.egress[0].ports[0].port: port 80/TCP is the port of Service shop/web'] },
  { id: 'NP006', name: 'egress through an ipBlock is about the outside: not judged', c: withServices(shop([egressOnly('p', { egress: [rule([ipPeer('0.0.0.0/0')], [port(80)])] })]), [webSvc]), want: [] },
  { id: 'NP006', name: 'the rule lists the container port too', c: withServices(shop([policy('shop', 'p', { podSelector: sel({ app: 'frontend' }), ingress: [rule('any', [port(80), port(8080)])] })]), [webSvc]), want: [] },
  { id: 'NP006', name: 'the pods declare the port themselves', c: withServices(shop([policy('shop', 'p', { podSelector: sel({ app: 'frontend' }), ingress: [rule('any', [port(80)])] })], [pod('shop/web-1', { app: 'frontend' }, { ports: [{ port: 80, protocol: 'TCP' }, { name: 'http', port: 8080, protocol: 'TCP' }] })]), [webSvc]), want: [] },
  { id: 'NP006', name: 'a Service of another namespace does not front ingress pods', c: withServices(shop([policy('shop', 'p', { podSelector: sel({ app: 'frontend' }), ingress: [rule('any', [port(80)])] })]), [{ ...webSvc, namespace: 'other' }]), want: [] },

  // NP007 named-port-undefined
  { id: 'NP007', name: 'a name the pods do not define', c: shop([policy('shop', 'p', { podSelector: sel({ app: 'db' }), ingress: [rule('any', [namedPort('postgres')])] })]), want: ['spec.ingress[0].ports[0].port: The pod the policy selects (shop/db-1) defines no TCP container port named postgres, so this entry matches nothing (it defines pg)'] },
  { id: 'NP007', name: 'a near name', c: shop([policy('shop', 'p', { podSelector: sel({ app: 'frontend' }), ingress: [rule('any', [namedPort('htp')])] })]), want: [['did you mean http?', '- {protocol: TCP, port: http}']] },
  { id: 'NP007', name: 'defined for another protocol', c: shop([egressOnly('p', { egress: [rule([podsPeer(sel({ 'k8s-app': 'kube-dns' }), sel())], [namedPort('dns')])] })]), want: [['this rule\'s peers admit (kube-system/coredns-1) defines no TCP container port named dns, so this entry matches nothing; kube-system/coredns-1 defines it for UDP, not TCP', '- {protocol: UDP, port: dns}']] },
  { id: 'NP007', name: 'defined', c: shop([policy('shop', 'p', { podSelector: sel({ app: 'db' }), ingress: [rule('any', [namedPort('pg')])] })]), want: [] },

  // NP008 and-or-peers
  { id: 'NP008', name: 'two peers where one was meant', c: shop([policy('shop', 'p', { ingress: [rule([nsPeer(sel({ purpose: 'monitoring' })), podsPeer(sel({ app: 'prometheus' }))])] })]), want: [['spec.ingress[0].from[0]: from[0] and from[1] are two peers, and a rule admits what either admits: as written it admits every pod of monitoring (2 pods) plus the pods with app=prometheus in shop (0 pods), 2 pods in all; one peer with both selectors would admit only the pods with app=prometheus in those namespaces (1 pod)', 'from:\n- namespaceSelector: {matchLabels: {purpose: monitoring}}\n  podSelector: {matchLabels: {app: prometheus}}']] },
  { id: 'NP008', name: 'either order', c: shop([policy('shop', 'p', { ingress: [rule([podsPeer(sel({ app: 'prometheus' })), nsPeer(sel({ purpose: 'monitoring' }))])] })]), want: ['spec.ingress[0].from[0]: from[0] and from[1]'] },
  { id: 'NP008', name: 'one peer with both', c: shop([policy('shop', 'p', { ingress: [rule([podsPeer(sel({ app: 'prometheus' }), sel({ purpose: 'monitoring' }))])] })]), want: [] },
  { id: 'NP008', name: 'the AND would admit nobody while the podSelector admits pods: OR was meant', c: shop([policy('shop', 'p', { ingress: [rule([nsPeer(sel({ purpose: 'monitoring' })), podsPeer(sel({ app: 'api' }))])] })]), want: [] },

  // NP009 ipblock-pod-ips
  { id: 'NP009', name: 'a /32 naming a pod', c: shop([egressOnly('p', { egress: [rule([ipPeer('10.244.1.20/32')])] })]), want: [['spec.egress[0].to[0].ipBlock: ipBlock 10.244.1.20/32 contains the addresses of 1 pod (shop/api-1) in shop', '- namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}\n  podSelector: {matchLabels: {app: api}}']] },
  { id: 'NP009', name: 'anywhere (/0) is not reported', c: shop([egressOnly('p', { egress: [rule([ipPeer('0.0.0.0/0')])] })]), want: [] },
  { id: 'NP009', name: 'the pods are excepted', c: shop([egressOnly('p', { egress: [rule([ipPeer('10.0.0.0/8', ['10.244.0.0/16'])])] })]), want: [] },
  { id: 'NP009', name: 'a hostNetwork pod has the node\'s address', c: shop([egressOnly('p', { egress: [rule([ipPeer('10.0.0.0/24')])] })], [web, agent]), want: [] },

  // NP010 redundant-rule
  {
    id: 'NP010',
    name: 'a rule covered by a broader rule of a broader policy (proven)',
    c: shop([
      policy('shop', 'all-80', { ingress: [rule('any', [port(80)])] }),
      policy('shop', 'web', { podSelector: sel({ app: 'frontend' }), ingress: [rule([podsPeer(sel({ app: 'api' }))], [port(80)]), rule([podsPeer(sel({ app: 'api' }))], [port(81)])] }),
    ]),
    want: ['NetworkPolicy shop/web spec.ingress[0]: this rule allows nothing that spec.ingress[0] of shop/all-80 does not: that policy selects every pod this one selects, and that rule admits every peer and port this one admits (this follows from the selectors'],
  },
  {
    id: 'NP010',
    name: 'covered only on this input\'s pods',
    c: shop([
      policy('shop', 'a', { ingress: [rule([podsPeer(sel())]), rule([ipPeer('198.51.100.0/24')])] }),
      policy('shop', 'b', { ingress: [rule([podsPeer(sel({}, [{ key: 'app', operator: 'Exists', values: [] }])), ipPeer('192.0.2.0/24')])] }),
    ]),
    want: ['NetworkPolicy shop/a spec.ingress[0]: this rule allows nothing that spec.ingress[0] of shop/b does not: that policy selects every pod this one selects, and that rule admits every peer and port this one admits (true for the pods and labels of this input'],
  },
  {
    id: 'NP010',
    name: 'of two rules covering each other, the one proven redundant goes',
    c: shop([
      policy('shop', 'a', { ingress: [rule([podsPeer(sel())]), rule([ipPeer('198.51.100.0/24')])] }),
      policy('shop', 'b', { ingress: [rule([podsPeer(sel({}, [{ key: 'app', operator: 'Exists', values: [] }]))]), rule([ipPeer('192.0.2.0/24')])] }),
    ]),
    want: ['NetworkPolicy shop/b spec.ingress[0]: this rule allows nothing that spec.ingress[0] of shop/a does not: that policy selects every pod this one selects, and that rule admits every peer and port this one admits (this follows from the selectors'],
  },
  {
    id: 'NP010',
    name: 'a whole policy',
    c: shop([policy('shop', 'a', { ingress: [rule()] }), policy('shop', 'b', { podSelector: sel({ app: 'db' }), ingress: [rule('any', [port(5432)])] })]),
    want: ['NetworkPolicy shop/b : this whole policy changes nothing: every pod it selects is also isolated for ingress by shop/a, and each of its rules is covered (spec.ingress[0] by spec.ingress[0] of shop/a)'],
  },
  { id: 'NP010', name: 'of two equal rules the later one', c: shop([policy('shop', 'a', { ingress: [rule('any', [port(80)]), rule('any', [port(80)])] })]), want: ['NetworkPolicy shop/a spec.ingress[1]: this rule allows nothing that spec.ingress[0] of this policy does not'] },
  { id: 'NP010', name: 'a baseline is never called redundant', c: shop([policy('shop', 'deny'), policy('shop', 'allow', { ingress: [rule()] })]), want: [] },
  { id: 'NP010', name: 'different ports: not covered', c: shop([policy('shop', 'a', { ingress: [rule('any', [port(80)])] }), policy('shop', 'b', { ingress: [rule('any', [port(81)])] })]), want: [] },
  { id: 'NP010', name: 'exact duplicates are left to NP011', c: shop([policy('shop', 'a', { ingress: [rule('any', [port(80)])] }), policy('shop', 'b', { ingress: [rule('any', [port(80)])] })]), want: [] },

  // NP011 duplicate-policy
  { id: 'NP011', name: 'same spec, two names', c: shop([policy('shop', 'a', { ingress: [rule('any', [port(80), port(81)])] }), policy('shop', 'b', { ingress: [rule('any', [port(81), port(80)])] })]), want: ['NetworkPolicy shop/b spec: same spec as shop/a'] },
  { id: 'NP011', name: 'same spec in two namespaces is normal', c: shop([policy('shop', 'deny'), policy('monitoring', 'deny')]), want: [] },

  // NP012 host-network-selected
  { id: 'NP012', name: 'a policy selecting a hostNetwork pod', c: shop([policy('shop', 'deny')], [web, agent]), want: ['NetworkPolicy shop/deny spec.podSelector: selects 1 hostNetwork pod (shop/agent); it uses the node\'s network namespace'] },
  { id: 'NP012', name: 'no hostNetwork pods selected', c: shop([policy('shop', 'deny', { podSelector: sel({ app: 'frontend' }) })], [web, agent]), want: [] },

  // NP013 unselected-pod
  { id: 'NP013', name: 'one workload left out', c: shop([policy('shop', 'p', { podSelector: sel({}, [{ key: 'app', operator: 'In', values: ['frontend', 'api'] }]) })], [web, web2, api, db]), want: ['Pod shop/db-1 metadata.labels: no policy selects shop/db-1 with labels {app: db}, while every other workload of shop (2 workloads) is selected'] },
  { id: 'NP013', name: 'half of the workloads: no pattern to go by', c: shop([policy('shop', 'p', { podSelector: sel({ app: 'api' }) })], [web, api]), want: [] },
  { id: 'NP013', name: 'a template stands for its workload', c: shop([policy('shop', 'p', { podSelector: sel({}, [{ key: 'app', operator: 'In', values: ['frontend', 'api'] }]) })], [web, api, pod('shop/db', { app: 'db' }, { template: { kind: 'Deployment', name: 'db' } })]), want: ['Deployment shop/db spec.template.metadata.labels: no policy selects Deployment shop/db'] },

  // NP014 ipblock-cluster-ips
  { id: 'NP014', name: 'egress to a ClusterIP', c: withServices(shop([egressOnly('p', { egress: [rule([ipPeer('10.96.0.80/32')], [port(80)])] })]), [vipSvc]), want: [['NetworkPolicy shop/p spec.egress[0].to[0].ipBlock: ipBlock 10.96.0.80/32 contains the ClusterIP of Service shop/web (10.96.0.80) and no pod address: a ClusterIP inside an ipBlock is not what decides: policies see the backend pod\'s address after translation, so this peer allows no connection to that Service (its pods: shop/web-1 and shop/web-2)', '- namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}\n  podSelector: {matchLabels: {app: frontend}}']] },
  { id: 'NP014', name: 'the service range, from an ingress rule', c: withServices(shop([policy('shop', 'p', { ingress: [rule([ipPeer('10.96.0.0/12')])] })]), [vipSvc, { ...webSvc, name: 'api', clusterIPs: [ip('10.96.7.1')] }]), want: ['ipBlock 10.96.0.0/12 contains the ClusterIPs of 2 Services, shop/web (10.96.0.80) and shop/api (10.96.7.1), and no pod address: a ClusterIP inside an ipBlock is not what decides: policies see the backend pod\'s address after translation, and no connection comes from a ClusterIP'] },
  { id: 'NP014', name: 'the block holds pod addresses too: NP009\'s matter', c: withServices(shop([egressOnly('p', { egress: [rule([ipPeer('10.0.0.0/8')])] })]), [vipSvc]), want: [] },
  { id: 'NP014', name: 'the ClusterIP is excepted', c: withServices(shop([egressOnly('p', { egress: [rule([ipPeer('10.96.0.0/12', ['10.96.0.0/24'])])] })]), [vipSvc]), want: [] },
  { id: 'NP014', name: 'anywhere (/0) is not reported', c: withServices(shop([egressOnly('p', { egress: [rule([ipPeer('0.0.0.0/0')])] })]), [vipSvc]), want: [] },
  { id: 'NP014', name: 'a headless Service has no ClusterIP', c: withServices(shop([egressOnly('p', { egress: [rule([ipPeer('10.96.0.0/12')])] })]), [webSvc]), want: [] },
  // NP015 rules-ignored-by-policy-types
  { id: 'NP015', name: 'ingress rules under policyTypes [Egress]', c: shop([egressOnly('p', { ignored: { ingress: [rule([podsPeer(sel({ app: 'api' }))])] } })]), want: [['NetworkPolicy shop/p spec.ingress: policyTypes [Egress] does not name Ingress, so the 1 ingress rule under spec.ingress is ignored: it neither isolates the selected pods for ingress nor allows anything', 'policyTypes: [Ingress, Egress]']] },
  { id: 'NP015', name: 'both directions named', c: shop([policy('shop', 'p', { ingress: [rule()], egress: [rule()] })]), want: [] },

  // NP016 egress-policy-isolates-ingress
  { id: 'NP016', name: 'egress rules, no policyTypes', c: shop([policy('shop', 'p', { podSelector: sel({ app: 'api' }), ingress: [], egress: [rule()], policyTypesDefaulted: true })]), want: [['NetworkPolicy shop/p spec: policyTypes is not set and the policy has egress rules, so the API server sets policyTypes to [Ingress, Egress]: this policy also isolates the 1 pod it selects (shop/api-1) for ingress, and with no ingress rules it admits nothing; no other policy admits anything to it, so all ingress to it is denied', 'policyTypes: [Egress]']] },
  { id: 'NP016', name: 'another policy admits some ingress', c: shop([policy('shop', 'p', { podSelector: sel({ app: 'api' }), ingress: [], egress: [rule()], policyTypesDefaulted: true }), policy('shop', 'web-to-api', { podSelector: sel({ app: 'api' }), ingress: [rule([podsPeer(sel({ app: 'frontend' }))])] })]), want: ['it admits nothing; only what other policies allow still reaches it'] },
  { id: 'NP016', name: 'policyTypes written', c: shop([policy('shop', 'p', { ingress: [], egress: [rule()] })]), want: [] },
  { id: 'NP016', name: 'no policyTypes, but ingress rules too: both directions were meant', c: shop([policy('shop', 'p', { ingress: [rule()], egress: [rule()], policyTypesDefaulted: true })]), want: [] },
  { id: 'NP016', name: 'no policyTypes and no egress rules: an ingress policy', c: shop([policy('shop', 'p', { ingress: [], policyTypesDefaulted: true })]), want: [] },

  // NP017 undeclared-namespace
  { id: 'NP017', name: 'a typo in the namespace', c: withImplicit(shop([policy('shpo', 'p')]), 'shpo'), want: ['NetworkPolicy shpo/p metadata.namespace: no Namespace object of the input declares shpo (it declares kube-system, monitoring and shop); did you mean shop?'] },
  { id: 'NP017', name: 'nothing near', c: withImplicit(shop([policy('billing', 'p')]), 'billing'), want: ['no Namespace object of the input declares billing (it declares kube-system, monitoring and shop), and no pod of the input runs in it'] },
  { id: 'NP017', name: 'the input declares no namespace: not judged', c: { ...shop([policy('shpo', 'p')]), namespaces: new Map([...shop([policy('shpo', 'p')]).namespaces].map(([k, v]) => [k, { ...v, implicit: true }])) }, want: [] },

  // NP018–NP021: the tables in tier-checks.test.ts hold many more cases
  // NP018 tier-priority-overlap
  { id: 'NP018', name: 'same priority, different actions', c: tiers([cnp('a', 'Admin', 5, { subject: shopSubject, ingress: [crule('Deny', [fromMonitoring])] }), cnp('b', 'Admin', 5, { subject: shopSubject, ingress: [crule('Accept', [fromMonitoring])] })]), want: ['ClusterNetworkPolicy b spec.ingress[0]: [Admin] cnp/b priority 5 ingress[0] Accept and [Admin] cnp/a priority 5 ingress[0] Deny have the same priority'] },
  { id: 'NP018', name: 'distinct priorities', c: tiers([cnp('a', 'Admin', 5, { subject: shopSubject, ingress: [crule('Deny', [fromMonitoring])] }), cnp('b', 'Admin', 6, { subject: shopSubject, ingress: [crule('Accept', [fromMonitoring])] })]), want: [] },
  // NP019 tier-rule-shadowed
  { id: 'NP019', name: 'an earlier policy decides it all', c: tiers([cnp('a', 'Admin', 5, { subject: shopSubject, ingress: [crule('Deny', [namespaces()])] }), cnp('b', 'Admin', 6, { subject: shopSubject, ingress: [crule('Accept', [fromMonitoring])] })]), want: ['ClusterNetworkPolicy b spec.ingress[0]: [Admin] cnp/b priority 6 ingress[0] Accept can never act'] },
  { id: 'NP019', name: 'the later policy goes first', c: tiers([cnp('a', 'Admin', 7, { subject: shopSubject, ingress: [crule('Deny', [namespaces()])] }), cnp('b', 'Admin', 6, { subject: shopSubject, ingress: [crule('Accept', [fromMonitoring])] })]), want: [] },
  // NP020 admin-pass-allows
  { id: 'NP020', name: 'nothing behind the Pass', c: tiers([cnp('a', 'Admin', 5, { subject: nsSubject(inNs('monitoring')), ingress: [crule('Pass', [namespaces()])] })]), want: ['ClusterNetworkPolicy a spec.ingress[0]: [Admin] cnp/a priority 5 ingress[0] Pass allows as an Accept would for every pod whose connections it passes (monitoring/grafana-1 and monitoring/prom-1)'] },
  { id: 'NP020', name: 'the BANP denies behind it', c: tiers([cnp('a', 'Admin', 5, { subject: nsSubject(inNs('monitoring')), ingress: [crule('Pass', [namespaces()])] }), banp({ ingress: [crule('Deny', [namespaces()])] })]), want: [] },
  // NP021 baseline-deny-covered
  { id: 'NP021', name: 'every pod isolated', c: tiers([banp({ subject: shopSubject, ingress: [crule('Deny', [namespaces()])] })], [policy('shop', 'deny')]), want: ['BaselineAdminNetworkPolicy default spec.ingress[0]: [Baseline] banp/default ingress[0] Deny is never consulted'] },
  // NP022 cluster-selector-matches-nothing
  { id: 'NP022', name: 'a subject with a typo', c: tiers([cnp('a', 'Admin', 5, { subject: nsSubject(sel({ purpose: 'monitorin' })), ingress: [crule('Deny', [namespaces()])] })]), want: ['ClusterNetworkPolicy a spec.subject.namespaces: this subject matches no namespace: no namespace has purpose=monitorin; did you mean purpose=monitoring (1 namespace)?'] },
  { id: 'NP022', name: 'the subject and peers select pods', c: tiers([cnp('a', 'Admin', 5, { subject: shopSubject, ingress: [crule('Deny', [fromMonitoring])] })]), want: [] },
  // NP023 domain-names-no-deny
  { id: 'NP023', name: 'an allowlist alone', c: tiers([cnp('a', 'Admin', 5, { subject: shopSubject, egress: [crule('Accept', [domains('api.example.com')])] })]), want: ['ClusterNetworkPolicy a spec.egress[0].to: [Admin] cnp/a priority 5 egress[0] Accept accepts domainNames (api.example.com) but no Deny to networks comes after it'] },
  { id: 'NP023', name: 'an allowlist, then a deny', c: tiers([cnp('a', 'Admin', 5, { subject: shopSubject, egress: [crule('Accept', [domains('api.example.com')]), crule('Deny', [networks('0.0.0.0/0')])] })]), want: [] },
  { id: 'NP021', name: 'a pod left unisolated', c: tiers([banp({ subject: shopSubject, ingress: [crule('Deny', [namespaces()])] })], [policy('shop', 'deny', { podSelector: sel({ app: 'api' }) })]), want: [] },
]

describe.each(CHECKS.map((c) => [`${c.id} ${c.slug}`, c.id] as const))('%s', (_, id) => {
  const mine = cases.filter((c) => c.id === id)
  test('has a positive and a negative case', () => {
    expect(mine.some((c) => c.want.length > 0)).toBe(true)
    expect(mine.some((c) => c.want.length === 0)).toBe(true)
  })
  test.each(mine)('$name', ({ c, want }) => {
    const got = run(id, c)
    expect(got.length, got.map((g) => g.text).join('\n---\n')).toBe(want.length)
    want.forEach((w, i) => {
      const [text, yaml] = typeof w === 'string' ? [w, ''] : w
      expect(got[i]!.text).toContain(text)
      expect(got[i]!.yaml).toContain(yaml)
    })
  })
})
