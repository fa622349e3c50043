/**
 * What `netpol lab` checks before it touches the host: which lab (`--name`), root, and the programs the lab
 * runs, each named with its Debian package. All of it before anything is built.
 */
import { checkLabName, labNames, type HostTool, type LabNames, type LabPlan } from '../../lab/index.js'
import { requireTools } from '../require-tools.js'
import { ExitError, UsageError, type CliIO } from '../io.js'

export interface LabNameOption {
  /** --name: a lab of its own (lab-names.ts); default: the default lab */
  name?: string
}

/** The lab --name names (usage error, exit 2, for a name that cannot be one). */
export function labOf(opts: LabNameOption): LabNames {
  if (opts.name === undefined) return labNames()
  const problem = checkLabName(opts.name)
  if (problem !== null) throw new UsageError(`--name: ${problem}`)
  return labNames(opts.name)
}

/** The programs a lab needs on this host: `ip` and `sysctl` always, `nft` for the agent, python3 for the SCTP responder. */
export function labTools(plan: Pick<LabPlan, 'sctp'>, agent: boolean): HostTool[] {
  return ['ip', 'sysctl', ...(agent ? (['nft'] as const) : []), ...(plan.sctp.namespaces.length > 0 ? (['python3'] as const) : [])]
}

/** Exit 2, nothing built, when a program the lab needs is missing: which ones, and the Debian packages. */
export const requireLabTools = (io: CliIO, tools: readonly HostTool[]): void => requireTools(io, 'netpol lab', tools)

export function requireRoot(io: CliIO): void {
  if (process.getuid?.() === 0) return
  io.stderr.write('error: netpol lab needs root: it creates network namespaces, veth pairs and nftables rules (run it with sudo)\n')
  throw new ExitError(2)
}
