import { servicePods, targetPortOn } from '../resolve-endpoint.js'
import { matchPorts } from '../../engine/match-port.js'
import type { Check } from './check.js'
import { rulesOf } from './context.js'
import { code, count, msg, podList, policyObject, ref, type Draft } from './finding.js'
import type { LintContext, RuleAt } from './context.js'
import { yamlScalar } from './yaml-snippet.js'

export const servicePortNotContainerPort: Check = {
  id: 'NP006',
  slug: 'service-port-not-container-port',
  severity: 'warning',
  title: 'a numeric port is a Service port, not a port of the pods',
  description:
    'Policies are applied after a Service has forwarded a connection to a pod (after DNAT), so they see the ' +
    'container port (targetPort), not the Service port. A rule naming port 80 for a Service that forwards 80 to ' +
    '8080 does not allow that traffic.',
  run(ctx) {
    const out: Draft[] = []
    for (const policy of ctx.cluster.policies) {
      for (const at of rulesOf(policy)) {
        if (at.rule.ports === 'any') continue
        const ports = at.rule.ports
        const dests = new Set(serviceDestinations(ctx, at))
        ports.forEach((spec, k) => {
          if (spec.port.kind !== 'range' || spec.port.from !== spec.port.to) return
          const p = spec.port.from
          for (const s of ctx.cluster.services) {
            if (at.direction === 'ingress' && s.namespace !== policy.namespace) continue
            const sp = s.ports.find((x) => x.port === p && x.protocol === spec.protocol)
            if (!sp) continue
            const backends = servicePods(ctx.cluster, s).filter((b) => dests.has(b) && !b.hostNetwork)
            if (backends.length === 0) continue
            const targets = backends.map((b) => targetPortOn(sp, b))
            // the port is a real container port of a backend, or the rule allows the target anyway: nothing wrong
            const wrong = backends.every((b, i) => {
              const t = targets[i]
              if (t === null || t === undefined || t === p) return false
              if (b.ports.some((c) => c.port === p && c.protocol === spec.protocol)) return false
              return !matchPorts(ports, t, spec.protocol, b).ok
            })
            if (!wrong) continue
            const numbers = [...new Set(targets as number[])].sort((a, b) => a - b)
            const target = typeof sp.targetPort === 'string' ? msg`${code(numbers.join(', '))} (targetPort ${code(sp.targetPort)})` : msg`${code(numbers.join(', '))}`
            const fixPort = typeof sp.targetPort === 'string' ? yamlScalar(sp.targetPort) : String(sp.targetPort)
            out.push({
              object: policyObject(policy),
              path: [...at.path, 'ports', k, 'port'],
              message: msg`port ${code(`${p}/${spec.protocol}`)} is the port of Service ${ref(`${s.namespace}/${s.name}`)}, which forwards it to container port ${target}; policies see connections after that forwarding, and none of the Service's pods this rule covers (${count(backends.length, 'pod')}: ${podList(backends)}) declares port ${code(p)}, so this entry does not allow traffic sent through the Service`,
              fix: { text: msg`name the container port instead`, yaml: `- {protocol: ${spec.protocol}, port: ${fixPort}}\n` },
            })
            break
          }
        })
      }
    }
    return out
  },
}

/**
 * The pods a rule means by name: the pods an ingress policy selects, or the pods an egress rule's selector peers
 * admit. Pods an egress rule reaches only through an ipBlock, or through having no `to`, are left out: such rules
 * are usually about addresses outside the cluster, and their port is not meant for a Service.
 */
function serviceDestinations(ctx: LintContext, at: RuleAt) {
  if (at.direction === 'ingress') return ctx.selectedBy(at.policy)
  const peers = at.rule.peers
  if (peers === 'any') return []
  return peers.flatMap((p) => (p.kind === 'pods' ? ctx.peerPods(p, at.policy.namespace) : []))
}
