/**
 * What one tier decides for one subject and one class of the other end, port by port: the rules whose peers match
 * that class, in evaluation order, cut into protocol and port ranges each decided by the first rule whose ports
 * match there. Pure.
 * - "If unspecified, protocol-specific attributes will not be used to match traffic" (ports absent): every port of
 *   TCP, UDP and SCTP, the protocols whose ports the ruleset reads;
 * - a range matches its protocol and start ≤ port ≤ end (a single port is a range of one);
 * - a named port matches when the destination pod (for ingress the subject, for egress the peer) has a container
 *   port of that name whose number and protocol are the connection's.
 * Pass is a decision too: it ends the tier for those ports ("skips all further ... rules in the current tier"),
 * so it shadows later rules, and then leaves no element: what follows the tier decides.
 */
import type { Pod } from '../model/cluster.js'
import type { ClusterAction, ClusterPort, ClusterRule } from '../model/cluster-policy.js'
import { PROTOCOLS, type Protocol } from '../model/port.js'
import { PROTO_NUMBER } from './nft-objects.js'

/** Ports lo..hi of protocol `proto` (IP number) decided by the rule `rule` (an index the caller gives). */
export interface DecidedRange {
  readonly proto: number
  readonly lo: number
  readonly hi: number
  readonly action: Exclude<ClusterAction, 'Pass'>
  /** the deciding rule's key (see MatchingRule) */
  readonly rule: string
}

/** One matching rule: a key that names it for the caller (stable across compiles), its action and ports. */
export interface MatchingRule {
  readonly rule: string
  readonly action: ClusterAction
  readonly ports: ClusterRule['ports']
}

const END = 65536

function portMatches(ports: ClusterRule['ports'], port: number, protocol: Protocol, dest: Pod | null): boolean {
  if (ports === 'any') return true
  return ports.some((p) => entryMatches(p, port, protocol, dest))
}

function entryMatches(p: ClusterPort, port: number, protocol: Protocol, dest: Pod | null): boolean {
  if (p.kind === 'range') return p.protocol === protocol && port >= p.from && port <= p.to
  return dest !== null && dest.ports.some((cp) => cp.name === p.name && cp.protocol === protocol && cp.port === port)
}

/**
 * The Accept and Deny ranges of `rules` (in evaluation order) on destination `dest` (null: not a pod), sorted by
 * protocol and port, neighbours with the same outcome merged. Ports no rule matches, and ports a Pass decides, are
 * left out.
 */
export function decidePorts(rules: readonly MatchingRule[], dest: Pod | null): DecidedRange[] {
  const out: DecidedRange[] = []
  for (const protocol of PROTOCOLS) {
    const cuts = new Set<number>([0, END])
    for (const r of rules) {
      if (r.ports === 'any') continue
      for (const p of r.ports) {
        if (p.kind === 'range') {
          if (p.protocol !== protocol) continue
          cuts.add(p.from)
          cuts.add(p.to + 1)
        } else {
          for (const cp of dest?.ports ?? []) {
            if (cp.name !== p.name || cp.protocol !== protocol) continue
            cuts.add(cp.port)
            cuts.add(cp.port + 1)
          }
        }
      }
    }
    const points = [...cuts].filter((p) => p <= END).sort((a, b) => a - b)
    const proto = PROTO_NUMBER[protocol]
    for (let i = 0; i + 1 < points.length; i++) {
      const lo = points[i]!
      const hi = points[i + 1]! - 1
      const first = rules.find((r) => portMatches(r.ports, lo, protocol, dest))
      if (first === undefined || first.action === 'Pass') continue
      const last = out[out.length - 1]
      // accepted ports are alike whichever rule accepts them; a denial names its rule (logs and counters)
      const same = last !== undefined && last.action === first.action && (first.action === 'Accept' || last.rule === first.rule)
      if (same && last.proto === proto && last.hi + 1 === lo) out[out.length - 1] = { ...last, hi }
      else out.push({ proto, lo, hi, action: first.action, rule: first.rule })
    }
  }
  return out
}

export const decidedKey = (ranges: readonly DecidedRange[]): string => ranges.map((r) => `${r.proto}:${r.lo}-${r.hi}=${r.action === 'Accept' ? 'accept' : r.rule}`).join(',')
