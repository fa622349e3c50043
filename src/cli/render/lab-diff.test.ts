import { expect, test } from 'vitest'
import { cluster, pod, podsPeer, policy, port, rule, sel } from '../../../test/builders.js'
import { indexCluster } from '../../engine/cluster-index.js'
import { compareLab, labProbeCells } from '../../analysis/lab-compare.js'
import { computeReachability } from '../../analysis/reachability.js'
import { renderLabDiff } from './lab-diff.js'
import { writeLabTable } from './lab-table.js'

const TCP = (p: number) => ({ port: p, protocol: 'TCP' as const })
const c = cluster({
  pods: [
    pod('x/a', { app: 'a' }, { ips: ['10.244.1.1'], ports: [TCP(80)] }),
    pod('x/b', { app: 'b' }, { ips: ['10.244.1.2'], ports: [TCP(80)] }),
    pod('x/c', { app: 'c' }, { ips: ['10.244.1.3'] }),
  ],
  policies: [
    policy('x', 'b-from-a', { podSelector: sel({ app: 'b' }), ingress: [rule([podsPeer(sel({ app: 'a' }))], [port(80)])] }),
    policy('x', 'c-egress', { podSelector: sel({ app: 'c' }), ingress: null, egress: [rule('any', [port(80)])] }),
  ],
})
const index = indexCluster(c)
const predicted = computeReachability(index, c.pods, [TCP(80)], 4)
const plan = labProbeCells(c.pods, [TCP(80)], 4)
const [A, B, C] = [0, 1, 2]

test('everything agrees: one summary line with what was not probed', () => {
  const cmp = compareLab(index, predicted, [
    { from: A, to: B, port: 0, outcome: 'ok' },
    { from: B, to: A, port: 0, outcome: 'ok' },
    { from: C, to: A, port: 0, outcome: 'ok' },
    { from: C, to: B, port: 0, outcome: 'timeout' },
  ])
  expect(renderLabDiff(cmp, { notProbed: plan.notProbed, checkFiles: ['m.yaml'] })).toBe(
    'lab vs engine (IPv4): 4 cells measured, 4 agree, 0 disagree, 0 failed; not probed: 3 (a pod to itself), 2 (port not served by the destination)\n',
  )
})

test('disagreements with the engine’s reasons in one line, failures, and the check command', () => {
  const cmp = compareLab(index, predicted, [
    { from: A, to: B, port: 0, outcome: 'timeout' },
    { from: C, to: B, port: 0, outcome: 'ok' },
    { from: B, to: A, port: 0, outcome: 'refused' },
    { from: C, to: A, port: 0, outcome: 'error', error: 'EHOSTUNREACH' },
  ])
  expect(renderLabDiff(cmp, { notProbed: { self: 0, replicas: 0, 'host-network': 0, 'no-address': 0, 'not-served': 0 }, checkFiles: ['m.yaml'] })).toBe(
    [
      'lab vs engine (IPv4): 2 cells measured, 0 agree, 2 disagree, 2 failed',
      '',
      '2 disagreements (measured in the lab vs predicted by the engine):',
      '  x/a → x/b  80/TCP  lab: denied, engine: allowed',
      '      engine: egress of x/a: not isolated for egress; ingress of x/b: allowed by x/b-from-a ingress[0]',
      '  x/c → x/b  80/TCP  lab: allowed, engine: denied',
      '      engine: egress of x/c: allowed by x/c-egress egress[0]; ingress of x/b: denied: isolated by x/b-from-a, no rule matches',
      '  full reasons: netpol check -f m.yaml --from x/a --to x/b --port 80/TCP --family 4',
      '',
      '2 probes failed (no measurement):',
      '  x/b → x/a  80/TCP  refused: the destination answered on a port it declares, so its server is not listening there or a rule rejects instead of dropping',
      '  x/c → x/a  80/TCP  probe error: EHOSTUNREACH',
      '',
    ].join('\n'),
  )
})

test('the measured table: . connected, X no answer, - not probed, ! failed', async () => {
  const cmp = compareLab(index, predicted, [
    { from: A, to: B, port: 0, outcome: 'ok' },
    { from: C, to: B, port: 0, outcome: 'timeout' },
    { from: B, to: A, port: 0, outcome: 'refused' },
  ])
  let out = ''
  await writeLabTable(cmp, (s) => void (out += s))
  expect(out).toBe(
    [
      'port 80/TCP   (rows: from, columns: to; . connected, X no answer, - not probed, ! probe failed)',
      '',
      '        1 2 3',
      '1 x/a   - . -',
      '2 x/b   ! - -',
      '3 x/c   - X -',
      '',
    ].join('\n'),
  )
})
