import { BlockList, isIP } from 'node:net'
import { describe, expect, test } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { CASE_PROTOCOLS, parseCaseFile, readCaseFiles, type CaseProtocol, type ConformanceCase } from './load-cases.js'
import { TIER_KINDS } from './tier-switches.js'
import { splitDocuments } from '../../src/model/documents.js'
import { buildCluster } from '../../src/model/build-cluster.js'

// This file checks only that the table is well formed, so that the engine, the compiled nftables and
// the lab can all run it: it never decides whether a connection is allowed.

/** Pod addresses of every case come from these ranges; anything outside them is external. */
const POD_RANGES = new BlockList()
POD_RANGES.addSubnet('10.244.0.0', 16, 'ipv4')
POD_RANGES.addSubnet('fd00:10:244::', 64, 'ipv6')

const KINDS: Record<string, string> = { Namespace: 'v1', Pod: 'v1', NetworkPolicy: 'networking.k8s.io/v1', ...TIER_KINDS }
/** Kinds whose objects have no namespace. */
const CLUSTER_SCOPED = new Set(['Namespace', 'Node', 'ClusterNetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'])

type Family = 'ipv4' | 'ipv6'
const familyOf = (ip: string): Family | null => (isIP(ip) === 4 ? 'ipv4' : isIP(ip) === 6 ? 'ipv6' : null)

interface CasePod {
  id: string
  ips: { ip: string; family: Family }[]
  ports: { name: string; port: number; protocol: CaseProtocol }[]
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const field = (o: unknown, ...keys: string[]): unknown => {
  let cur: unknown = o
  for (const k of keys) cur = isObj(cur) ? cur[k] : undefined
  return cur
}

/** IANA_SVC_NAME, which Kubernetes requires of container port names. */
const isPortName = (s: string): boolean =>
  s.length >= 1 && s.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(s) && /[a-z]/.test(s) && !s.includes('--')

/** Every problem of one case's resources and expectations; empty when the case is well formed. */
function caseProblems(c: ConformanceCase): string[] {
  const problems: string[] = []
  const namespaces = new Set<string>()
  const referencedNamespaces = new Map<string, string>()
  const pods = new Map<string, CasePod>()
  const seenObjects = new Set<string>()
  const ipOwner = new Map<string, string>()
  /** Node name → its addresses (status.addresses of type InternalIP or ExternalIP) */
  const nodes = new Map<string, string[]>()
  /** pods placed on a node (spec.nodeName): a host-network pod's address is its node's, and status.hostIP is one of the node's */
  const placed: { where: string; node: string; hostIP: unknown; hostNetwork: boolean; podIP: unknown }[] = []

  const docs = parseAllDocuments(c.resources)
  if (!Array.isArray(docs)) return ['resources: not a YAML stream']
  docs.forEach((doc, d) => {
    for (const e of doc.errors) problems.push(`resources[${d}]: YAML: ${e.message}`)
    const o: unknown = doc.toJS()
    if (o === null || o === undefined) return
    if (!isObj(o)) return void problems.push(`resources[${d}]: not a mapping`)
    const kind = String(o.kind)
    const name = field(o, 'metadata', 'name')
    const ns = field(o, 'metadata', 'namespace')
    const where = `resources[${d}] ${kind}/${String(name)}`
    if (!(kind in KINDS)) return void problems.push(`${where}: kind must be one of ${Object.keys(KINDS).join(', ')}`)
    if (o.apiVersion !== KINDS[kind]) problems.push(`${where}: apiVersion must be ${KINDS[kind]}`)
    if (typeof name !== 'string' || name === '') return void problems.push(`${where}: metadata.name is required`)
    if (CLUSTER_SCOPED.has(kind)) {
      if (ns !== undefined) problems.push(`${where}: a ${kind} has no metadata.namespace`)
    } else {
      if (typeof ns !== 'string' || ns === '') return void problems.push(`${where}: metadata.namespace is required`)
      referencedNamespaces.set(ns, where)
    }
    const key = `${kind}/${CLUSTER_SCOPED.has(kind) ? '' : `${String(ns)}/`}${name}`
    if (seenObjects.has(key)) problems.push(`${where}: defined twice`)
    seenObjects.add(key)
    if (kind === 'Namespace') namespaces.add(name)
    if (kind === 'NetworkPolicy' && !isObj(field(o, 'spec', 'podSelector')))
      problems.push(`${where}: spec.podSelector is required`)
    // "the singleton BaselineAdminNetworkPolicy ... must be named default" (BANP CRD)
    if (kind === 'BaselineAdminNetworkPolicy' && name !== 'default') problems.push(`${where}: a BaselineAdminNetworkPolicy is named default`)
    if (kind === 'Node') {
      const addresses = field(o, 'status', 'addresses')
      const ips: string[] = []
      for (const a of Array.isArray(addresses) ? addresses : []) {
        const type = field(a, 'type')
        if (type !== 'InternalIP' && type !== 'ExternalIP') continue
        const ip = field(a, 'address')
        const family = typeof ip === 'string' ? familyOf(ip) : null
        if (typeof ip !== 'string' || family === null) {
          problems.push(`${where}: node address ${String(ip)} is not an IP address`)
          continue
        }
        if (POD_RANGES.check(ip, family)) problems.push(`${where}: node address ${ip} must lie outside the pod ranges`)
        const owner = ipOwner.get(ip)
        if (owner !== undefined) problems.push(`${where}: node address ${ip} also belongs to ${owner}`)
        ipOwner.set(ip, where)
        ips.push(ip)
      }
      if (ips.length === 0) problems.push(`${where}: a Node needs an InternalIP or ExternalIP address`)
      nodes.set(name, ips)
    }
    if (kind !== 'Pod') return

    const id = `${String(ns)}/${name}`
    const hostNetwork = field(o, 'spec', 'hostNetwork') === true
    const nodeName = field(o, 'spec', 'nodeName')
    const hostIP = field(o, 'status', 'hostIP')
    if (typeof nodeName === 'string') placed.push({ where, node: nodeName, hostIP, hostNetwork, podIP: field(o, 'status', 'podIP') })
    else if (hostNetwork) problems.push(`${where}: a hostNetwork pod needs spec.nodeName (its address is its node's)`)
    else if (hostIP !== undefined) problems.push(`${where}: status.hostIP without spec.nodeName`)
    const podIP = field(o, 'status', 'podIP')
    const podIPs = field(o, 'status', 'podIPs')
    const ips: CasePod['ips'] = []
    if (typeof podIP !== 'string') problems.push(`${where}: status.podIP is required`)
    const listed: unknown[] = podIPs === undefined ? [{ ip: podIP }] : Array.isArray(podIPs) ? podIPs : []
    if (podIPs !== undefined && (!Array.isArray(podIPs) || field(podIPs[0], 'ip') !== podIP))
      problems.push(`${where}: status.podIPs must be a list whose first ip equals status.podIP`)
    for (const entry of listed) {
      const ip = field(entry, 'ip')
      const family = typeof ip === 'string' ? familyOf(ip) : null
      if (typeof ip !== 'string' || family === null) {
        problems.push(`${where}: pod IP ${String(ip)} is not an IP address`)
        continue
      }
      if (ips.some((x) => x.family === family)) problems.push(`${where}: two ${family} pod IPs`)
      ips.push({ ip, family })
      if (hostNetwork) continue // the node's address: checked against the Node below
      if (!POD_RANGES.check(ip, family)) problems.push(`${where}: pod IP ${ip} is outside 10.244.0.0/16 and fd00:10:244::/64`)
      const owner = ipOwner.get(ip)
      if (owner !== undefined) problems.push(`${where}: pod IP ${ip} also belongs to ${owner}`)
      ipOwner.set(ip, id)
    }
    const ports: CasePod['ports'] = []
    const containers = field(o, 'spec', 'containers')
    if (!Array.isArray(containers) || containers.length === 0) problems.push(`${where}: spec.containers is required`)
    for (const ctr of Array.isArray(containers) ? containers : []) {
      const cports = field(ctr, 'ports')
      for (const p of Array.isArray(cports) ? cports : []) {
        const pname = field(p, 'name')
        const port = field(p, 'containerPort')
        const protocol = field(p, 'protocol') ?? 'TCP'
        if (typeof pname !== 'string' || !isPortName(pname)) problems.push(`${where}: port name ${String(pname)} is not a valid port name`)
        if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
          problems.push(`${where}: containerPort ${String(port)} is not a port number`)
        if (!CASE_PROTOCOLS.includes(protocol as CaseProtocol)) problems.push(`${where}: port protocol ${String(protocol)} is not TCP, UDP or SCTP`)
        if (ports.some((x) => x.name === pname)) problems.push(`${where}: port name ${String(pname)} declared twice`)
        if (ports.some((x) => x.port === port && x.protocol === protocol)) problems.push(`${where}: port ${String(port)}/${String(protocol)} declared twice`)
        ports.push({ name: String(pname), port: Number(port), protocol: protocol as CaseProtocol })
      }
    }
    pods.set(id, { id, ips, ports })
  })
  for (const [ns, where] of referencedNamespaces) if (!namespaces.has(ns)) problems.push(`${where}: namespace ${ns} has no Namespace object`)
  for (const p of placed) {
    const addresses = nodes.get(p.node)
    if (addresses === undefined) {
      if (p.hostNetwork) problems.push(`${p.where}: node ${p.node} has no Node object`)
      continue
    }
    if (p.hostIP !== undefined && !addresses.includes(String(p.hostIP))) problems.push(`${p.where}: status.hostIP ${String(p.hostIP)} is not an address of node ${p.node}`)
    if (p.hostNetwork && (p.hostIP !== p.podIP || !addresses.includes(String(p.podIP))))
      problems.push(`${p.where}: a hostNetwork pod's status.podIP and status.hostIP are an address of its node ${p.node}`)
  }
  if (pods.size === 0) problems.push('resources: a case needs at least one pod')

  const probes = new Set<string>()
  c.expect.forEach((e, i) => {
    const where = `expect[${i}] ${e.from} -> ${e.to} ${e.port}/${e.protocol}`
    const end = (ref: string): { pod: CasePod } | { ip: string; family: Family } | null => {
      const pod = pods.get(ref)
      if (pod !== undefined) return { pod }
      const family = familyOf(ref)
      if (family === null) {
        problems.push(`${where}: ${ref} is neither a pod of the case nor an IP address`)
        return null
      }
      if (POD_RANGES.check(ref, family)) problems.push(`${where}: external ${ref} must lie outside the pod ranges`)
      return { ip: ref, family }
    }
    const from = end(e.from)
    const to = end(e.to)
    if (from === null || to === null) return
    if (!('pod' in from) && !('pod' in to)) problems.push(`${where}: at least one end must be a pod`)
    if ('pod' in to && !to.pod.ports.some((p) => p.port === e.port && p.protocol === e.protocol))
      problems.push(`${where}: ${to.pod.id} declares no container port ${e.port}/${e.protocol}`)
    const families = (x: typeof from): Family[] => ('pod' in x ? x.pod.ips.map((a) => a.family) : [x.family])
    if (!families(from).some((f) => families(to).includes(f))) problems.push(`${where}: the two ends share no IP family`)
    const probe = `${e.from} ${e.to} ${e.port} ${e.protocol}`
    if (probes.has(probe)) problems.push(`${where}: probed twice`)
    probes.add(probe)
  })
  return problems
}

const { cases, issues } = readCaseFiles()

describe('conformance case table', () => {
  test('every case file parses', () => {
    expect(issues.map((x) => `${x.file} ${x.path.join('.')}: ${x.message}`)).toEqual([])
  })

  test('case names are unique across files', () => {
    const seen = new Map<string, string>()
    const dupes: string[] = []
    for (const c of cases) {
      const prev = seen.get(c.name)
      if (prev !== undefined) dupes.push(`${c.name} (${prev}, ${c.file})`)
      seen.set(c.name, c.file)
    }
    expect(dupes).toEqual([])
  })

  test('the table is broad: many cases, both outcomes, every protocol', () => {
    const all = cases.flatMap((c) => c.expect)
    expect(cases.length).toBeGreaterThanOrEqual(60)
    expect(all.some((e) => e.allowed)).toBe(true)
    expect(all.some((e) => !e.allowed)).toBe(true)
    for (const p of CASE_PROTOCOLS) expect(all.some((e) => e.protocol === p)).toBe(true)
  })

  test('the cluster policy tiers are covered: every kind, both tiers of ClusterNetworkPolicy, every action', () => {
    const text = cases.map((c) => c.resources).join('\n')
    for (const kind of Object.keys(TIER_KINDS)) expect(text).toContain(`kind: ${kind}`)
    for (const word of ['tier: Admin', 'tier: Baseline', 'action: Accept', 'action: Allow', 'action: Deny', 'action: Pass', 'hostNetwork: true'])
      expect(text).toContain(word)
  })

  test.each(cases.map((c) => ({ ...c, title: `${c.file}: ${c.name}` })))('$title', (c) => {
    expect(caseProblems(c)).toEqual([])
  })
})

/** How many objects of each kind a case's resources hold, as written. */
function writtenKinds(resources: string): Record<string, number> {
  const n: Record<string, number> = {}
  for (const d of parseAllDocuments(resources)) {
    const kind = field(d.toJS(), 'kind')
    if (typeof kind === 'string') n[kind] = (n[kind] ?? 0) + 1
  }
  return n
}

// The runners build each case with the real parser; a kind it does not know would be skipped without a word, and the
// case would test a cluster without its policies. So every object written must come out of the parser.
describe('the model reads every object of every case', () => {
  for (const c of cases) {
    test(`${c.file}: ${c.name}`, () => {
      const split = splitDocuments(`${c.file}#${c.name}`, c.resources)
      const built = buildCluster(split.docs)
      expect([...split.issues, ...built.issues]).toEqual([])
      const k = writtenKinds(c.resources)
      const count = (...kinds: string[]) => kinds.reduce((sum, x) => sum + (k[x] ?? 0), 0)
      const { cluster } = built
      expect({
        namespaces: cluster.namespaces.size,
        pods: cluster.pods.length,
        networkPolicies: cluster.policies.length,
        clusterPolicies: cluster.clusterPolicies.length,
        nodes: cluster.nodes.length,
      }).toEqual({
        namespaces: count('Namespace'),
        pods: count('Pod'),
        networkPolicies: count('NetworkPolicy'),
        clusterPolicies: count('ClusterNetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'),
        nodes: count('Node'),
      })
    })
  }
})

describe('the well-formedness check itself', () => {
  const cluster = [
    'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }',
    'apiVersion: v1\nkind: Pod\nmetadata: { name: a, namespace: x }\nspec: { containers: [ { name: c, image: i, ports: [ { name: http, containerPort: 80 } ] } ] }\nstatus: { podIP: 10.244.1.10 }',
    'apiVersion: v1\nkind: Pod\nmetadata: { name: b, namespace: x }\nspec: { containers: [ { name: c, image: i, ports: [ { name: dns, containerPort: 53, protocol: UDP } ] } ] }\nstatus: { podIP: 10.244.1.11 }',
  ].join('\n---\n')
  const probe = (from: string, to: string, port: number, protocol: CaseProtocol = 'TCP') => ({ from, to, port, protocol, allowed: true })
  const check = (resources: string, ...expect: ReturnType<typeof probe>[]) => caseProblems({ file: 't.yaml', name: 't', resources, expect })

  test('a well-formed case has no problems', () => {
    expect(check(cluster, probe('x/a', 'x/b', 53, 'UDP'), probe('203.0.113.7', 'x/a', 80), probe('x/b', '8.8.8.8', 443))).toEqual([])
  })
  test.each([
    { name: 'unknown pod', expect: [probe('x/zz', 'x/a', 80)], want: 'neither a pod' },
    { name: 'port not declared by the destination', expect: [probe('x/a', 'x/b', 80)], want: 'declares no container port 80/TCP' },
    { name: 'protocol not declared by the destination', expect: [probe('x/a', 'x/b', 53, 'TCP')], want: 'declares no container port 53/TCP' },
    { name: 'external address inside the pod range', expect: [probe('10.244.9.9', 'x/a', 80)], want: 'outside the pod ranges' },
    { name: 'no pod at either end', expect: [probe('203.0.113.7', '8.8.8.8', 80)], want: 'at least one end' },
    { name: 'families differ', expect: [probe('2001:db8::1', 'x/a', 80)], want: 'share no IP family' },
    { name: 'probe repeated', expect: [probe('x/b', 'x/a', 80), probe('x/b', 'x/a', 80)], want: 'probed twice' },
  ])('$name is reported', ({ expect: probes, want }) => {
    expect(check(cluster, ...probes).join('\n')).toContain(want)
  })
  test.each([
    { name: 'missing Namespace object', resources: cluster.replace('kind: Namespace\nmetadata: { name: x }', 'kind: Namespace\nmetadata: { name: w }'), want: 'has no Namespace object' },
    { name: 'shared pod IP', resources: cluster.replace('10.244.1.11', '10.244.1.10'), want: 'also belongs to' },
    { name: 'pod IP outside the pod ranges', resources: cluster.replace('10.244.1.11', '192.168.0.1'), want: 'outside 10.244.0.0/16' },
    { name: 'invalid port name', resources: cluster.replace('name: http', 'name: HTTP_PORT'), want: 'not a valid port name' },
    { name: 'Service object', resources: `${cluster}\n---\napiVersion: v1\nkind: Service\nmetadata: { name: s, namespace: x }`, want: 'kind must be one of' },
  ])('$name is reported', ({ resources, want }) => {
    expect(check(resources, probe('x/a', 'x/b', 53, 'UDP')).join('\n')).toContain(want)
  })

  const node = 'apiVersion: v1\nkind: Node\nmetadata: { name: n1 }\nstatus: { addresses: [ { type: InternalIP, address: 172.18.0.3 } ] }'
  const hostPod = (ip: string, extra = '') =>
    `apiVersion: v1\nkind: Pod\nmetadata: { name: h, namespace: x }\nspec: { nodeName: n1, hostNetwork: true, containers: [ { name: c, image: i, ports: [ { name: web, containerPort: 36363 } ] } ] }\nstatus: { podIP: ${ip}, hostIP: ${ip} }${extra}`
  test('a host-network pod on its Node object is well formed, and a pod may connect to it', () => {
    expect(check(`${cluster}\n---\n${node}\n---\n${hostPod('172.18.0.3')}`, probe('x/a', 'x/h', 36363))).toEqual([])
  })
  test.each([
    { name: 'host-network pod not at its node address', resources: `${cluster}\n---\n${node}\n---\n${hostPod('172.18.0.9')}`, want: 'an address of its node n1' },
    { name: 'host-network pod without its Node', resources: `${cluster}\n---\n${hostPod('172.18.0.3')}`, want: 'node n1 has no Node object' },
    { name: 'node address inside the pod ranges', resources: `${cluster}\n---\n${node.replace('172.18.0.3', '10.244.1.10')}`, want: 'must lie outside the pod ranges' },
    { name: 'BANP not named default', resources: `${cluster}\n---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: { name: b }`, want: 'is named default' },
    { name: 'namespaced cluster policy', resources: `${cluster}\n---\napiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: { name: c, namespace: x }`, want: 'has no metadata.namespace' },
  ])('$name is reported', ({ resources, want }) => {
    expect(check(resources, probe('x/a', 'x/b', 53, 'UDP')).join('\n')).toContain(want)
  })
})

describe('parseCaseFile', () => {
  test('a base is put before the case\'s own resources; an unknown base is an issue', () => {
    const text = '- name: n\n  base: b1\n  resources: own\n  expect:\n    - { from: x/a, to: x/b, port: 80, allowed: true }\n'
    const r = parseCaseFile('t.yaml', text, (name) => (name === 'b1' ? 'base\n' : undefined))
    expect(r.issues).toEqual([])
    expect(r.cases[0]).toMatchObject({ base: 'b1', resources: 'base\n---\nown' })
    expect(parseCaseFile('t.yaml', text.replace('b1', 'b2'), () => undefined).issues.map((i) => i.path)).toEqual([[0, 'base']])
  })
  test('protocol defaults to TCP and spec is optional', () => {
    const r = parseCaseFile('t.yaml', '- name: n\n  resources: r\n  expect:\n    - { from: x/a, to: x/b, port: 80, allowed: true }\n')
    expect(r.issues).toEqual([])
    expect(r.cases).toEqual([{ file: 't.yaml', name: 'n', resources: 'r', expect: [{ from: 'x/a', to: 'x/b', port: 80, protocol: 'TCP', allowed: true }] }])
  })
  test.each([
    { name: 'unknown key', text: '- name: n\n  resources: r\n  expect:\n    - { from: a, to: b, port: 80, alowed: true }\n', path: [0, 'expect', 0, 'alowed'] },
    { name: 'bad protocol', text: '- name: n\n  resources: r\n  expect:\n    - { from: a, to: b, port: 80, protocol: ICMP, allowed: true }\n', path: [0, 'expect', 0, 'protocol'] },
    { name: 'port out of range', text: '- name: n\n  resources: r\n  expect:\n    - { from: a, to: b, port: 0, allowed: true }\n', path: [0, 'expect', 0, 'port'] },
    { name: 'empty expect', text: '- name: n\n  resources: r\n  expect: []\n', path: [0, 'expect'] },
    { name: 'not a list', text: 'name: n\n', path: [] },
  ])('$name is an issue at its path, and the case is left out', ({ text, path }) => {
    const r = parseCaseFile('t.yaml', text)
    expect(r.issues.map((i) => i.path)).toContainEqual(path)
    expect(r.cases).toEqual([])
  })
})
