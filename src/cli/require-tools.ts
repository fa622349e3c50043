import { HOST_TOOLS, missingTools, packageHint, type HostTool } from '../agent/host-tools.js'
import { ExitError, type CliIO } from './io.js'

/**
 * Exit 2 before anything touches the host when a program `command` runs is missing, naming each and its Debian
 * package: `error: netpol agent needs \`nft\` (the rules): install the Debian package nftables (apt-get install -y nftables)`.
 */
export function requireTools(io: CliIO, command: string, tools: readonly HostTool[]): void {
  const missing = missingTools(tools)
  if (missing.length === 0) return
  io.stderr.write(`error: ${command} needs ${missing.map((t) => HOST_TOOLS[t].what).join(', ')}: install the ${packageHint(missing)}\n`)
  throw new ExitError(2)
}
