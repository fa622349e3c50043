/** `check` with cluster policies: the chain in the text and the JSON, domain names as --to, the exit code. */
import { describe, expect, test } from 'vitest'
import { cluster, ip, namespace, pod, podsPeer, policy, rule, sel } from '../../test/builders.js'
import { anp, banp, cnp, crule, nsSubject, tcp, toDomains, toNamespaces, toNetworks } from '../../test/tier-builders.js'
import { renderCheckText } from '../cli/render/verdict-text.js'
import { checkConnections, type CheckQuery } from './check-plan.js'
import { checkExitCode, checkReport } from './check-report.js'

const inNs = (name: string) => sel({ 'kubernetes.io/metadata.name': name })

const c = cluster({
  namespaces: [namespace('front'), namespace('back')],
  pods: [pod('front/web', { app: 'web' }, { ips: ['10.0.1.1'] }), pod('back/api', { app: 'api' }, { ips: ['10.0.2.1'] })],
  policies: [policy('back', 'allow-web', { ingress: [rule([podsPeer(sel({ app: 'web' }), sel())])] })],
  clusterPolicies: [
    anp('pass-front', 5, nsSubject(inNs('back')), { ingress: [crule('Pass', [toNamespaces(inNs('front'))], [tcp(80)], 'to np')] }),
    cnp('deny-all', 'Admin', 10, nsSubject(inNs('back')), { ingress: [crule('Deny', [toNamespaces(sel())])] }),
    cnp('egress', 'Admin', 1, nsSubject(inNs('front')), { egress: [crule('Accept', [toDomains('example.com', '*.github.com')], [tcp(443)]), crule('Accept', [toNamespaces(inNs('back'))])] }),
    banp(nsSubject(sel()), { egress: [crule('Deny', [toNetworks('0.0.0.0/0')])] }),
  ],
})
const resolution = new Map([['example.com', [ip('93.184.216.34')]]])

function run(q: CheckQuery) {
  const r = checkConnections(c, q)
  if (!r.ok) throw new Error(r.error.message)
  return { text: renderCheckText(c, r.value), json: checkReport(r.value, c.policies, c.clusterPolicies), code: checkExitCode(r.value) }
}

describe('check explains the tier chain', () => {
  test('an Admin Pass, then the NetworkPolicy that allows', () => {
    const { text, json, code } = run({ from: 'front/web', to: 'back/api', port: '80' })
    expect(text).toBe(`ALLOWED  front/web → back/api  port 80/TCP  (10.0.1.1 → 10.0.2.1)

  egress of front/web: allowed — [Admin] cnp/egress priority 1 egress[1] Accept
    cnp/egress egress[1]: to[0] namespaces kubernetes.io/metadata.name=back, any port (no ports list)
  ingress to back/api: allowed — [Admin] Pass (anp/pass-front priority 5 ingress[0] "to np") → [NetworkPolicy] allowed by back/allow-web ingress[0]
    anp/pass-front ingress[0]: from[0] namespaces kubernetes.io/metadata.name=front, ports[0] 80/TCP
    isolated by back/allow-web
    allowed by back/allow-web ingress[0]: from[0] pods app=web in namespaces {} (all), any port (no ports list)
`)
    expect(code).toBe(0)
    expect(json.results[0]!.ingress).toMatchObject({
      kind: 'admin-pass',
      pass: { policy: { kind: 'AdminNetworkPolicy', name: 'pass-front' }, tier: 'Admin', priority: 5, rule: 0, name: 'to np', action: 'Pass', peer: 0, port: 0, peerText: 'namespaces kubernetes.io/metadata.name=front', portText: '80/TCP' },
      then: { kind: 'allowed', allowedBy: [{ policy: { namespace: 'back', name: 'allow-web' }, peerText: 'pods app=web in namespaces {} (all)' }] },
      text: '[Admin] Pass (anp/pass-front priority 5 ingress[0] "to np") → [NetworkPolicy] allowed by back/allow-web ingress[0]',
    })
  })
  test('an Admin Deny: nothing below is consulted', () => {
    const { text, code } = run({ from: 'front/web', to: 'back/api', port: '81' })
    expect(text).toContain('  ingress to back/api: denied — [Admin] cnp/deny-all priority 10 ingress[0] Deny\n    cnp/deny-all ingress[0]: from[0] all namespaces, any port (no ports list)\n')
    expect(code).toBe(1)
  })
  test('domainNames without a resolution: depends on DNS, the answer either way, exit 3', () => {
    const { text, json, code } = run({ from: 'front/web', to: '93.184.216.34', port: '443' })
    expect(text).toBe(`DEPENDS ON DNS  front/web → 93.184.216.34  port 443/TCP  (10.0.1.1 → 93.184.216.34)

  egress of front/web: depends on DNS — [Admin] cnp/egress priority 1 egress[0] Accept names example.com, *.github.com, which the resolution given (--resolve, --resolve-file) does not decide for 93.184.216.34
    if example.com or *.github.com resolves to 93.184.216.34: allowed — [Admin] cnp/egress priority 1 egress[0] Accept
    otherwise: denied — [NetworkPolicy] not isolated → [Baseline] banp/default egress[0] Deny
  ingress to 93.184.216.34: allowed — not a pod, no policy applies to this side
`)
    expect(code).toBe(3)
    expect(json).toMatchObject({ allowed: false, dependsOnDns: true, results: [{ allowed: false, dependsOnDns: true, egress: { kind: 'dns', names: ['example.com', '*.github.com'], ifResolved: { kind: 'admin' }, otherwise: { kind: 'baseline' } } }] })
  })
  test('with a resolution the answer is decided', () => {
    const { code, json } = run({ from: 'front/web', to: '93.184.216.34', port: '443', resolution })
    expect([code, json.results[0]!.egress]).toMatchObject([0, { kind: 'admin', text: '[Admin] cnp/egress priority 1 egress[0] Accept' }])
    expect('dependsOnDns' in json).toBe(false)
  })
  test('a domain name as --to resolves through the resolution; :PORT is the port', () => {
    const { text, code } = run({ from: 'front/web', to: 'example.com:443', resolution })
    expect(text.split('\n')[0]).toBe('ALLOWED  front/web → example.com  port 443/TCP  (10.0.1.1 → 93.184.216.34)')
    expect(code).toBe(0)
  })
  test.each([
    { q: { from: 'front/web', to: 'example.com:443' }, want: '--to example.com:443: netpol does not look names up; give the name\'s addresses with --resolve example.com=IP[,IP] or --resolve-file' },
    { q: { from: 'front/web', to: 'example.com', resolution }, want: '--port is required (PORT[/PROTOCOL], e.g. 443/TCP) unless --to is NAME:PORT' },
    { q: { from: 'front/web', to: 'example.com:443', port: '80', resolution }, want: '--to example.com:443 and --port 80 name different ports; give the port once' },
    { q: { from: 'front/web', to: 'example.com:443', family: 6 as const, resolution }, want: '--to example.com:443: the resolution given has no IPv6 address for example.com' },
  ])('$want', ({ q, want }) => {
    const r = checkConnections(c, q)
    expect(r.ok ? null : r.error.message).toBe(want)
  })
  test('without cluster policies the JSON has none of the new fields', () => {
    const plain = cluster({ pods: [...c.pods], policies: [...c.policies] })
    const r = checkConnections(plain, { from: 'front/web', to: 'back/api', port: '80' })
    const json = checkReport(r.ok ? r.value : [], plain.policies, plain.clusterPolicies)
    expect(JSON.stringify(json)).not.toMatch(/dependsOnDns|"text"|"step"/)
  })
})
