import { describe, expect, test } from 'vitest'
import { cluster, ip, ipPeer, pod, policy, port, rule, sel } from '../../../test/builders.js'
import { indexCluster } from '../../engine/cluster-index.js'
import { compareLab, measuredReachability } from '../../analysis/lab-compare.js'
import { compareOutside, type OutsideMeasurement } from '../../analysis/lab-outside.js'
import { computeReachability } from '../../analysis/reachability.js'
import { writeMatrixReport } from '../../report/matrix-report.js'
import { writeLabJson } from './lab-json.js'
import { renderOutsideDiff, writeOutsideTable } from './lab-outside.js'

const TCP = (p: number) => ({ port: p, protocol: 'TCP' as const })
const theCluster = cluster({
  pods: [pod('x/a', { app: 'a' }, { ips: ['10.244.1.1'], ports: [TCP(80)] }), pod('x/b', { app: 'b' }, { ips: ['10.244.1.2'], ports: [TCP(80)] })],
  policies: [policy('x', 'a-in', { podSelector: sel({ app: 'a' }), ingress: [rule([ipPeer('203.0.113.0/24', ['203.0.113.128/25'])], [port(80)])] })],
})
const index = indexCluster(theCluster)
const PORTS = [TCP(80)]
const predicted = computeReachability(index, theCluster.pods, PORTS, 4)
const measured = measuredReachability(compareLab(index, predicted, []), predicted)
const hosts = [ip('203.0.113.1'), ip('203.0.113.200')]
const m = (host: number, direction: 'ingress' | 'egress', p: number, outcome: OutsideMeasurement['outcome']): OutsideMeasurement => ({ host, pod: p, port: 0, direction, outcome })
// 203.0.113.200 is excepted, yet connected to a: a disagreement; b → .1 refused: a failure
const cmp = compareOutside(index, theCluster.pods, hosts, PORTS, 4, [m(0, 'ingress', 0, 'ok'), m(1, 'ingress', 0, 'ok'), m(0, 'egress', 1, 'refused'), m(1, 'ingress', 1, 'ok')])
const text = async (fn: (w: (s: string | Uint8Array) => void) => Promise<void>) => {
  let s = ''
  await fn((c) => void (s += typeof c === 'string' ? c : Buffer.from(c).toString()))
  return s
}

describe('lab output with outside hosts', () => {
  test('JSON without outside hosts: the bytes of matrix -o json', async () => {
    expect(await text((w) => writeLabJson(measured, null, index, w))).toBe(await text((w) => writeMatrixReport(measured, w)))
  })
  test('JSON: the hosts after the pods, host to host false', async () => {
    const got = JSON.parse(await text((w) => writeLabJson(measured, cmp, index, w))) as { pods: string[]; results: { allowed: boolean[][] }[] }
    expect(got.pods).toEqual(['x/a', 'x/b', '203.0.113.1', '203.0.113.200'])
    // b → a not probed: the engine (a admits only the ipBlock); b → 203.0.113.1 refused: failed, no connection made;
    // 203.0.113.200 → a measured: connected, whatever the engine says
    expect(got.results[0]!.allowed).toEqual([
      [true, true, true, true],
      [false, true, false, true],
      [true, true, false, false],
      [true, true, false, false],
    ])
  })
  test('the table: per host, to the pods and from the pods', async () => {
    expect(await text((w) => writeOutsideTable(cmp, ['in 203.0.113.0/24', 'in except 203.0.113.128/25 of 203.0.113.0/24'], w))).toBe(
      [
        '',
        'outside hosts, port 80/TCP   (columns: the pods above; . connected, X no answer, - not probed, ! probe failed)',
        '',
        '                                                              to the pods     from the pods',
        '                                                              1 2             1 2',
        '203.0.113.1 (in 203.0.113.0/24)                               . -             - !',
        '203.0.113.200 (in except 203.0.113.128/25 of 203.0.113.0/24)  . .             - -',
        '',
      ].join('\n'),
    )
  })
  test('the comparison: each disagreement with the engine’s reasons, each failure', () => {
    expect(renderOutsideDiff(cmp, { 'host-network': 0, 'no-address': 0, 'not-served': 3 })).toBe(
      [
        'lab vs engine, outside hosts (IPv4, 2 hosts, both ways): 3 cells measured, 2 agree, 1 disagree, 1 failed; not probed: 3 (port not served)',
        '',
        '1 disagreement with outside hosts (measured in the lab vs predicted by the engine):',
        '  203.0.113.200 → x/a  80/TCP  lab: allowed, engine: denied',
        '      engine: egress of 203.0.113.200: not a pod; ingress of x/a: denied: isolated by x/a-in, no rule matches',
        '',
        '1 probe with outside hosts failed (no measurement):',
        '  x/b → 203.0.113.1  80/TCP  refused',
        '',
      ].join('\n'),
    )
  })
})
