import { describe, expect, test } from 'vitest'
import { scratchDir } from '../scratch-dir.js'
import { runCli } from './cli-harness.js'

/**
 * A capture that begins mid-connection: backend/api-5c4 → database/postgres-0:5432 (which the proposal in
 * examples/flows/proposed breaks), seen only through its reply or its later packets. Every format, audited and
 * generated: each such record is evidence of the connection, counted as started before the capture.
 */
const EX = 'examples/three-tier/'
const PROPOSED = 'examples/flows/proposed/'
const api = { namespace: 'backend', labels: ['k8s:app=api', 'k8s:io.kubernetes.pod.namespace=backend', 'k8s:tier=backend'], pod_name: 'api-5c4' }
const postgres = { namespace: 'database', labels: ['k8s:app=postgres', 'k8s:io.kubernetes.pod.namespace=database', 'k8s:tier=database'], pod_name: 'postgres-0' }
const API_IP = '10.244.2.10'
const PG_IP = '10.244.3.10'
const time = '2026-12-07T09:00:15.195123457Z'
const hubble = (reply: boolean | undefined, flags: object, more: object = {}) => {
  // a reply (and a SYN-ACK without is_reply) goes from postgres back to api's ephemeral port
  const reversed = reply === true || (reply === undefined && 'SYN' in flags && 'ACK' in flags)
  const [src, dst, sip, dip, sport, dport] = reversed ? [postgres, api, PG_IP, API_IP, 5432, 39553] : [api, postgres, API_IP, PG_IP, 39553, 5432]
  const flow = { time, verdict: 'FORWARDED', IP: { source: sip, destination: dip, ipVersion: 'IPv4' }, l4: { TCP: { source_port: sport, destination_port: dport, flags } }, source: src, destination: dst, Type: 'L3_L4', node_name: 'node-11', ...(reply === undefined ? {} : { is_reply: reply }), ...more }
  return JSON.stringify({ flow, node_name: 'node-11', time })
}
const calico = (started: number, flows: number) =>
  JSON.stringify({
    start_time: 1796634000, end_time: 1796634300,
    source_ip: API_IP, source_name: 'api-5c4', source_name_aggr: 'api-5c4', source_namespace: 'backend', source_type: 'wep', source_labels: { labels: ['app=api', 'tier=backend'] }, source_port: null,
    dest_ip: PG_IP, dest_name: 'postgres-0', dest_name_aggr: 'postgres-0', dest_namespace: 'database', dest_type: 'wep', dest_labels: { labels: ['app=postgres', 'tier=database'] }, dest_port: 5432,
    proto: 'tcp', action: 'allow', reporter: 'src', policies: { all_policies: [], enforced_policies: [], pending_policies: [] },
    num_flows: flows, num_flows_started: started, num_flows_completed: 0, host: 'node-11',
  })
const netpol = JSON.stringify({ time: '2026-12-07T09:00:15Z', verdict: 'allowed', direction: 'egress', protocol: 'TCP', port: 5432, src: { ip: API_IP, namespace: 'backend', pod: 'api-5c4' }, dst: { ip: PG_IP, namespace: 'database', pod: 'postgres-0' } })

const CASES = [
  { name: 'Hubble: only the reply (is_reply)', file: 'f.jsonl', lines: [hubble(true, { ACK: true })], count: 1, before: 1 },
  { name: 'Hubble: only the SYN-ACK, without is_reply', file: 'f.jsonl', lines: [hubble(undefined, { SYN: true, ACK: true })], count: 1, before: 1 },
  { name: 'Hubble: only established packets both ways', file: 'f.jsonl', lines: [hubble(false, { ACK: true, PSH: true }), hubble(true, { ACK: true, PSH: true })], count: 1, before: 1 },
  { name: 'Hubble: the start after a reply of an earlier connection is an ordinary connection', file: 'f.jsonl', lines: [hubble(true, { ACK: true }), hubble(false, { SYN: true })], count: 1, before: 0 },
  { name: 'Calico: a flow log interval that started none of its 3 flows', file: 'flows.log', lines: [calico(0, 3)], count: 3, before: 1 },
  { name: 'Calico: one that started 2', file: 'flows.log', lines: [calico(2, 2)], count: 2, before: 0 },
  { name: "netpol's log: new connections only, always a start", file: 'f.jsonl', lines: [netpol], count: 1, before: 0 },
  { name: 'CSV: a connection, always a start', file: 'f.csv', lines: ['backend/api-5c4,database/postgres-0,5432,TCP'], count: 1, before: 0 },
]

describe('connections whose start was not seen, per input format', () => {
  const scratch = scratchDir('netpol-started-before-')
  test.each(CASES)('$name: audit', async ({ file, lines, count, before }) => {
    const flows = scratch.write(file, `${lines.join('\n')}\n`)
    const r = await runCli(['audit', '--flows', flows, '-f', EX, '--proposed', PROPOSED, '-o', 'json'])
    expect(r.err).toBe('')
    expect(r.code).toBe(1)
    const j = JSON.parse(r.out)
    expect(j.summary).toMatchObject({ connections: 1, startedBefore: before, wouldBreak: 1 })
    expect(j.wouldBreak[0]).toMatchObject({ from: 'backend/api-5c4', to: 'database/postgres-0', port: 5432, protocol: 'TCP', count, startedBefore: before })
    expect(j.wouldBreak[0].connections[0].startedBefore).toBe(before === 1)
  })

  test.each(CASES)('$name: generate', async ({ file, lines, before }) => {
    const flows = scratch.write(file, `${lines.join('\n')}\n`)
    const r = await runCli(['generate', '--flows', flows, '-f', EX, '--no-baseline'])
    expect(r.err).toContain(`; 1 connection (${before} started before the capture)`)
    expect(r.err).toContain('verified: all 1 observed connection ALLOWED')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/name: postgres-ingress[\s\S]*port: 5432/)
  })
})

describe('started before the capture, in every output format', () => {
  const scratch = scratchDir('netpol-started-before-')
  test.each([
    { output: 'text', want: ['(observed allowed: 1 connection (1 started before the capture), 2026-12-07T09:00:15.195Z)', '→ 1 connection (1 started before the capture) in 1 group'] },
    { output: 'md', want: ['| 1 connection (1 started before the capture), 2026-12-07T09:00:15.195Z |', '→ 1 connection (1 started before the capture) in 1 group</sub>'] },
    { output: 'json', want: ['"startedBefore": 1,', '"startedBefore": true,'] },
  ])('-o $output', async ({ output, want }) => {
    const flows = scratch.write('f.jsonl', `${hubble(true, { ACK: true })}\n`)
    const r = await runCli(['audit', '--flows', flows, '-f', EX, '--proposed', PROPOSED, '-o', output])
    expect(r.code).toBe(1)
    for (const w of want) expect(r.out).toContain(w)
  })
})
