import { describe, expect, test } from 'vitest'
import { runCli } from './cli-harness.js'

const CNP = ['-f', 'examples/tiers/cluster/', '-f', 'examples/tiers/cluster-network-policies.yaml']
const ANP = ['-f', 'examples/tiers/cluster/', '-f', 'examples/tiers/admin-network-policies.yaml']
const names = (out: string) => out.split('\n').filter((l) => l.startsWith('Name:')).map((l) => l.slice(15))

describe('netpol describe with cluster policies', () => {
  test('cnp/NAME, anp/NAME, banp/default, and the long kind names', async () => {
    expect(names((await runCli(['describe', ...CNP, 'cnp/baseline', 'cnp/deny-web-to-db'])).out)).toEqual(['cnp/baseline', 'cnp/deny-web-to-db'])
    expect(names((await runCli(['describe', ...ANP, 'banp/default', 'AdminNetworkPolicy/delegate-api'])).out)).toEqual(['banp/default', 'anp/delegate-api'])
  })
  test('a kind alone: every policy of it, in evaluation order; without names, NetworkPolicies then cluster policies', async () => {
    expect(names((await runCli(['describe', ...CNP, 'cnp'])).out)).toEqual(['cnp/deny-web-to-db', 'cnp/delegate-api', 'cnp/baseline'])
    expect(names((await runCli(['describe', ...CNP])).out)).toEqual(['api-from-web', 'postgres-from-api', 'cnp/deny-web-to-db', 'cnp/delegate-api', 'cnp/baseline'])
  })
  test('a NetworkPolicy and a cluster policy named together', async () => {
    const r = await runCli(['describe', ...CNP, 'db/postgres-from-api', 'cnp/baseline', '-o', 'json'])
    const j = JSON.parse(r.out)
    expect([j.policies.map((p: { name: string }) => p.name), j.clusterPolicies.map((p: { policy: string }) => p.policy)]).toEqual([['postgres-from-api'], ['cnp/baseline']])
  })
  test('a cluster policy not in the input: exit 2 with the nearest names', async () => {
    const r = await runCli(['describe', ...CNP, 'cnp/delegate'])
    expect([r.code, r.err]).toEqual([2, 'error: no ClusterNetworkPolicy "cnp/delegate" in the input; did you mean cnp/delegate-api?\n'])
    const none = await runCli(['describe', ...CNP, 'anp/x'])
    expect([none.code, none.err]).toEqual([2, 'error: no AdminNetworkPolicy "anp/x" in the input (the input has no AdminNetworkPolicy)\n'])
  })
})
