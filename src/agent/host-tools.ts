import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { findUlogdPlugins } from './flow-log.js'

/**
 * The host programs the lab, the agent and their tests run, and the Debian package each comes from: one
 * table, so that `netpol lab`, `netpol agent` and the test suite name the same packages when one is missing.
 */
export type HostTool = 'ip' | 'sysctl' | 'nft' | 'conntrack' | 'ulogd' | 'ulogd-json' | 'python3'

export const HOST_TOOLS: Readonly<Record<HostTool, { readonly what: string; readonly pkg: string }>> = {
  ip: { what: '`ip` (network namespaces, veth pairs, bridges)', pkg: 'iproute2' },
  sysctl: { what: '`sysctl`', pkg: 'procps' },
  nft: { what: '`nft` (the rules)', pkg: 'nftables' },
  conntrack: { what: '`conntrack` (cutting denied connections)', pkg: 'conntrack' },
  ulogd: { what: '`ulogd` (the flow log)', pkg: 'ulogd2' },
  'ulogd-json': { what: "ulogd's JSON output plugin", pkg: 'ulogd2-json' },
  python3: { what: '`python3` (the SCTP responder)', pkg: 'python3' },
}

/** Where a command is found: PATH, then the sbin directories a non-login root shell may lack. */
export function findCommand(name: string, path = process.env.PATH ?? ''): string | null {
  const dirs = [...path.split(delimiter).filter((d) => d !== ''), '/usr/local/sbin', '/usr/sbin', '/sbin']
  for (const d of dirs) {
    try {
      accessSync(join(d, name), constants.X_OK)
      return join(d, name)
    } catch {
      // not here
    }
  }
  return null
}

const present: Record<HostTool, () => boolean> = {
  ip: () => findCommand('ip') !== null,
  sysctl: () => findCommand('sysctl') !== null,
  nft: () => findCommand('nft') !== null,
  conntrack: () => findCommand('conntrack') !== null,
  ulogd: () => findCommand('ulogd') !== null,
  'ulogd-json': () => findUlogdPlugins() !== null,
  python3: () => findCommand('python3') !== null,
}

/** The tools of `tools` this host lacks, in the order given (each once). */
export function missingTools(tools: readonly HostTool[], has: (t: HostTool) => boolean = (t) => present[t]()): HostTool[] {
  return [...new Set(tools)].filter((t) => !has(t))
}

/** "Debian packages nftables, conntrack (apt-get install -y nftables conntrack)" for the missing tools. */
export function packageHint(missing: readonly HostTool[]): string {
  const pkgs = [...new Set(missing.map((t) => HOST_TOOLS[t].pkg))]
  return `Debian package${pkgs.length === 1 ? '' : 's'} ${pkgs.join(', ')} (apt-get install -y ${pkgs.join(' ')})`
}
