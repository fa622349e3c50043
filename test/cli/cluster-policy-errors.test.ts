import { expect, test } from 'vitest'
import { runCli } from './cli-harness.js'

// Each line: file:line:column, the object, the field path, and the API server's words for what its CRD refuses.
const WANT = `
error: test/fixtures/tiers/invalid.yaml:8:13: ClusterNetworkPolicy deny-db: spec.priority: Invalid value: 1001: must be less than or equal to 1000
error: test/fixtures/tiers/invalid.yaml:9:3: ClusterNetworkPolicy deny-db: spec.subject: Invalid value: namespaces and pods are set; exactly one of namespaces, pods must be set
error: test/fixtures/tiers/invalid.yaml:13:13: ClusterNetworkPolicy deny-db: spec.ingress[0].action: Unsupported value: "Allow": supported values: "Accept", "Deny", "Pass"
error: test/fixtures/tiers/invalid.yaml:16:7: ClusterNetworkPolicy deny-db: spec.ingress[0].from[0].networks: unknown field "networks"; expected one of namespaces, pods
error: test/fixtures/tiers/invalid.yaml:18:7: ClusterNetworkPolicy deny-db: spec.ingress[0].protocols[0].tcp: Required value: must set destinationPort
error: test/fixtures/tiers/invalid.yaml:19:31: ClusterNetworkPolicy deny-db: spec.ingress[0].protocols[1].udp.destinationPort.range: Invalid value: start 53, end 53: Start port must be less than End port (for one port, write a single port number)
error: test/fixtures/tiers/invalid.yaml:21:5: ClusterNetworkPolicy deny-db: spec.egress[0]: Invalid value: networks/domainNames peer cannot be set with a named port since there are no named ports for networks/domainNames; use port numbers, or put the named port in a rule of pods/namespaces peers
error: test/fixtures/tiers/invalid.yaml:21:13: ClusterNetworkPolicy deny-db: spec.egress[0].action: Invalid value: "Deny": domainNames are only supported in Accept (Allow) rules: accept the names, then deny the rest in a later rule
error: test/fixtures/tiers/invalid.yaml:23:18: ClusterNetworkPolicy deny-db: spec.egress[0].to[0].networks[0]: "10.0.0.0/33" is not a valid CIDR; expected an address and a prefix length such as 10.0.0.0/8 or fd00::/64
error: test/fixtures/tiers/invalid.yaml:23:43: ClusterNetworkPolicy deny-db: spec.egress[0].to[0].networks[2]: "10.0.0.0/8" is used twice; expected unique values
error: test/fixtures/tiers/invalid.yaml:24:38: ClusterNetworkPolicy deny-db: spec.egress[0].to[1].domainNames[1]: Invalid value: "bad*.com": expected a domain name such as example.com, or *.example.com for its subdomains (* only as the whole first label)
error: test/fixtures/tiers/invalid.yaml:31:9: BaselineAdminNetworkPolicy baseline: metadata.name: Invalid value: "baseline": Only one baseline admin network policy with metadata.name="default" can be created in the cluster
error: test/fixtures/tiers/invalid.yaml:35:13: BaselineAdminNetworkPolicy baseline: spec.ingress[0].action: Unsupported value: "Pass": supported values: "Allow", "Deny"
error: test/fixtures/tiers/invalid.yaml:36:5: BaselineAdminNetworkPolicy baseline: spec.ingress[0].from: Invalid value: 0: must have at least 1 item
error: test/fixtures/tiers/invalid.yaml:37:5: BaselineAdminNetworkPolicy baseline: spec.ingress[0].ports: Invalid value: 0: must have at least 1 item
error: test/fixtures/tiers/invalid.yaml:39:13: ClusterNetworkPolicy old: apiVersion: policy.networking.k8s.io/v1alpha1 ClusterNetworkPolicy is not served; use apiVersion policy.networking.k8s.io/v1alpha2
error: test/fixtures/tiers/invalid.yaml:46:7: node n1: kind: kind "node" is not served by v1; did you mean Node? (kinds are case-sensitive)
17 errors in the input; nothing was evaluated
`.trimStart()

test('cluster policies that break their CRDs: every issue, located, and nothing evaluated (exit 2)', async () => {
  const r = await runCli(['matrix', '-f', 'test/fixtures/tiers/invalid.yaml'])
  expect(r.code).toBe(2)
  expect(r.err).toBe(WANT)
})

test('examples/tiers evaluates without notes', async () => {
  const r = await runCli(['matrix', '-f', 'examples/tiers/cluster', '-f', 'examples/tiers/cluster-network-policies.yaml', '--port', '8080/TCP'])
  expect(r.err).toBe('')
  expect(r.code).toBe(0)
})
