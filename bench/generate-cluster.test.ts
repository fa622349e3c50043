import { loadAll } from 'js-yaml'
import { describe, expect, test } from 'vitest'
import { canonicalCidr, cidrContains, cidrStrictlyInside, parseCidr, parseIp } from '../src/model/ip.js'
import { makeSelector, selectorMatches, type Requirement } from '../src/model/label-selector.js'
import {
  checkOptions,
  generateCluster,
  renderCluster,
  type ClusterOptions,
  type KubeObject,
  type LabelSelectorJson,
  type NetworkPolicyJson,
  type PodJson,
  type PolicyPeerJson,
  type PolicyPortJson,
} from './generate-cluster.js'

// --- validity as the API server checks it -------------------------------------------------------------------

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const isDnsLabel = (s: string): boolean => s.length <= 63 && DNS_LABEL.test(s)
const isDnsSubdomain = (s: string): boolean => s.length <= 253 && s.split('.').every((p) => DNS_LABEL.test(p))
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
function isLabelKey(k: string): boolean {
  const slash = k.indexOf('/')
  const name = slash < 0 ? k : k.slice(slash + 1)
  return (slash < 0 || isDnsSubdomain(k.slice(0, slash))) && name.length <= 63 && LABEL_NAME.test(name)
}
const isLabelValue = (v: string): boolean => v === '' || (v.length <= 63 && LABEL_NAME.test(v))
/** IANA_SVC_NAME, what a container port name and a named NetworkPolicyPort must be */
const isPortName = (s: string): boolean => s.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(s) && /[a-z]/.test(s) && !s.includes('--')
const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP'])
const POD_V4 = parseCidr('10.244.0.0/16')!
const POD_V6 = parseCidr('fd00:10:244::/64')!

/** Every problem found in the objects, as `kind ns/name: field.path: what`. Empty when all are valid. */
function problems(objects: readonly KubeObject[]): string[] {
  const out: string[] = []
  const seenIps = new Set<string>()
  const seenNames = new Set<string>()
  for (const o of objects) {
    const where = `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`
    const bad = (path: string, what: string): void => void out.push(`${where}: ${path}: ${what}`)
    if (seenNames.has(where)) bad('metadata.name', 'duplicate')
    seenNames.add(where)
    const m = o.metadata
    if (!(o.kind === 'Namespace' ? isDnsLabel(m.name) : isDnsSubdomain(m.name))) bad('metadata.name', m.name)
    const clusterScoped = o.kind === 'Namespace' || o.kind === 'Node' || o.kind === 'ClusterNetworkPolicy'
    if (clusterScoped ? m.namespace !== undefined : m.namespace === undefined || !isDnsLabel(m.namespace)) bad('metadata.namespace', String(m.namespace))
    for (const [k, v] of Object.entries(m.labels ?? {})) {
      if (!isLabelKey(k)) bad(`metadata.labels.${k}`, 'invalid key')
      if (!isLabelValue(v)) bad(`metadata.labels.${k}`, `invalid value ${v}`)
    }
    if (o.kind === 'Namespace') {
      if (m.labels?.['kubernetes.io/metadata.name'] !== m.name) bad('metadata.labels', 'kubernetes.io/metadata.name must equal the name')
    } else if (o.kind === 'Pod') {
      checkPod(o, bad, seenIps)
    } else if (o.kind === 'NetworkPolicy') {
      checkPolicy(o, bad)
    } else if (o.kind === 'ClusterNetworkPolicy') {
      if (!Number.isInteger(o.spec.priority) || o.spec.priority < 0 || o.spec.priority > 1000) bad('spec.priority', String(o.spec.priority))
      if ((o.spec.ingress?.length ?? 0) + (o.spec.egress?.length ?? 0) === 0) bad('spec', 'no rules')
    }
  }
  return out
}

function checkPod(p: PodJson, bad: (path: string, what: string) => void, seenIps: Set<string>): void {
  const names = new Set<string>()
  p.spec.containers.forEach((c, i) => c.ports.forEach((cp, j) => {
    const path = `spec.containers[${i}].ports[${j}]`
    if (!Number.isInteger(cp.containerPort) || cp.containerPort < 1 || cp.containerPort > 65535) bad(path, `port ${cp.containerPort}`)
    if (!PROTOCOLS.has(cp.protocol)) bad(path, `protocol ${cp.protocol}`)
    if (cp.name !== undefined) {
      if (!isPortName(cp.name)) bad(`${path}.name`, cp.name)
      if (names.has(cp.name)) bad(`${path}.name`, `duplicate ${cp.name}`)
      names.add(cp.name)
    }
  }))
  if (p.status.phase !== 'Running') bad('status.phase', p.status.phase)
  if (p.spec.nodeName === '' || !isDnsSubdomain(p.spec.nodeName)) bad('spec.nodeName', p.spec.nodeName)
  if (p.status.podIP !== p.status.podIPs[0]?.ip) bad('status.podIP', 'must be the first of podIPs')
  if (p.status.hostIP !== p.status.hostIPs[0]?.ip) bad('status.hostIP', 'must be the first of hostIPs')
  p.status.hostIPs.forEach(({ ip }, i) => { if (parseIp(ip) === null) bad(`status.hostIPs[${i}]`, ip) })
  p.status.podIPs.forEach(({ ip }, i) => {
    const parsed = parseIp(ip)
    const range = i === 0 ? POD_V4 : POD_V6
    if (parsed === null || !cidrContains(range, parsed)) bad(`status.podIPs[${i}]`, `${ip} outside ${range.text}`)
    if (seenIps.has(ip)) bad(`status.podIPs[${i}]`, `${ip} used twice`)
    seenIps.add(ip)
  })
  if (p.status.podIPs.length > 1 && parseIp(p.status.podIPs[1]!.ip)?.family !== 6) bad('status.podIPs[1]', 'second address must be IPv6')
}

function checkSelector(s: LabelSelectorJson, path: string, bad: (path: string, what: string) => void): void {
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (!isLabelKey(k) || !isLabelValue(v)) bad(`${path}.matchLabels`, `${k}=${v}`)
  s.matchExpressions?.forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`
    if (!isLabelKey(e.key)) bad(p, `key ${e.key}`)
    const needsValues = e.operator === 'In' || e.operator === 'NotIn'
    if (needsValues && (e.values === undefined || e.values.length === 0)) bad(p, `${e.operator} needs values`)
    if (!needsValues && e.values !== undefined && e.values.length > 0) bad(p, `${e.operator} takes no values`)
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) bad(p, `operator ${e.operator}`)
    e.values?.forEach((v) => { if (!isLabelValue(v)) bad(p, `value ${v}`) })
  })
}

function checkPeer(peer: PolicyPeerJson, path: string, bad: (path: string, what: string) => void): void {
  if (peer.ipBlock !== undefined) {
    if (peer.podSelector !== undefined || peer.namespaceSelector !== undefined) bad(path, 'ipBlock with a selector')
    const cidr = parseCidr(peer.ipBlock.cidr)
    if (cidr === null || canonicalCidr(cidr) !== peer.ipBlock.cidr) return bad(`${path}.ipBlock.cidr`, peer.ipBlock.cidr)
    peer.ipBlock.except?.forEach((e, i) => {
      const ex = parseCidr(e)
      if (ex === null || canonicalCidr(ex) !== e || !cidrStrictlyInside(ex, cidr)) bad(`${path}.ipBlock.except[${i}]`, `${e} not strictly inside ${cidr.text}`)
    })
    return
  }
  if (peer.podSelector === undefined && peer.namespaceSelector === undefined) bad(path, 'empty peer')
  if (peer.podSelector !== undefined) checkSelector(peer.podSelector, `${path}.podSelector`, bad)
  if (peer.namespaceSelector !== undefined) checkSelector(peer.namespaceSelector, `${path}.namespaceSelector`, bad)
}

function checkPort(p: PolicyPortJson, path: string, bad: (path: string, what: string) => void): void {
  if (!PROTOCOLS.has(p.protocol)) bad(path, `protocol ${p.protocol}`)
  if (typeof p.port === 'number' && (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535)) bad(path, `port ${p.port}`)
  if (typeof p.port === 'string' && !isPortName(p.port)) bad(path, `port name ${p.port}`)
  if (p.endPort !== undefined) {
    if (typeof p.port !== 'number') bad(path, 'endPort needs a numeric port')
    else if (p.endPort < p.port || p.endPort > 65535) bad(path, `endPort ${p.endPort} < port ${p.port}`)
  }
}

function checkPolicy(np: NetworkPolicyJson, bad: (path: string, what: string) => void): void {
  const s = np.spec
  checkSelector(s.podSelector, 'spec.podSelector', bad)
  const types = s.policyTypes
  if (types.length === 0 || new Set(types).size !== types.length) bad('spec.policyTypes', types.join(','))
  if (s.ingress !== undefined && !types.includes('Ingress')) bad('spec.ingress', 'rules without Ingress in policyTypes')
  if (s.egress !== undefined && !types.includes('Egress')) bad('spec.egress', 'rules without Egress in policyTypes')
  for (const [dir, rules] of [['ingress', s.ingress], ['egress', s.egress]] as const) {
    rules?.forEach((r, i) => {
      const peers = 'from' in r ? r.from : 'to' in r ? r.to : undefined
      peers?.forEach((peer, j) => checkPeer(peer, `spec.${dir}[${i}].${dir === 'ingress' ? 'from' : 'to'}[${j}]`, bad))
      r.ports?.forEach((p, j) => checkPort(p, `spec.${dir}[${i}].ports[${j}]`, bad))
    })
  }
}

// --- helpers ----------------------------------------------------------------------------------------------------

const opts = (pods: number, namespaces: number, policies: number, extra: Partial<ClusterOptions> = {}): ClusterOptions =>
  ({ seed: 7, pods, namespaces, policies, ...extra })
const ofKind = <K extends KubeObject['kind']>(objects: readonly KubeObject[], kind: K) =>
  objects.filter((o): o is Extract<KubeObject, { kind: K }> => o.kind === kind)

function toSelector(s: LabelSelectorJson) {
  const reqs: Requirement[] = [
    ...Object.entries(s.matchLabels ?? {}).map(([key, v]): Requirement => ({ key, operator: 'In', values: [v] })),
    ...(s.matchExpressions ?? []).map((e): Requirement => ({ key: e.key, operator: e.operator, values: e.values ?? [] })),
  ]
  return makeSelector(reqs)
}

const MEDIUM = opts(3000, 60, 3000, { dualStack: true })
const medium = generateCluster(MEDIUM)

// --- tests ------------------------------------------------------------------------------------------------------

describe('determinism', () => {
  test.each([
    { name: 'tiny', o: opts(5, 2, 3) },
    { name: 'medium, dual-stack', o: opts(800, 20, 900, { dualStack: true }) },
  ])('$name: same seed, same bytes in JSON and YAML', ({ o }) => {
    const a = generateCluster(o)
    const b = generateCluster(o)
    expect(a).toEqual(b)
    expect(renderCluster(a, 'json')).toBe(renderCluster(b, 'json'))
    expect(renderCluster(a, 'yaml')).toBe(renderCluster(b, 'yaml'))
  })

  test('another seed gives another cluster', () => {
    expect(renderCluster(generateCluster(opts(200, 10, 200)), 'json'))
      .not.toBe(renderCluster(generateCluster({ ...opts(200, 10, 200), seed: 8 }), 'json'))
  })
})

describe('counts match the options', () => {
  test.each([
    { name: 'empty', o: opts(0, 0, 0) },
    { name: 'one namespace, no kube-system', o: opts(10, 1, 4) },
    { name: 'fewer pods than the platform wants', o: opts(2, 12, 5) },
    { name: 'fewer policies than namespaces', o: opts(100, 30, 7) },
    { name: 'namespaces without pods', o: opts(3, 40, 80) },
    { name: 'many policies per app', o: opts(50, 3, 400) },
    { name: 'the medium cluster', o: MEDIUM },
  ])('$name', ({ o }) => {
    const objects = o === MEDIUM ? medium : generateCluster(o)
    expect(ofKind(objects, 'Namespace')).toHaveLength(o.namespaces)
    expect(ofKind(objects, 'Pod')).toHaveLength(o.pods)
    expect(ofKind(objects, 'NetworkPolicy')).toHaveLength(o.policies)
    expect(objects).toHaveLength(o.namespaces + o.pods + o.policies)
    expect(problems(objects)).toEqual([])
  })

  test('every pod and policy lives in a generated namespace', () => {
    const names = new Set(ofKind(medium, 'Namespace').map((n) => n.metadata.name))
    for (const o of medium) if (o.kind !== 'Namespace') expect(names.has(o.metadata.namespace!)).toBe(true)
  })
})

describe('realism', () => {
  const pods = ofKind(medium, 'Pod')
  const namespaces = ofKind(medium, 'Namespace')
  const policies = ofKind(medium, 'NetworkPolicy')

  test('pods share few label sets and run on about one node per hundred pods', () => {
    const sets = new Set(pods.map((p) => JSON.stringify({ ...p.metadata.labels, 'pod-template-hash': '' })))
    expect(sets.size).toBeLessThan(pods.length / 3)
    const nodes = new Set(pods.map((p) => p.spec.nodeName))
    expect(nodes.size).toBe(MEDIUM.pods / 100)
    const hostIps = new Map(pods.map((p) => [p.spec.nodeName, p.status.hostIP]))
    expect(new Set(hostIps.values()).size).toBe(nodes.size)
  })

  test('pod names follow <app>-<pod-template-hash>-<5 chars>', () => {
    for (const p of pods) {
      const l = p.metadata.labels!
      const app = l.app ?? l['k8s-app'] ?? l['app.kubernetes.io/name']!
      expect(p.metadata.name).toMatch(new RegExp(`^${p.metadata.generateName}[bcdfghjklmnpqrstvwxz2456789]{5}$`))
      expect(p.metadata.generateName).toBe(`${p.metadata.ownerReferences![0]!.name}-`)
      expect(p.metadata.generateName!.endsWith(`-${l['pod-template-hash']}-`)).toBe(true)
      if (l.app !== undefined) expect(['frontend', 'backend', 'db', 'cache', 'worker']).toContain(l.tier)
      expect(app).toBeTruthy()
    }
  })

  test('kube-system runs CoreDNS labelled k8s-app=kube-dns with DNS on UDP and TCP 53', () => {
    const dns = pods.filter((p) => p.metadata.namespace === 'kube-system' && p.metadata.labels?.['k8s-app'] === 'kube-dns')
    expect(dns.length).toBeGreaterThan(0)
    const ports = dns[0]!.spec.containers[0]!.ports.map((p) => `${p.containerPort}/${p.protocol}`)
    expect(ports).toEqual(expect.arrayContaining(['53/UDP', '53/TCP']))
  })

  test('namespaces carry team and env labels, some a tier', () => {
    const teams = namespaces.filter((n) => n.metadata.labels?.team !== undefined)
    expect(teams.length).toBeGreaterThan(namespaces.length * 0.9)
    expect(new Set(teams.map((n) => n.metadata.labels!.env))).toEqual(new Set(['prod', 'staging', 'dev']))
    expect(namespaces.some((n) => n.metadata.labels?.tier !== undefined)).toBe(true)
  })

  test('most policies select pods, a few select none', () => {
    const byNs = new Map<string, PodJson[]>()
    for (const p of pods) byNs.set(p.metadata.namespace!, [...(byNs.get(p.metadata.namespace!) ?? []), p])
    const selecting = policies.filter((np) => {
      const sel = toSelector(np.spec.podSelector)
      return (byNs.get(np.metadata.namespace!) ?? []).some((p) => selectorMatches(sel, p.metadata.labels ?? {}))
    })
    expect(selecting.length).toBeGreaterThan(policies.length * 0.85)
    expect(selecting.length).toBeLessThan(policies.length)
  })

  test('peer selectors mostly select something too', () => {
    const nsLabels = namespaces.map((n) => n.metadata.labels ?? {})
    const podLabels = pods.map((p) => p.metadata.labels ?? {})
    const peers = policies.flatMap((np) => [...(np.spec.ingress ?? []).flatMap((r) => r.from ?? []), ...(np.spec.egress ?? []).flatMap((r) => r.to ?? [])])
    const withSelectors = peers.filter((p) => p.ipBlock === undefined)
    const live = withSelectors.filter((p) =>
      (p.namespaceSelector === undefined || nsLabels.some((l) => selectorMatches(toSelector(p.namespaceSelector!), l))) &&
      (p.podSelector === undefined || podLabels.some((l) => selectorMatches(toSelector(p.podSelector!), l))))
    expect(live.length).toBeGreaterThan(withSelectors.length * 0.9)
  })

  test.each([
    { name: 'default deny ingress', has: (np: NetworkPolicyJson) => np.spec.ingress === undefined && np.spec.policyTypes.join() === 'Ingress' && isEmpty(np.spec.podSelector) },
    { name: 'default deny egress', has: (np: NetworkPolicyJson) => np.spec.egress === undefined && np.spec.policyTypes.join() === 'Egress' && isEmpty(np.spec.podSelector) },
    { name: 'default deny both', has: (np: NetworkPolicyJson) => np.spec.ingress === undefined && np.spec.egress === undefined && np.spec.policyTypes.length === 2 },
    { name: 'allow from the same namespace', has: (np: NetworkPolicyJson) => np.spec.ingress?.some((r) => r.from?.some((p) => p.podSelector !== undefined && isEmpty(p.podSelector) && p.namespaceSelector === undefined)) === true },
    { name: 'AND peer (namespaceSelector + podSelector)', has: (np: NetworkPolicyJson) => peersOf(np).some((p) => p.podSelector !== undefined && p.namespaceSelector !== undefined) },
    { name: 'OR peers', has: (np: NetworkPolicyJson) => np.spec.ingress?.some((r) => (r.from?.length ?? 0) >= 2 && r.from!.every((p) => p.ipBlock === undefined)) === true },
    { name: 'operator In', has: (np: NetworkPolicyJson) => operators(np).has('In') },
    { name: 'operator NotIn', has: (np: NetworkPolicyJson) => operators(np).has('NotIn') },
    { name: 'operator Exists', has: (np: NetworkPolicyJson) => operators(np).has('Exists') },
    { name: 'operator DoesNotExist', has: (np: NetworkPolicyJson) => operators(np).has('DoesNotExist') },
    { name: 'ipBlock 0.0.0.0/0 except metadata and 10/8', has: (np: NetworkPolicyJson) => peersOf(np).some((p) => p.ipBlock?.cidr === '0.0.0.0/0' && p.ipBlock.except?.includes('169.254.169.254/32') === true && p.ipBlock.except.includes('10.0.0.0/8')) },
    { name: 'ipBlock over a /20 of the pod network', has: (np: NetworkPolicyJson) => peersOf(np).some((p) => /^10\.244\.\d+\.0\/20$/.test(p.ipBlock?.cidr ?? '')) },
    { name: 'IPv6 ipBlock', has: (np: NetworkPolicyJson) => peersOf(np).some((p) => p.ipBlock?.cidr === '::/0') },
    { name: 'numeric port', has: (np: NetworkPolicyJson) => portsOf(np).some((p) => typeof p.port === 'number' && p.endPort === undefined) },
    { name: 'port range with endPort', has: (np: NetworkPolicyJson) => portsOf(np).some((p) => p.endPort !== undefined) },
    { name: 'named port http', has: (np: NetworkPolicyJson) => portsOf(np).some((p) => p.port === 'http') },
    { name: 'named port metrics', has: (np: NetworkPolicyJson) => portsOf(np).some((p) => p.port === 'metrics') },
    { name: 'UDP 53 egress to kube-dns', has: (np: NetworkPolicyJson) => np.spec.egress?.some((r) => r.ports?.some((p) => p.protocol === 'UDP' && p.port === 53) && r.to?.some((p) => p.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns')) === true },
    { name: 'SCTP port', has: (np: NetworkPolicyJson) => portsOf(np).some((p) => p.protocol === 'SCTP') },
    { name: '{} ingress rule', has: (np: NetworkPolicyJson) => np.spec.ingress?.some((r) => Object.keys(r).length === 0) === true },
    { name: '{} egress rule', has: (np: NetworkPolicyJson) => np.spec.egress?.some((r) => Object.keys(r).length === 0) === true },
    { name: 'empty namespaceSelector (all namespaces)', has: (np: NetworkPolicyJson) => peersOf(np).some((p) => p.namespaceSelector !== undefined && isEmpty(p.namespaceSelector)) },
  ])('some policy has: $name', ({ has }) => {
    expect(policies.some(has)).toBe(true)
  })

  test('SCTP appears on some container ports', () => {
    expect(pods.some((p) => p.spec.containers.some((c) => c.ports.some((cp) => cp.protocol === 'SCTP')))).toBe(true)
  })
})

const isEmpty = (s: LabelSelectorJson): boolean => Object.keys(s).length === 0
const peersOf = (np: NetworkPolicyJson): PolicyPeerJson[] =>
  [...(np.spec.ingress ?? []).flatMap((r) => r.from ?? []), ...(np.spec.egress ?? []).flatMap((r) => r.to ?? [])]
const portsOf = (np: NetworkPolicyJson): PolicyPortJson[] =>
  [...(np.spec.ingress ?? []).flatMap((r) => r.ports ?? []), ...(np.spec.egress ?? []).flatMap((r) => r.ports ?? [])]
const operators = (np: NetworkPolicyJson): Set<string> =>
  new Set([np.spec.podSelector, ...peersOf(np).flatMap((p) => [p.podSelector, p.namespaceSelector])]
    .flatMap((s) => s?.matchExpressions ?? []).map((e) => e.operator))

describe('the validity check itself', () => {
  const base = generateCluster(opts(200, 12, 300))
  const firstPolicy = (objs: KubeObject[], has: (np: NetworkPolicyJson) => boolean): NetworkPolicyJson => ofKind(objs, 'NetworkPolicy').find(has)!
  const withIpBlock = (np: NetworkPolicyJson): boolean => peersOf(np).some((p) => p.ipBlock?.except !== undefined)
  const withPorts = (np: NetworkPolicyJson): boolean => portsOf(np).some((p) => typeof p.port === 'number')
  test.each([
    { name: 'a duplicate pod IP', want: /status\.podIPs\[0\]: .* used twice/, mutate: (o: KubeObject[]) => {
      const [a, b] = ofKind(o, 'Pod')
      b!.status.podIPs[0]!.ip = b!.status.podIP = a!.status.podIP
    } },
    { name: 'a label value starting with a dash', want: /metadata\.labels\.app: invalid value/, mutate: (o: KubeObject[]) => { ofKind(o, 'Pod')[0]!.metadata.labels!.app = '-bad' } },
    { name: 'a CIDR with host bits', want: /ipBlock\.cidr: 10\.1\.2\.3\/8/, mutate: (o: KubeObject[]) => { peersOf(firstPolicy(o, withIpBlock)).find((p) => p.ipBlock?.except !== undefined)!.ipBlock!.cidr = '10.1.2.3/8' } },
    { name: 'an except outside its cidr', want: /except\[0\]: 2001:db8::\/32 not strictly inside/, mutate: (o: KubeObject[]) => { peersOf(firstPolicy(o, withIpBlock)).find((p) => p.ipBlock?.except !== undefined)!.ipBlock!.except![0] = '2001:db8::/32' } },
    { name: 'endPort below port', want: /endPort 1 < port/, mutate: (o: KubeObject[]) => { portsOf(firstPolicy(o, withPorts)).find((p) => typeof p.port === 'number')!.endPort = 1 } },
    { name: 'port 0', want: /port 0/, mutate: (o: KubeObject[]) => { portsOf(firstPolicy(o, withPorts)).find((p) => typeof p.port === 'number')!.port = 0 } },
    { name: 'a port name longer than 15', want: /port name metrics-endpoint-x/, mutate: (o: KubeObject[]) => { portsOf(firstPolicy(o, withPorts))[0]!.port = 'metrics-endpoint-x' } },
    { name: 'Exists with values', want: /Exists takes no values/, mutate: (o: KubeObject[]) => { firstPolicy(o, () => true).spec.podSelector = { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] } } },
    { name: 'an upper-case pod name', want: /metadata\.name: Web/, mutate: (o: KubeObject[]) => { ofKind(o, 'Pod')[0]!.metadata.name = 'Web' } },
  ])('catches $name', ({ mutate, want }) => {
    const copy = structuredClone(base)
    mutate(copy)
    expect(problems(copy)).toEqual([expect.stringMatching(want)])
  })
})

describe('rendering', () => {
  const small = generateCluster(opts(120, 8, 60, { dualStack: true }))

  test('JSON is a kubectl List of the objects', () => {
    const list = JSON.parse(renderCluster(small, 'json')) as { apiVersion: string; kind: string; items: unknown[] }
    expect(list.apiVersion).toBe('v1')
    expect(list.kind).toBe('List')
    expect(list.items).toEqual(small)
  })

  test('YAML is one document per object and reads back to the same objects', () => {
    expect(loadAll(renderCluster(small, 'yaml'))).toEqual(small)
  })

  test('objects come sorted by kind, then namespace, then name', () => {
    const kinds = small.map((o) => o.kind)
    expect(kinds).toEqual([...ofKind(small, 'Namespace'), ...ofKind(small, 'Pod'), ...ofKind(small, 'NetworkPolicy')].map((o) => o.kind))
    const pods = ofKind(small, 'Pod').map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
    expect(pods).toEqual([...pods].sort())
  })
})

describe('options', () => {
  test.each([
    { name: 'negative pods', o: opts(-1, 1, 0), want: /^pods:/ },
    { name: 'fractional seed', o: { ...opts(1, 1, 1), seed: 1.5 }, want: /^seed:/ },
    { name: 'pods without namespaces', o: opts(3, 0, 0), want: /^namespaces:/ },
    { name: 'more pods than 10.244.0.0/14 holds', o: opts(204_801, 10, 0), want: /^pods: at most 204800/ },
  ])('$name is refused', ({ o, want }) => {
    expect(checkOptions(o)).toEqual([expect.stringMatching(want)])
    expect(() => generateCluster(o)).toThrow(RangeError)
  })

  test('past 256 nodes, each node gets a /25 and addresses stay unique', () => {
    const big = generateCluster(opts(25_700, 100, 0))
    expect(new Set(ofKind(big, 'Pod').map((p) => p.spec.nodeName)).size).toBe(257)
    expect(problems(big)).toEqual([])
  })
})

test('50 pods take milliseconds', () => {
  generateCluster(opts(50, 5, 50))
  const t0 = performance.now()
  const objects = generateCluster(opts(50, 5, 50))
  expect(objects).toHaveLength(105)
  expect(performance.now() - t0).toBeLessThan(50)
})

describe('cluster policies', () => {
  test('the same cluster, then Node objects and exactly that many valid ClusterNetworkPolicies of both tiers', () => {
    const plain = generateCluster(opts(800, 20, 900))
    const withTiers = generateCluster(opts(800, 20, 900, { clusterPolicies: 60 }))
    expect(withTiers.slice(0, plain.length)).toEqual(plain)
    const cnps = ofKind(withTiers, 'ClusterNetworkPolicy')
    expect(cnps).toHaveLength(60)
    expect(ofKind(withTiers, 'Node')).toHaveLength(8)
    expect(new Set(cnps.map((c) => c.spec.tier))).toEqual(new Set(['Admin', 'Baseline']))
    expect(problems(withTiers)).toEqual([])
    expect(generateCluster(opts(800, 20, 900, { clusterPolicies: 60 }))).toEqual(withTiers)
  })
})
