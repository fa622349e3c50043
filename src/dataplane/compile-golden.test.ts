import { execFileSync } from 'node:child_process'
import { describe, expect, test } from 'vitest'
import { hostSupports } from '../../test/requirements.js'
import type { Cluster } from '../model/cluster.js'
import { parseCidr, type Cidr } from '../model/ip.js'
import { allPorts, cluster, ipPeer, namedPort, namespace, nsPeer, pod, podsPeer, policy, port, rule, sel } from '../../test/builders.js'
import { anp, banp, cnp, crule, named, node, nsSubject, tcp, toNamespaces, toNetworks, toNodes } from '../../test/tier-builders.js'
import { compilePolicies } from './compile-policies.js'
import { FakeNft } from './fake-nft.js'
import { ExecNftRunner } from './nft-runner.js'
import { fullReplace } from './nft-transaction.js'

// Small clusters whose compiled table is checked as text: a change to the layout shows up here as a diff to review.
// Regenerate with `npx vitest run src/dataplane/compile-golden.test.ts -u` and read the diff.

const web = namespace('web', { team: 'shop' })
const db = namespace('db', { team: 'data' })
const front = pod('web/front', { app: 'front' }, { ips: ['10.244.1.7'], hostIPs: ['192.168.0.10'] })
const pg = pod('db/pg-0', { app: 'pg' }, { ips: ['10.244.1.5'], hostIPs: ['192.168.0.10'], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] })

const cases: { name: string; cluster: Cluster; mode?: 'audit'; podCidrs?: Cidr[]; logAccepted?: true }[] = [
  { name: 'deny-all', cluster: cluster({ namespaces: [db], pods: [pg], policies: [policy('db', 'deny-all', { ingress: [], egress: [] })] }) },
  {
    name: 'allow-from-namespace',
    cluster: cluster({
      namespaces: [web, db],
      pods: [front, pg],
      policies: [policy('db', 'from-shop', { ingress: [rule([nsPeer(sel({ team: 'shop' }))], [port(5432)])] })],
    }),
  },
  {
    name: 'ip-block-except',
    cluster: cluster({
      namespaces: [web],
      pods: [front],
      policies: [policy('web', 'internet-only', { ingress: null, egress: [rule([ipPeer('0.0.0.0/0', ['10.0.0.0/8', '192.168.0.0/16'])], [port(443)])] })],
    }),
  },
  {
    name: 'named-ports',
    cluster: cluster({
      namespaces: [web, db],
      pods: [front, pg],
      policies: [
        policy('db', 'pg-from-front', { podSelector: sel({ app: 'pg' }), ingress: [rule([podsPeer(sel({ app: 'front' }), sel())], [namedPort('pg')])] }),
        policy('web', 'front-to-pg', { ingress: null, egress: [rule('any', [namedPort('pg')])] }),
      ],
    }),
  },
  {
    name: 'end-port',
    cluster: cluster({ namespaces: [db], pods: [pg], policies: [policy('db', 'range', { ingress: [rule('any', [port(5432, 'TCP', 5440), port(9000, 'UDP', 9100)])] })] }),
  },
  {
    name: 'sctp',
    cluster: cluster({ namespaces: [db], pods: [pg], policies: [policy('db', 'sctp', { ingress: [rule([podsPeer(sel())], [port(9000, 'SCTP'), allPorts('SCTP')])] })] }),
  },
  {
    name: 'ipv6',
    cluster: cluster({
      namespaces: [web, db],
      pods: [
        pod('web/front', { app: 'front' }, { ips: ['fd00:10:244::7'] }),
        pod('db/pg-0', { app: 'pg' }, { ips: ['10.244.1.5', 'fd00:10:244::5'], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }),
      ],
      policies: [policy('db', 'v6', { ingress: [rule([podsPeer(sel({ app: 'front' }), sel()), ipPeer('2001:db8::/32', ['2001:db8:1::/48'])], [port(5432)])] })],
    }),
  },
  {
    // the node's pod CIDRs given: an address in them that is no known pod's is dropped
    name: 'unknown-pods',
    podCidrs: ['10.244.1.0/24', 'fd00:10:244:1::/64'].map((t) => parseCidr(t)!),
    cluster: cluster({
      namespaces: [web, db],
      pods: [front, pg],
      policies: [policy('db', 'from-shop', { ingress: [rule([nsPeer(sel({ team: 'shop' }))], [port(5432)])] })],
    }),
  },
  {
    // --flow-log-all: every managed pod's accepted new connections are logged too, isolated or not (web/front)
    name: 'log-accepted',
    logAccepted: true,
    cluster: cluster({
      namespaces: [web, db],
      pods: [front, pg, pod('web/host-agent', {}, { ips: ['192.168.0.10'], hostIPs: ['192.168.0.10'], hostNetwork: true })],
      policies: [policy('db', 'from-shop', { ingress: [rule([nsPeer(sel({ team: 'shop' }))], [port(5432)])] })],
    }),
  },
  {
    // cluster policies: Admin tier, then the NetworkPolicy, then Baseline where no NetworkPolicy isolates
    name: 'tiers',
    cluster: cluster({
      namespaces: [web, db],
      pods: [front, pg],
      policies: [policy('db', 'from-shop', { ingress: [rule([nsPeer(sel({ team: 'shop' }))], [port(5432)])] })],
      clusterPolicies: [
        cnp('deny-db-admin', 'Admin', 10, nsSubject(sel({ team: 'data' })), { ingress: [crule('Deny', [toNamespaces(sel({ team: 'ops' }))]), crule('Pass', [toNamespaces(sel({ team: 'shop' }))], [named('pg')], 'to-np')] }),
        anp('no-docs-net', 20, nsSubject(sel()), { egress: [crule('Deny', [toNetworks('203.0.113.0/24', '2001:db8::/32')], [tcp(443), tcp(8000, 8999, 'UDP')])] }),
        banp(nsSubject(sel()), { ingress: [crule('Deny', [toNamespaces(sel())])], egress: [crule('Deny', [toNodes(sel({ role: 'worker' }))])] }),
      ],
      nodes: [node('n1', { role: 'worker' }, ['192.168.0.10'])],
    }),
  },
  {
    name: 'tiers-audit',
    mode: 'audit',
    cluster: cluster({ namespaces: [db], pods: [pg], clusterPolicies: [cnp('deny-all', 'Admin', 1, nsSubject(sel()), { ingress: [crule('Deny', [toNamespaces(sel())])] })] }),
  },
  {
    name: 'audit',
    mode: 'audit',
    cluster: cluster({ namespaces: [db], pods: [pg], policies: [policy('db', 'deny-all', { ingress: [] })] }),
  },
]

describe('compiled tables, as text', () => {
  test.each(cases)('$name', async ({ name, cluster: c, mode, podCidrs, logAccepted }) => {
    const compiled = compilePolicies(c, { managed: () => true, mode: mode ?? 'enforce', table: 'netpol', logGroup: 2, ...(podCidrs ? { podCidrs } : {}), ...(logAccepted ? { logAccepted } : {}) })
    const fake = new FakeNft()
    expect(fake.runSync(fullReplace(compiled.table))).toMatchObject({ ok: true })
    await expect(fake.dump()).toMatchFileSnapshot(`./__golden__/${name}.nft`)
  })
})

describe.runIf(hostSupports('the golden tables in the kernel (compile-golden.test.ts)', ['ip', 'nft']))('the kernel', () => {
  test('takes every golden table (nft -c, in a scratch namespace)', async () => {
    const ns = `npg${process.pid}`
    execFileSync('ip', ['netns', 'add', ns])
    try {
      const runner = new ExecNftRunner({ netns: ns })
      for (const { name, cluster: c, mode, podCidrs, logAccepted } of cases) {
        const compiled = compilePolicies(c, { managed: () => true, mode: mode ?? 'enforce', table: 'netpol', logGroup: 2, ...(podCidrs ? { podCidrs } : {}), ...(logAccepted ? { logAccepted } : {}) })
        expect({ name, ...(await runner.check(fullReplace(compiled.table))) }).toMatchObject({ name, ok: true })
      }
    } finally {
      execFileSync('ip', ['netns', 'del', ns])
    }
  })
})
