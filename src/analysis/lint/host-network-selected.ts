import type { Check } from './check.js'
import { count, msg, podList, policyObject, type Draft } from './finding.js'

export const hostNetworkSelected: Check = {
  id: 'NP012',
  slug: 'host-network-selected',
  severity: 'warning',
  title: 'a policy selects hostNetwork pods, for which it cannot be enforced',
  description:
    'A pod with hostNetwork: true shares its node\'s network namespace; Kubernetes leaves NetworkPolicy for such ' +
    'pods undefined, most network plugins ignore them (netpol\'s agent does too), and their traffic looks like the ' +
    'node\'s. The policy gives a false sense of protection: protect these pods with host firewall rules.',
  run(ctx) {
    const out: Draft[] = []
    for (const policy of ctx.cluster.policies) {
      const host = ctx.selectedBy(policy).filter((p) => p.hostNetwork)
      if (host.length === 0) continue
      out.push({
        object: policyObject(policy),
        path: ['spec', 'podSelector'],
        message: msg`selects ${count(host.length, 'hostNetwork pod')} (${podList(host)}); ${host.length === 1 ? 'it uses' : 'they use'} the node's network namespace, so this policy is not enforced for ${host.length === 1 ? 'it' : 'them'}`,
        fix: { text: msg`narrow the podSelector to pods without hostNetwork, and filter the node itself for the host-network pods` },
      })
    }
    return out
  },
}
