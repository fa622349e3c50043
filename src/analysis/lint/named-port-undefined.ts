import type { Pod } from '../../model/cluster.js'
import { matchPort } from '../../engine/match-port.js'
import type { Check } from './check.js'
import { rulesOf } from './context.js'
import { code, joinParts, msg, podList, policyObject, type Draft, type Part } from './finding.js'
import { destinationsText, ruleDestinations } from './rule-destinations.js'
import { typoDistance } from './suggest-labels.js'
import { yamlScalar } from './yaml-snippet.js'

export const namedPortUndefined: Check = {
  id: 'NP007',
  slug: 'named-port-undefined',
  severity: 'warning',
  title: 'a named port that no pod the rule applies to defines',
  description:
    'A named port is looked up in the container ports of the destination pod, with the same protocol. When no ' +
    'destination pod defines it, the entry matches nothing: a typo, a name defined for another protocol, or a ' +
    'Service port name (Service port names are not container port names).',
  run(ctx) {
    const out: Draft[] = []
    for (const policy of ctx.cluster.policies) {
      for (const at of rulesOf(policy)) {
        if (at.rule.ports === 'any' || !at.rule.ports.some((spec) => spec.port.kind === 'named')) continue
        const dests = ruleDestinations(ctx, at).filter((p) => !p.hostNetwork)
        if (dests.length === 0) continue
        at.rule.ports.forEach((spec, k) => {
          if (spec.port.kind !== 'named') return
          const name = spec.port.name
          // the engine's own lookup: a miss other than "undefined" means the name resolves on that pod
          const defines = (p: Pod) => {
            const m = matchPort(spec, k, 0, spec.protocol, p)
            return m.ok || m.miss.code !== 'named-undefined'
          }
          if (dests.some(defines)) return
          const otherProtocol = dests.filter((p) => p.ports.some((c) => c.name === name && c.protocol !== spec.protocol))
          const names = [...new Set(dests.flatMap((p) => p.ports.filter((c) => c.protocol === spec.protocol && c.name !== undefined).map((c) => c.name!)))]
          const near = names
            .map((n) => ({ n, d: typoDistance(n, name) }))
            .filter((x) => x.d <= Math.max(2, Math.floor(name.length / 3)))
            .sort((a, b) => a.d - b.d || (a.n < b.n ? -1 : 1))
            .map((x) => x.n)
          let hint: Part[] = []
          if (otherProtocol.length > 0) {
            const protos = [...new Set(otherProtocol.flatMap((p) => p.ports.filter((c) => c.name === name).map((c) => c.protocol)))]
            hint = msg`; ${podList(otherProtocol)} define${otherProtocol.length === 1 ? 's' : ''} it for ${code(protos.join('/'))}, not ${code(spec.protocol)}`
          } else if (near.length > 0) hint = msg`; did you mean ${joinParts(near.slice(0, 2).map((n) => [code(n)]), 'or')}?`
          else if (names.length > 0) hint = msg` (${dests.length === 1 ? 'it defines' : 'they define'} ${joinParts(names.sort().slice(0, 5).map((n) => [code(n)]))})`
          out.push({
            object: policyObject(policy),
            path: [...at.path, 'ports', k, 'port'],
            message: msg`${destinationsText(at, dests.length)}${dests.length === 1 ? msg` (${podList(dests)}) defines` : ' define'} no ${code(spec.protocol)} container port named ${code(name)}, so this entry matches nothing${hint}`,
            ...(near.length > 0 && otherProtocol.length === 0
              ? { fix: { text: msg`use the name the pods define`, yaml: `- {protocol: ${spec.protocol}, port: ${yamlScalar(near[0]!)}}\n` } }
              : otherProtocol.length > 0
                ? { fix: { text: msg`use the protocol the pods define the port for`, yaml: `- {protocol: ${otherProtocol[0]!.ports.find((c) => c.name === name)!.protocol}, port: ${yamlScalar(name)}}\n` } }
                : {}),
          })
        })
      }
    }
    return out
  },
}
