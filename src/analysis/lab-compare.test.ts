import { describe, expect, test } from 'vitest'
import { cluster, pod, podsPeer, policy, port, rule, sel } from '../../test/builders.js'
import { indexCluster } from '../engine/cluster-index.js'
import { writeMatrixReport } from '../report/matrix-report.js'
import { LabCell, compareLab, labCellOf, labProbeCells, measuredReachability, type LabMeasurement, type LabOutcome } from './lab-compare.js'
import { computeReachability, podAllowed, type PortProtocol } from './reachability.js'

const TCP = (p: number) => ({ port: p, protocol: 'TCP' as const })
const UDP = (p: number) => ({ port: p, protocol: 'UDP' as const })

// a (serves 80/TCP), b (80/TCP, 53/UDP), c (nothing), h (hostNetwork, 80/TCP), v6 (IPv6 only, 80/TCP)
const pods = [
  pod('x/a', { app: 'a' }, { ips: ['10.244.1.1'], ports: [TCP(80)] }),
  pod('x/b', { app: 'b' }, { ips: ['10.244.1.2', 'fd00::2'], ports: [TCP(80), UDP(53)] }),
  pod('x/c', { app: 'c' }, { ips: ['10.244.1.3'] }),
  pod('x/h', { app: 'h' }, { ips: ['10.0.0.1'], hostNetwork: true, ports: [TCP(80)] }),
  pod('x/v6', { app: 'v6' }, { ips: ['fd00::6'], ports: [TCP(80)] }),
]
const [A, B, C, H, V6] = [0, 1, 2, 3, 4]
// b admits only a on 80/TCP
const only = policy('x', 'b-from-a', { podSelector: sel({ app: 'b' }), ingress: [rule([podsPeer(sel({ app: 'a' }))], [port(80)])] })
const theCluster = cluster({ pods, policies: [only] })
const index = indexCluster(theCluster)
const PORTS: PortProtocol[] = [TCP(80), UDP(53)]
const sorted = theCluster.pods

describe('labProbeCells', () => {
  const plan = labProbeCells(sorted, PORTS, 4)
  const probed = new Set(plan.probe.map((c) => `${c.from}>${c.to}@${c.port}`))

  test.each([
    { name: 'a → b on a port b serves', from: A, to: B, port: 0, want: true },
    { name: 'b → a on 80/TCP', from: B, to: A, port: 0, want: true },
    { name: 'c → a: the source serves nothing, which does not matter', from: C, to: A, port: 0, want: true },
    { name: 'a → c: c serves nothing', from: A, to: C, port: 0, want: false },
    { name: 'a → a: a pod to itself', from: A, to: A, port: 0, want: false },
    { name: 'a → h: hostNetwork destination', from: A, to: H, port: 0, want: false },
    { name: 'h → a: hostNetwork source', from: H, to: A, port: 0, want: false },
    { name: 'a → v6: no IPv4 address', from: A, to: V6, port: 0, want: false },
    { name: 'a → b on 53/UDP', from: A, to: B, port: 1, want: true },
    { name: 'b → a on 53/UDP: a does not serve it', from: B, to: A, port: 1, want: false },
  ])('$name', ({ from, to, port: k, want }) => expect(probed.has(`${from}>${to}@${k}`)).toBe(want))

  test('every cell is either probed or counted once under its reason', () => {
    const n = sorted.length
    const counted = Object.values(plan.notProbed).reduce((s, x) => s + x, 0)
    expect(plan.probe.length + counted).toBe(PORTS.length * n * n)
    expect(plan.notProbed).toEqual({ self: 10, replicas: 0, 'host-network': 16, 'no-address': 12, 'not-served': 6 })
  })

  test('the probes use the first address of the family', () => {
    expect(plan.probe.find((c) => c.from === A && c.to === B && c.port === 0)).toEqual({ from: A, to: B, port: 0, fromIp: '10.244.1.1', toIp: '10.244.1.2' })
    const six = labProbeCells(sorted, PORTS, 6)
    expect(six.probe.map((c) => [c.fromIp, c.toIp, c.port])).toEqual([
      ['fd00::2', 'fd00::6', 0],
      ['fd00::6', 'fd00::2', 0],
      ['fd00::6', 'fd00::2', 1],
    ])
  })
})

test.each([
  { outcome: 'ok', cell: LabCell.allowed },
  { outcome: 'timeout', cell: LabCell.denied },
  { outcome: 'refused', cell: LabCell.failed },
  { outcome: 'error', cell: LabCell.failed },
] as { outcome: LabOutcome; cell: LabCell }[])('labCellOf($outcome) = $cell', ({ outcome, cell }) => expect(labCellOf(outcome)).toBe(cell))

describe('compareLab', () => {
  const predicted = computeReachability(index, sorted, PORTS, 4)
  const m = (from: number, to: number, port: number, outcome: LabOutcome, error?: string): LabMeasurement => ({ from, to, port, outcome, ...(error ? { error } : {}) })

  test('agreement: allowed where the engine allows, dropped where it denies', () => {
    const cmp = compareLab(index, predicted, [m(A, B, 0, 'ok'), m(C, B, 0, 'timeout'), m(B, A, 0, 'ok'), m(A, B, 1, 'timeout')])
    expect(cmp).toMatchObject({ measured: 4, agreed: 4, disagreements: [], failures: [], family: 4, ports: PORTS })
    expect(cmp.cells[0]![A * 5 + B]).toBe(LabCell.allowed)
    expect(cmp.cells[0]![C * 5 + B]).toBe(LabCell.denied)
    expect(cmp.cells[0]![B * 5 + C]).toBe(LabCell.notProbed)
  })

  test.each([
    { name: 'measured allowed, engine denied', got: m(C, B, 0, 'ok'), measured: 'allowed', predicted: false, ingress: 'denied' },
    { name: 'measured dropped, engine allowed', got: m(A, B, 0, 'timeout'), measured: 'denied', predicted: true, ingress: 'allowed' },
    { name: 'measured dropped towards a pod no policy isolates', got: m(B, A, 0, 'timeout'), measured: 'denied', predicted: true, ingress: 'not-isolated' },
  ] as const)('a disagreement carries the engine’s verdict: $name', ({ got, measured, predicted: want, ingress }) => {
    const cmp = compareLab(index, predicted, [got])
    expect(cmp.measured).toBe(1)
    expect(cmp.agreed).toBe(0)
    expect(cmp.disagreements).toHaveLength(1)
    const d = cmp.disagreements[0]!
    expect(d).toMatchObject({ from: got.from, to: got.to, port: 0, portNumber: 80, protocol: 'TCP', measured, predicted: want })
    expect(d.verdict.allowed).toBe(want)
    expect(d.verdict.ingress.kind).toBe(ingress)
  })

  test('refused and error are failures, not measurements, whatever the engine says', () => {
    const cmp = compareLab(index, predicted, [m(A, B, 1, 'refused'), m(C, B, 0, 'error', 'ENETUNREACH')])
    expect(cmp.measured).toBe(0)
    expect(cmp.disagreements).toEqual([])
    expect(cmp.failures).toEqual([
      { from: C, to: B, port: 0, portNumber: 80, protocol: 'TCP', outcome: 'error', error: 'ENETUNREACH', predicted: false },
      { from: A, to: B, port: 1, portNumber: 53, protocol: 'UDP', outcome: 'refused', predicted: false },
    ])
    expect(cmp.cells[1]![A * 5 + B]).toBe(LabCell.failed)
  })

  test('disagreements come out in port, source, destination order', () => {
    const cmp = compareLab(index, predicted, [m(C, B, 0, 'ok'), m(A, B, 1, 'ok'), m(A, B, 0, 'timeout')])
    expect(cmp.disagreements.map((d) => [d.port, d.from, d.to])).toEqual([
      [0, A, B],
      [0, C, B],
      [1, A, B],
    ])
  })

  test.each([
    { name: 'an unknown port', bad: m(A, B, 2, 'ok') },
    { name: 'a source outside the pods', bad: m(5, B, 0, 'ok') },
  ])('a measurement outside the table is a bug: $name', ({ bad }) => expect(() => compareLab(index, predicted, [bad])).toThrow(RangeError))
})

describe('measuredReachability', () => {
  const predicted = computeReachability(index, sorted, PORTS, 4)
  const json = async (r: Parameters<typeof writeMatrixReport>[0]) => {
    let s = ''
    await writeMatrixReport(r, (c) => void (s += typeof c === 'string' ? c : Buffer.from(c).toString()))
    return JSON.parse(s) as { pods: string[]; results: { port: number; protocol: string; allowed: boolean[][] }[] }
  }

  test('with measurements equal to the prediction, the matrix JSON is the engine’s', async () => {
    const cells = labProbeCells(sorted, PORTS, 4).probe
    const agree = cells.map((c): LabMeasurement => ({ from: c.from, to: c.to, port: c.port, outcome: podAllowed(predicted, predicted.results[c.port]!, c.from, c.to) ? 'ok' : 'timeout' }))
    const cmp = compareLab(index, predicted, agree)
    expect(cmp.disagreements).toEqual([])
    expect(await json(measuredReachability(cmp, predicted))).toEqual(await json(predicted))
  })

  test('measured cells as measured, failed cells false, the rest predicted, self true', async () => {
    const cmp = compareLab(index, predicted, [
      { from: C, to: B, port: 0, outcome: 'ok' }, // engine: denied
      { from: A, to: B, port: 0, outcome: 'timeout' }, // engine: allowed
      { from: B, to: A, port: 0, outcome: 'refused' }, // engine: allowed
    ])
    const got = await json(measuredReachability(cmp, predicted))
    const want = await json(predicted)
    want.results[0]!.allowed[C]![B] = true
    want.results[0]!.allowed[A]![B] = false
    want.results[0]!.allowed[B]![A] = false
    expect(got).toEqual(want)
    expect(got.results[0]!.allowed[H]![H]).toBe(true)
  })

  test('no pods, no ports', async () => {
    const empty = computeReachability(indexCluster(cluster({})), [], [], 4)
    const cmp = compareLab(indexCluster(cluster({})), empty, [])
    expect(await json(measuredReachability(cmp, empty))).toEqual({ pods: [], results: [] })
  })
})

describe('a template of several replicas in the lab', () => {
  // the lab gives the template one namespace and an address; the engine reads it as 3 pods under deny-all
  const t = (replicas: number) => pod('y/web', { app: 'web' }, { ips: ['10.244.2.1'], ports: [TCP(80)], template: { kind: 'Deployment', name: 'web', replicas } })
  const other = pod('y/z', { app: 'z' }, { ips: ['10.244.2.2'], ports: [TCP(80)] })
  const setup = (replicas: number) => {
    const c = cluster({ pods: [t(replicas), other], policies: [policy('y', 'deny')] })
    const idx = indexCluster(c)
    return { c, idx, predicted: computeReachability(idx, c.pods, [TCP(80)], 4) }
  }

  test.each([
    { name: '3 replicas: one replica to another, not probed', replicas: 3, want: { self: 1, replicas: 1 } },
    { name: '1 replica: a pod to itself', replicas: 1, want: { self: 2, replicas: 0 } },
  ])('$name', ({ replicas, want }) => {
    const { c } = setup(replicas)
    const plan = labProbeCells(c.pods, [TCP(80)], 4)
    expect({ self: plan.notProbed.self, replicas: plan.notProbed.replicas }).toEqual(want)
    expect(plan.probe.some((p) => p.from === p.to)).toBe(false)
  })

  test('a measurement of its namespace to itself (loopback, connects) is no disagreement with "denied"', () => {
    const { idx, predicted } = setup(3)
    expect(podAllowed(predicted, predicted.results[0]!, 0, 0)).toBe(false)
    const cmp = compareLab(idx, predicted, [{ from: 0, to: 0, port: 0, outcome: 'ok' }, { from: 1, to: 0, port: 0, outcome: 'timeout' }])
    expect(cmp.disagreements).toEqual([])
    expect([cmp.measured, cmp.agreed]).toEqual([1, 1])
    expect(cmp.cells[0]![0]).toBe(LabCell.notProbed)
  })
})
