import type { Pod } from '../../model/cluster.js'
import { parseIp } from '../../model/ip.js'
import type { NetworkPolicy } from '../../model/policy.js'
import { evaluateFlow } from '../../engine/evaluate.js'
import type { Endpoint, RuleHit } from '../../engine/verdict.js'
import { subsetIdentities } from '../../engine/identities.js'
import type { Check } from './check.js'
import { code, count, msg, podList, policyObject, type Draft } from './finding.js'

/** The link-local address where cloud providers serve instance metadata and credentials (HTTP). */
export const METADATA_IP = '169.254.169.254'
const METADATA: Endpoint = { kind: 'ip', ip: parseIp(METADATA_IP)! }

export const metadataReachable: Check = {
  id: 'NP003',
  slug: 'metadata-reachable',
  severity: 'warning',
  title: 'egress-restricted pods may reach the cloud metadata address',
  description:
    `Evaluates TCP 80 to ${METADATA_IP} from every pod isolated for egress. The metadata service hands out the ` +
    'node\'s cloud credentials; a rule such as ipBlock 0.0.0.0/0 meant for "the internet" includes it unless it is ' +
    'excepted. Pods whose egress is not restricted at all (not isolated, or allowed everything by a rule with ' +
    'neither to nor ports) are left to NP001.',
  run(ctx) {
    const { pods: sources, ids } = subsetIdentities(ctx.classes.ids, ctx.cluster.pods, (p) => !p.hostNetwork)
    // per allowing (policy, rule, peer): the pods it lets through
    const hits = new Map<string, { policy: NetworkPolicy; rule: number; peer: number | 'any'; pods: Pod[] }>()
    // the egress side towards one address reads only the source's selector class: decided once per selector class
    // (only the rules that allow it are kept: a denied verdict explains every miss)
    const egressOf = new Map<number, readonly RuleHit[] | null>()
    for (const cls of ids.classes) {
      const s = ids.selectorOf[cls.index]!
      let allowedBy = egressOf.get(s)
      if (allowedBy === undefined) {
        const egress = evaluateFlow(ctx.index, { from: cls.rep, to: METADATA, port: 80, protocol: 'TCP' }).egress
        egressOf.set(s, (allowedBy = egress.kind === 'allowed' ? egress.allowedBy : null))
      }
      if (allowedBy === null) continue
      const v = { egress: { allowedBy } }
      // a rule with neither `to` nor `ports` opens all egress: such pods are not restricted at all (NP001's concern)
      const open = v.egress.allowedBy.some((h) => h.peer === 'any' && h.port === 'any')
      if (open) continue
      for (const h of v.egress.allowedBy) {
        const key = `${h.policy.namespace}/${h.policy.name}\n${h.rule}\n${h.peer}`
        let entry = hits.get(key)
        if (entry === undefined) {
          const policy = ctx.cluster.policies.find((p) => p.namespace === h.policy.namespace && p.name === h.policy.name)!
          entry = { policy, rule: h.rule, peer: h.peer, pods: [] }
          hits.set(key, entry)
        }
        entry.pods.push(...cls.members.map((i) => sources[i]!))
      }
    }
    const out: Draft[] = []
    for (const { policy, rule, peer, pods } of hits.values()) {
      const path = peer === 'any' ? ['spec', 'egress', rule] : ['spec', 'egress', rule, 'to', peer]
      const peers = policy.egress![rule]!.peers
      const block = peer !== 'any' && peers !== 'any' ? peers[peer]! : null
      const what = block?.kind === 'ipBlock' ? msg`ipBlock ${code(block.block.cidr.text)}${block.block.except.length ? ' (its except list does not cover it)' : ''}` : msg`a rule without ${code('to')} (any destination)`
      const fix =
        block?.kind === 'ipBlock' && block.block.cidr.family === 4 && block.block.cidr.prefix === 32
          ? { text: msg`remove this peer: it names the metadata address alone` }
          : block?.kind === 'ipBlock'
          ? {
              text: msg`except the metadata address from the block`,
              yaml: ['- ipBlock:', `    cidr: ${block.block.cidr.text}`, `    except: [${[...block.block.except.map((e) => e.text), `${METADATA_IP}/32`].join(', ')}]`].join('\n') + '\n',
            }
          : {
              text: msg`name the destinations instead of allowing any, e.g. every pod plus the outside world without the metadata address`,
              yaml: ['to:', '- namespaceSelector: {}', '- ipBlock:', '    cidr: 0.0.0.0/0', `    except: [${METADATA_IP}/32]`].join('\n') + '\n',
            }
      out.push({
        object: policyObject(policy),
        path,
        message: msg`${what} lets ${count(pods.length, 'pod')} (${podList(pods)}), whose egress is otherwise restricted, reach the cloud metadata service ${code(`${METADATA_IP}:80`)}, which serves the node's credentials`,
        fix,
      })
    }
    return out
  },
}
