import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Protocol } from '../model/port.js'
import { mustRun } from './lab-exec.js'
import { labDown, labStatus, labUp } from './lab-host.js'
import { LAB_NETNS_PREFIXES, LAB_NODE_NETNS, planLab, type LabPlan, type LabPodInput } from './lab-plan.js'
import { LAB_STATE_FILE, listNetns, procStartTime } from './lab-state.js'
import { probeAll, type ProbeOutcome, type ProbeTarget } from './probe.js'
import { acquireLabLock } from '../../test/lab-lock.js'
import { hostSupports } from '../../test/requirements.js'

// Real namespaces, sockets and nftables: needs root (CI runs these as root) and iproute2, nftables, procps, python3.
const isRoot = hostSupports('the lab runtime (lab-host.test.ts)', ['ip', 'sysctl', 'nft', 'python3'])

// the lab's namespace names are fixed: one lab-building test file at a time
let release: (() => void) | undefined
beforeAll(async () => {
  if (isRoot) release = await acquireLabLock()
})
afterAll(() => release?.())

const TCP = (port: number) => ({ port, protocol: 'TCP' as const })
const UDP = (port: number) => ({ port, protocol: 'UDP' as const })
const SCTP = (port: number) => ({ port, protocol: 'SCTP' as const })

const pods: LabPodInput[] = [
  { namespace: 'lab', name: 'web', ips: [], ports: [TCP(80), UDP(53)] },
  { namespace: 'lab', name: 'assoc', ips: [], ports: [SCTP(9000)] },
  { namespace: 'lab', name: 'dual', ips: ['10.244.7.7', 'fd00:10:244::7'], ports: [TCP(8080)] },
]
const EXT4 = '203.0.113.7'
const EXT6 = '2001:db8::7'

/** Replaces the node namespace's test table atomically (or removes it, with no rules). */
async function setRules(rules: string[]): Promise<void> {
  const body = rules.length === 0 ? '' : `table inet labtest {\n  chain forward_test {\n    type filter hook forward priority 0; policy accept;\n    ${rules.join('\n    ')}\n  }\n}\n`
  await mustRun('nft', 'ip', ['netns', 'exec', LAB_NODE_NETNS, 'nft', '-f', '-'], `table inet labtest\ndelete table inet labtest\n${body}`)
}

interface Case {
  name: string
  from: string
  to: string | { pod: string; family: 4 | 6 }
  port: number
  protocol: Protocol
}

/** Probes every case in one probeAll run and returns name → outcome. */
async function probeCases(plan: LabPlan, cases: readonly Case[]): Promise<Record<string, ProbeOutcome>> {
  const ipOf = (to: Case['to']): string => {
    if (typeof to === 'string') return to
    const pod = plan.pods.find((p) => p.id === to.pod)
    return pod?.addresses.find((a) => a.family === to.family)?.ip ?? `missing-${to.pod}`
  }
  const bySource = new Map<string, ProbeTarget[]>()
  const names = new Map<string, string>()
  for (const c of cases) {
    const t = { ip: ipOf(c.to), port: c.port, protocol: c.protocol }
    bySource.set(c.from, [...(bySource.get(c.from) ?? []), t])
    names.set(`${c.from} ${t.ip} ${t.port}/${t.protocol}`, c.name)
  }
  const got: Record<string, ProbeOutcome> = {}
  for await (const r of probeAll(plan, bySource)) got[names.get(`${r.source} ${r.ip} ${r.port}/${r.protocol}`) ?? '?'] = r.result
  return got
}

const web4 = { pod: 'lab/web', family: 4 } as const
const assoc4 = { pod: 'lab/assoc', family: 4 } as const
const dual4 = { pod: 'lab/dual', family: 4 } as const
const dual6 = { pod: 'lab/dual', family: 6 } as const

// Columns: the outcome under each rule set of `phases` below.
const cases: (Case & { want: [ProbeOutcome, ProbeOutcome, ProbeOutcome, ProbeOutcome, ProbeOutcome] })[] = [
  //                                                                                       none       drop80     dropSctp   dropV6     reject
  { name: 'pod → pod TCP, declared', from: 'lab/dual', to: web4, port: 80, protocol: 'TCP', want: ['ok', 'timeout', 'ok', 'ok', 'refused'] },
  { name: 'external → pod TCP, declared', from: EXT4, to: web4, port: 80, protocol: 'TCP', want: ['ok', 'timeout', 'ok', 'ok', 'refused'] },
  { name: 'pod → pod UDP, declared', from: 'lab/dual', to: web4, port: 53, protocol: 'UDP', want: ['ok', 'ok', 'ok', 'ok', 'ok'] },
  { name: 'pod → pod TCP, undeclared', from: 'lab/dual', to: web4, port: 81, protocol: 'TCP', want: ['refused', 'refused', 'refused', 'refused', 'refused'] },
  { name: 'pod → pod UDP, undeclared', from: 'lab/dual', to: web4, port: 54, protocol: 'UDP', want: ['refused', 'refused', 'refused', 'refused', 'refused'] },
  { name: 'pod → pod SCTP, declared', from: 'lab/web', to: assoc4, port: 9000, protocol: 'SCTP', want: ['ok', 'ok', 'timeout', 'ok', 'refused'] },
  { name: 'pod → pod SCTP, undeclared', from: 'lab/web', to: assoc4, port: 9001, protocol: 'SCTP', want: ['refused', 'refused', 'refused', 'refused', 'refused'] },
  { name: 'external → pod SCTP', from: EXT4, to: assoc4, port: 9000, protocol: 'SCTP', want: ['ok', 'ok', 'timeout', 'ok', 'refused'] },
  { name: 'pod → dual-stack pod over IPv4', from: 'lab/web', to: dual4, port: 8080, protocol: 'TCP', want: ['ok', 'ok', 'ok', 'ok', 'ok'] },
  { name: 'external → dual-stack pod over IPv6', from: EXT6, to: dual6, port: 8080, protocol: 'TCP', want: ['ok', 'ok', 'ok', 'timeout', 'ok'] },
  { name: 'pod → external TCP', from: 'lab/web', to: EXT4, port: 443, protocol: 'TCP', want: ['ok', 'ok', 'ok', 'ok', 'ok'] },
  { name: 'IPv4-only pod cannot probe IPv6', from: 'lab/web', to: dual6, port: 8080, protocol: 'TCP', want: ['error', 'error', 'error', 'error', 'error'] },
]

describe.runIf(isRoot)('lab: 3 pods and an external namespace, probed through the node namespace', () => {
  const plan = planLab(pods, { externalIps: [EXT4, EXT6], externalPorts: [TCP(443)] })
  const webIp = plan.pods.find((p) => p.id === 'lab/web')!.addresses[0]!.ip
  const phases: { name: string; rules: string[] }[] = [
    { name: 'no rules', rules: [] },
    // a drop in the inet forward hook of the node namespace stops bridged pod↔pod traffic (br_netfilter)
    { name: 'inet forward drops TCP to web:80', rules: [`ip daddr ${webIp} tcp dport 80 drop`] },
    { name: 'inet forward drops SCTP to port 9000', rules: ['meta l4proto sctp th dport 9000 drop'] },
    { name: 'inet forward drops IPv6 TCP 8080', rules: ['ip6 daddr fd00:10:244::7 tcp dport 8080 drop'] },
    { name: 'reject answers with RST and ICMP', rules: [`ip daddr ${webIp} tcp dport 80 reject with tcp reset`, 'meta l4proto sctp th dport 9000 reject'] },
  ]

  beforeAll(async () => {
    expect(plan.issues).toEqual([])
    await labUp(plan)
  }, 30_000)
  afterAll(async () => {
    await labDown()
  }, 30_000)

  test('status: every namespace exists and every server runs', async () => {
    const s = await labStatus()
    expect(s.healthy).toBe(true)
    expect(s.namespaces).toEqual([...plan.pods.map((p) => p.netns), 'netpol-lab-ext', 'netpol-lab-node'].sort())
    // web, dual and the external namespace have TCP/UDP servers; SCTP is one responder for all
    expect(s.processes.map((p) => p.role).sort()).toEqual(['pod-server', 'pod-server', 'pod-server', 'sctp-responder'])
  })

  test('the external namespace is routed by the node, not bridged: its own veth, a host route per address', async () => {
    const link = await mustRun('ip link', 'ip', ['-n', LAB_NODE_NETNS, '-j', 'link', 'show', 'dev', 'nplhext'])
    expect((JSON.parse(link) as { master?: string }[])[0]?.master).toBeUndefined()
    for (const ip of [EXT4, EXT6]) {
      const route = await mustRun('ip route get', 'ip', ['-n', LAB_NODE_NETNS, '-j', 'route', 'get', ip])
      expect((JSON.parse(route) as { dev: string }[])[0]?.dev).toBe('nplhext')
    }
    const ext = await mustRun('ip route', 'ip', ['-n', 'netpol-lab-ext', 'route', 'show', 'default'])
    expect(ext.trim()).toBe(`default via ${plan.gateways[0]!.ip} dev eth0 onlink`)
  })

  test('br_netfilter is on in the node namespace', async () => {
    const out = await mustRun('sysctl', 'ip', ['netns', 'exec', LAB_NODE_NETNS, 'sysctl', '-n', 'net.bridge.bridge-nf-call-iptables', 'net.bridge.bridge-nf-call-ip6tables'])
    expect(out.trim().split('\n')).toEqual(['1', '1'])
  })

  test('targets that cannot be probed come back as errors, one result each', async () => {
    const t = (ip: string, protocol: Protocol = 'TCP') => ({ ip, port: 80, protocol })
    const results = []
    for await (const r of probeAll(plan, { 'lab/nobody': [t(webIp)], 'lab/web': [t('not-an-ip'), t('fd00:10:244::7', 'SCTP'), t(webIp, 'UDP')] })) results.push(r)
    expect(results.map((r) => [r.source, r.ip, r.protocol, r.result, r.error]).sort()).toEqual([
      ['lab/nobody', webIp, 'TCP', 'error', 'not a pod or external address of the lab'],
      ['lab/web', webIp, 'UDP', 'refused', undefined],
      ['lab/web', 'fd00:10:244::7', 'SCTP', 'error', 'source has no IPv6 address'],
      ['lab/web', 'not-an-ip', 'TCP', 'error', 'not an IP address'],
    ])
  })

  test.each(phases.map((p, i) => ({ ...p, i })))('probes with $name', async ({ rules, i }) => {
    await setRules(rules)
    const got = await probeCases(plan, cases)
    expect(got).toEqual(Object.fromEntries(cases.map((c) => [c.name, c.want[i]])))
  })
})

describe.runIf(isRoot)('lab: teardown', () => {
  const small = planLab([{ namespace: 'lab', name: 'a', ips: [], ports: [TCP(80), SCTP(1)] }, { namespace: 'lab', name: 'b', ips: [], ports: [] }])

  test.each([
    { name: 'after a server was killed', damage: async (pids: number[]) => void process.kill(pids[0]!, 'SIGKILL') },
    { name: 'without the state file', damage: async () => rm(LAB_STATE_FILE) },
    { name: 'with an intact lab', damage: async () => {} },
  ])('labDown $name leaves no lab namespace and no lab process', async ({ damage }) => {
    await labUp(small)
    const before = await labStatus()
    const pids = before.processes.map((p) => p.pid)
    expect(pids.length).toBe(2)
    await damage(pids.filter((_, i) => before.processes[i]!.role === 'pod-server'))
    const report = await labDown()
    expect(report.namespaces.length).toBe(3)
    expect(await listNetns(LAB_NETNS_PREFIXES)).toEqual([])
    expect(await Promise.all(pids.map(procStartTime))).toEqual(pids.map(() => null))
    expect((await labStatus()).state).toBeNull()
  }, 30_000)

  test('a server that cannot bind fails labUp, which removes the partial lab', async () => {
    const broken: LabPlan = { ...small, servers: small.servers.map((sv) => ({ ...sv, addresses: ['10.99.99.99'] })) }
    await expect(labUp(broken)).rejects.toMatchObject({ name: 'LabError', step: expect.stringMatching(/^pod-server in npl-/) })
    expect(await listNetns(LAB_NETNS_PREFIXES)).toEqual([])
    expect((await labStatus()).state).toBeNull()
  }, 30_000)

  test('labDown with no lab is a no-op', async () => {
    expect(await labDown()).toEqual({ namespaces: [], killed: 0 })
  })
})

describe.runIf(isRoot)('lab: 50 pods', () => {
  test('up, probe a ring over TCP, UDP and SCTP, down', async () => {
    const n = 50
    const plan = planLab(Array.from({ length: n }, (_, i) => ({ namespace: `ns${i % 5}`, name: `pod-${i}`, ips: [], ports: [TCP(80), UDP(53), SCTP(9000)] })))
    const t0 = performance.now()
    await labUp(plan)
    const up = performance.now() - t0
    const bySource = new Map<string, ProbeTarget[]>()
    plan.pods.forEach((p, i) => {
      const peer = plan.pods[(i + 1) % n]!.addresses[0]!.ip
      bySource.set(p.id, [TCP(80), TCP(81), UDP(53), UDP(54), SCTP(9000), SCTP(9001)].map((x) => ({ ip: peer, ...x })))
    })
    const t1 = performance.now()
    const counts: Record<string, number> = {}
    for await (const r of probeAll(plan, bySource)) counts[r.result] = (counts[r.result] ?? 0) + 1
    const probe = performance.now() - t1
    await labDown()
    console.log(`lab of ${n} pods: up ${up.toFixed(0)} ms, ${6 * n} probes in ${probe.toFixed(0)} ms`)
    expect(counts).toEqual({ ok: 3 * n, refused: 3 * n })
  }, 60_000)
})
