/**
 * The page explains a connection in the words `netpol check` prints: for the same question, the verdict line, the
 * policies that isolate each side, the rule that allowed it and every ✗/✓ reason of a denial are the CLI's text.
 * The peers and ports are spelled out as the CLI spells them ("to[0] pods app=postgres in …, ports[0] 5432/TCP"):
 * the JSON carries those words beside each index (`peerText`, `portText`).
 */
import { beforeAll, describe, expect, test } from 'vitest'
import { runBuiltCli } from '../cli/built-cli.js'
import { checkLines } from '../../web/src/explain-lines.js'
import { t, useLang } from '../../web/src/i18n.js'

const cases = [
  { name: 'allowed both ways', args: ['--from', 'backend/api-5c4', '--to', 'database/postgres-0', '--port', '5432'] },
  { name: 'denied: a namespace selector, a named port and a pod selector miss', args: ['--from', 'backend/worker-3a9', '--to', 'database/postgres-0', '--port', '5432'] },
  { name: 'not isolated', args: ['--from', 'monitoring/prometheus-0', '--to', 'kube-system/coredns-5d78c', '--port', '53/UDP'] },
]

const core = (line: string) => line.trim()

// with cluster policies a side may be decided by a tier: an Admin Deny, a Pass to the NetworkPolicies, a Pass then
// a Baseline Deny, a Baseline Deny alone; a pod the cluster policies select but whose rules miss says which
const tiers = ['-f', 'examples/tiers/cluster', '-f', 'examples/tiers/cluster-network-policies.yaml']
const tierCases = [
  { name: 'an Admin Deny', args: [...tiers, '--from', 'web/frontend-6c8', '--to', 'db/postgres-0', '--port', '5432'] },
  { name: 'an Admin Pass, then a NetworkPolicy', args: [...tiers, '--from', 'web/frontend-6c8', '--to', 'api/api-5f7', '--port', '8080'] },
  { name: 'an Admin Pass, then a Baseline Deny', args: [...tiers, '--from', 'web/frontend-6c8', '--to', 'api/worker-9d2', '--port', '8080'] },
  { name: 'a Baseline Deny (the v1alpha1 kinds)', args: ['-f', 'examples/tiers/cluster', '-f', 'examples/tiers/admin-network-policies.yaml', '--from', 'api/worker-9d2', '--to', 'web/frontend-6c8', '--port', '8080'] },
]

describe('the page explains as netpol check does', () => {
  beforeAll(() => useLang('en'))
  test.each([...cases.map((c) => ({ ...c, args: ['-f', 'examples/three-tier/', ...c.args] })), ...tierCases])('$name', async ({ args }) => {
    const base = ['check', ...args]
    const [text, json] = await Promise.all([runBuiltCli(base), runBuiltCli([...base, '-o', 'json'])])
    const page = checkLines(JSON.parse(json.out)).flat().map((l) => l.text)
    const cli = text.out.split('\n').filter((l) => l.trim() !== '').map(core)
    expect(page.map(core)).toEqual(cli)
  })
})

describe('the page shows every side kind, and never fails on one it does not know', () => {
  const flow = (ingress: object) => ({ results: [{ from: 'a/x', to: 'b/y', fromIp: null, toIp: null, port: 80, protocol: 'TCP', allowed: false, egress: { kind: 'not-a-pod' }, ingress, notes: [] }] })
  test.each(['en', 'zh-CN'] as const)('a side whose answer depends on DNS: its words, labelled (%s)', (lang) => {
    useLang(lang)
    try {
      const text = 'depends on DNS: if db.example.com resolves to 10.0.0.1: [Admin] cnp/x priority 1 egress[0] Accept; otherwise: [NetworkPolicy] not isolated → [default] allowed'
      const step = { policy: { kind: 'ClusterNetworkPolicy', name: 'x' }, tier: 'Admin', priority: 1, direction: 'egress', rule: 0, action: 'Accept', peer: 0, port: 'any' }
      const lines = checkLines(flow({ kind: 'dns', step, names: ['db.example.com'], ifResolved: { kind: 'admin', step, text: '' }, otherwise: { kind: 'not-isolated' }, text })).flat()
      expect(lines[2]!.text).toBe(`${t('why.ingressTo', { pod: 'b/y' })}: ${lang === 'en' ? 'depends on DNS' : '取决于 DNS'} — ${text}`)
    } finally {
      useLang('en')
    }
  })
  test('an unknown kind: its text, else its name', () => {
    expect(checkLines(flow({ kind: 'future', text: 'decided by something new' })).flat()[2]!.text).toBe('ingress to b/y: decided by something new')
    expect(checkLines(flow({ kind: 'future' })).flat()[2]!.text).toBe('ingress to b/y: future')
  })
})
