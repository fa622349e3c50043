/**
 * The ports a rule's `ports` list allows on one destination, as disjoint ranges per protocol, decided by the
 * engine's own matchPorts. Pure.
 */
import type { Pod } from '../model/cluster.js'
import { PROTOCOLS, type PortSpec } from '../model/port.js'
import { matchPorts } from '../engine/match-port.js'
import { PROTO_NUMBER } from './nft-objects.js'

/** Ports lo..hi (inclusive) of IP protocol number `proto`. */
export interface PortRange {
  readonly proto: number
  readonly lo: number
  readonly hi: number
}

/** The highest port plus one; port 0 is a port like any other to the dataplane. */
const END = 65536

/**
 * Cuts the port line of each protocol where some entry of `ports` could change its answer (the ends of
 * ranges, and every port the destination declares, where a named port may resolve), then asks matchPorts
 * once per piece: within a piece every port gets the same answer, so its first port stands for all of it.
 * `dest` is null when the destination is not a pod.
 */
export function allowedPorts(ports: 'any' | readonly PortSpec[], dest: Pod | null): PortRange[] {
  const out: PortRange[] = []
  for (const protocol of PROTOCOLS) {
    const cuts = new Set<number>([0, 1, END])
    if (ports !== 'any') {
      for (const spec of ports) {
        if (spec.protocol !== protocol) continue
        if (spec.port.kind === 'range') {
          cuts.add(spec.port.from)
          cuts.add(spec.port.to + 1)
        } else if (spec.port.kind === 'named') {
          for (const cp of dest?.ports ?? []) {
            if (cp.protocol !== protocol) continue
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
      if (!matchPorts(ports, lo, protocol, dest).ok) continue
      const hi = points[i + 1]! - 1
      const last = out[out.length - 1]
      if (last !== undefined && last.proto === proto && last.hi + 1 === lo) out[out.length - 1] = { proto, lo: last.lo, hi }
      else out.push({ proto, lo, hi })
    }
  }
  return out
}

export const portRangesKey = (ranges: readonly PortRange[]): string => ranges.map((r) => `${r.proto}:${r.lo}-${r.hi}`).join(',')

/** The union of several lists of ranges, sorted by protocol then port, overlapping and adjacent ranges merged. */
export function unionPortRanges(lists: readonly (readonly PortRange[])[]): PortRange[] {
  const all = lists.flat().sort((a, b) => a.proto - b.proto || a.lo - b.lo)
  const out: PortRange[] = []
  for (const r of all) {
    const last = out[out.length - 1]
    if (last !== undefined && last.proto === r.proto && r.lo <= last.hi + 1) {
      if (r.hi > last.hi) out[out.length - 1] = { proto: r.proto, lo: last.lo, hi: r.hi }
    } else out.push(r)
  }
  return out
}
