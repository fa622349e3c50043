import type { Service } from '../../model/cluster.js'
import { ipBlockContains } from '../../model/ip-block.js'
import type { IpAddress } from '../../model/ip.js'
import { servicePods } from '../resolve-endpoint.js'
import type { Check } from './check.js'
import { code, count, joinParts, msg, podList, policyObject, ref, type Draft, type Fix } from './finding.js'
import { NAME_LABEL } from './namespace-name-label.js'
import { peersOf } from './peers.js'
import { labelsFlow } from './yaml-snippet.js'

const WHY = "a ClusterIP inside an ipBlock is not what decides: policies see the backend pod's address after translation"

export const ipblockClusterIps: Check = {
  id: 'NP014',
  slug: 'ipblock-cluster-ips',
  severity: 'warning',
  title: "an ipBlock contains Service ClusterIPs but no pod address",
  description:
    "A connection to a Service's ClusterIP is translated to one of the Service's pods (DNAT) before NetworkPolicy " +
    "is evaluated, so policies see the backend pod's address, never the ClusterIP, and no connection comes from a " +
    'ClusterIP. An ipBlock that contains ClusterIPs but no pod address allows nothing through those Services. ' +
    "Select the Service's pods with podSelector and namespaceSelector instead. Blocks of prefix length 0 are not reported.",
  run(ctx) {
    const vips: { service: Service; ip: IpAddress }[] = ctx.cluster.services.flatMap((service) => (service.clusterIPs ?? []).map((ip) => ({ service, ip })))
    if (vips.length === 0) return []
    const out: Draft[] = []
    for (const policy of ctx.cluster.policies) {
      for (const { peer, path, at } of peersOf(policy)) {
        if (peer.kind !== 'ipBlock' || peer.block.cidr.prefix === 0) continue
        const inside = vips.filter((v) => ipBlockContains(peer.block, v.ip))
        // a pod address (a node's, for hostNetwork pods) in the block may be what it means
        if (inside.length === 0 || ctx.peerAdmitsPods(peer, policy.namespace)) continue
        const services = [...new Set(inside.map((v) => v.service))]
        const list = joinParts(services.map((s) => [ref(`${s.namespace}/${s.name}`), ' (', code(inside.filter((v) => v.service === s).map((v) => v.ip.text).join(', ')), ')']))
        const named = services.length === 1 ? msg`the ClusterIP of Service ${list}` : msg`the ClusterIPs of ${count(services.length, 'Service')}, ${list},`
        const backends = services.flatMap((s) => servicePods(ctx.cluster, s))
        const effect =
          at.direction === 'egress'
            ? msg`, so this peer allows no connection to ${services.length === 1 ? 'that Service' : 'those Services'}${backends.length > 0 ? msg` (${services.length === 1 ? 'its' : 'their'} pods: ${podList(backends)})` : ''}`
            : msg`, and no connection comes from a ClusterIP, so this peer admits nothing`
        out.push({
          object: policyObject(policy),
          path: [...path, 'ipBlock'],
          message: msg`ipBlock ${code(peer.block.cidr.text)} contains ${named} and no pod address: ${WHY}${effect}`,
          ...(at.direction === 'egress' ? selectorFix(services) : { fix: { text: msg`admit the pods that connect with namespaceSelector and podSelector peers` } }),
        })
      }
    }
    return out
  },
}

/** For one Service with a selector: the peer that selects its pods. */
function selectorFix(services: readonly Service[]): { fix: Fix } {
  const s = services[0]!
  if (services.length !== 1 || s.selector === null) return { fix: { text: msg`select the Services' pods with namespaceSelector and podSelector peers` } }
  return {
    fix: {
      text: msg`select the pods of ${ref(`${s.namespace}/${s.name}`)} by its selector (and allow their targetPort, not the Service port)`,
      yaml: `- namespaceSelector: {matchLabels: {${NAME_LABEL}: ${s.namespace}}}\n  podSelector: {matchLabels: ${labelsFlow(s.selector)}}\n`,
    },
  }
}
