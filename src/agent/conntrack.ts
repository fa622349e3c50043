/**
 * `--strict`: after a tightened ruleset is applied, connections it no longer allows would live on through
 * `ct state established accept`. This lists the node's conntrack entries, asks the engine about each one that
 * involves a managed pod, and deletes the ones it denies.
 */
import type { Cluster, Pod } from '../model/cluster.js'
import { parseIp } from '../model/ip.js'
import type { Protocol } from '../model/port.js'
import { evaluateFlow, sideAllows } from '../engine/index.js'
import { clusterView } from './cluster-view.js'
import { execWithInput } from '../dataplane/nft-runner.js'

/** One conntrack entry, in its original direction. */
export interface CtFlow {
  readonly family: 4 | 6
  readonly protocol: Protocol
  readonly src: string
  readonly dst: string
  readonly sport: number
  readonly dport: number
}

const PROTOCOLS: Record<string, Protocol> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' }

/**
 * Parses `conntrack -L` lines (`tcp 6 117 ESTABLISHED src=… dst=… sport=… dport=… src=… …`): the first
 * src/dst/sport/dport are the original direction. Lines of other protocols are skipped.
 */
export function parseConntrack(text: string, family: 4 | 6): CtFlow[] {
  const out: CtFlow[] = []
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/)
    const protocol = PROTOCOLS[words[0] ?? '']
    if (protocol === undefined) continue
    const field = (name: string) => words.find((w) => w.startsWith(`${name}=`))?.slice(name.length + 1)
    const src = field('src')
    const dst = field('dst')
    const sport = Number(field('sport'))
    const dport = Number(field('dport'))
    if (src === undefined || dst === undefined || !Number.isInteger(sport) || !Number.isInteger(dport)) continue
    out.push({ family, protocol, src, dst, sport, dport })
  }
  return out
}

/**
 * The flows to cut: those with a managed pod on an end whose side the engine now denies (the same decision the
 * ruleset makes for a new connection). Pure.
 */
export function flowsToCut(cluster: Cluster, managed: (pod: Pod) => boolean, flows: readonly CtFlow[]): CtFlow[] {
  const view = clusterView(cluster)
  const out: CtFlow[] = []
  for (const f of flows) {
    const src = parseIp(f.src)
    const dst = parseIp(f.dst)
    if (src === null || dst === null) continue
    const from = view.endpoint(src)
    const to = view.endpoint(dst)
    const fromManaged = from.kind === 'pod' && managed(from.pod)
    const toManaged = to.kind === 'pod' && managed(to.pod)
    if (!fromManaged && !toManaged) continue
    const v = evaluateFlow(view.index, { from, to, port: f.dport, protocol: f.protocol })
    if (v.egress.kind === 'self') continue
    if ((fromManaged && !sideAllows(v.egress)) || (toManaged && !sideAllows(v.ingress))) out.push(f)
  }
  return out
}

export interface Conntrack {
  list(): Promise<CtFlow[]>
  /** deletes one flow's entry; false when conntrack failed (e.g. the entry is already gone) */
  remove(flow: CtFlow): Promise<boolean>
}

/** The `conntrack` tool (Debian package conntrack), inside a network namespace when given. */
export class ExecConntrack implements Conntrack {
  constructor(private readonly netns?: string) {}

  private argv(args: string[]): string[] {
    return this.netns !== undefined ? ['ip', 'netns', 'exec', this.netns, 'conntrack', ...args] : ['conntrack', ...args]
  }

  async list(): Promise<CtFlow[]> {
    const out: CtFlow[] = []
    for (const family of [4, 6] as const) {
      const r = await execWithInput(this.argv(['-L', '-f', family === 4 ? 'ipv4' : 'ipv6']), '')
      if (r.code === 0) out.push(...parseConntrack(r.stdout, family))
    }
    return out
  }

  async remove(f: CtFlow): Promise<boolean> {
    const args = ['-D', '-f', f.family === 4 ? 'ipv4' : 'ipv6', '-p', f.protocol.toLowerCase(), '-s', f.src, '-d', f.dst, '--sport', String(f.sport), '--dport', String(f.dport)]
    const r = await execWithInput(this.argv(args), '')
    return r.code === 0
  }
}
