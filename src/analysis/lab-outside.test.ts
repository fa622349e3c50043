import { describe, expect, test } from 'vitest'
import { cluster, ip, ipPeer, pod, policy, port, rule, sel } from '../../test/builders.js'
import { indexCluster } from '../engine/cluster-index.js'
import { LabCell } from './lab-compare.js'
import { compareOutside, outsideAllowed, outsideProbeCells, type OutsideMeasurement } from './lab-outside.js'

const TCP = (p: number) => ({ port: p, protocol: 'TCP' as const })

// a serves 80 and admits 203.0.113.0/24 except .128/25 on 80; b serves nothing and may reach only 198.51.100.0/24
const pods = [
  pod('x/a', { app: 'a' }, { ips: ['10.244.1.1'], ports: [TCP(80)] }),
  pod('x/b', { app: 'b' }, { ips: ['10.244.1.2'] }),
  pod('x/h', { app: 'h' }, { ips: ['10.0.0.1'], hostNetwork: true, ports: [TCP(80)] }),
]
const theCluster = cluster({
  pods,
  policies: [
    policy('x', 'a-in', { podSelector: sel({ app: 'a' }), ingress: [rule([ipPeer('203.0.113.0/24', ['203.0.113.128/25'])], [port(80)])] }),
    policy('x', 'b-out', { podSelector: sel({ app: 'b' }), ingress: null, egress: [rule([ipPeer('198.51.100.0/24')])] }),
  ],
})
const index = indexCluster(theCluster)
const hosts = [ip('203.0.113.1'), ip('203.0.113.200')]
const PORTS = [TCP(80)]

describe('outsideProbeCells', () => {
  const plan = outsideProbeCells(theCluster.pods, hosts, PORTS, PORTS, 4)
  test('ingress to pods that serve the port, egress from every pod with an address; hostNetwork pods never', () => {
    expect(plan.probe.map((c) => `${c.host} ${c.direction} ${c.pod}`)).toEqual(['0 ingress 0', '0 egress 0', '0 egress 1', '1 ingress 0', '1 egress 0', '1 egress 1'])
    expect(plan.notProbed).toEqual({ 'host-network': 4, 'no-address': 0, 'not-served': 2 })
  })
  test('egress is not probed on a port the outside hosts do not serve', () => {
    const p = outsideProbeCells(theCluster.pods, hosts, [], PORTS, 4)
    expect(p.probe.every((c) => c.direction === 'ingress')).toBe(true)
  })
})

describe('compareOutside', () => {
  const m = (host: number, direction: 'ingress' | 'egress', pod: number, outcome: OutsideMeasurement['outcome']): OutsideMeasurement => ({ host, pod, port: 0, direction, outcome })
  const cmp = compareOutside(index, theCluster.pods, hosts, PORTS, 4, [
    m(0, 'ingress', 0, 'ok'), // allowed by a-in
    m(1, 'ingress', 0, 'ok'), // excepted: the engine denies
    m(0, 'egress', 1, 'timeout'), // b may reach only 198.51.100.0/24
    m(0, 'egress', 0, 'refused'), // a failed probe
  ])
  test('each measurement beside the engine verdict; disagreements and failures apart', () => {
    expect(cmp.measured).toBe(3)
    expect(cmp.agreed).toBe(2)
    expect(cmp.disagreements.map((d) => [d.host, d.direction, d.pod, d.predicted, d.verdict.ingress.kind])).toEqual([[1, 'ingress', 0, false, 'denied']])
    expect(cmp.failures.map((f) => [f.host, f.direction, f.pod, f.outcome])).toEqual([[0, 'egress', 0, 'refused']])
    expect(cmp.cells[0]!.ingress[1 * 3 + 0]).toBe(LabCell.allowed)
    expect(cmp.cells[0]!.egress[0 * 3 + 1]).toBe(LabCell.denied)
  })
  test('outsideAllowed: measured cells as measured, the rest as the engine says (pods first, then hosts)', () => {
    expect(outsideAllowed(cmp, index, 0, 4, 0)).toBe(true) // 203.0.113.200 → a, measured ok
    expect(outsideAllowed(cmp, index, 0, 1, 3)).toBe(false) // b → 203.0.113.1, measured timeout
    expect(outsideAllowed(cmp, index, 0, 1, 4)).toBe(false) // b → 203.0.113.200, not probed: the engine denies
    expect(outsideAllowed(cmp, index, 0, 0, 4)).toBe(true) // a → 203.0.113.200, not probed: a is not isolated for egress
    expect(() => outsideAllowed(cmp, index, 0, 0, 1)).toThrow(RangeError)
  })
})
