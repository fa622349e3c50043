/**
 * Which host objects belong to which lab, so that labs of different names live side by side on one host.
 *
 * Only network namespaces and the state directory are visible host-wide: the bridge, the veth pairs' host
 * ends, the nftables table (`inet netpol`) and the servers' sockets all live inside the lab's own node or
 * pod namespaces, so their names (nplbr0, nplh…, eth0) never meet another lab's. A lab's namespaces share
 * one prefix that no other lab's namespaces start with; `labDown` removes exactly the namespaces of its prefix.
 *
 * - the default lab (no `--name`): `netpol-lab-node`, `netpol-lab-ext`, `npl-<pod hash>`, state in
 *   /run/netpol-lab — the names netpol always used;
 * - a lab named NAME: `npl.NAME.node`, `npl.NAME.ext`, `npl.NAME.<pod hash>`, state in /run/netpol-lab.NAME.
 *   NAME holds no `.`, so `npl.NAME.` is never the start of another name's prefix, and never starts
 *   with the default lab's `npl-` or `netpol-lab-`.
 */
export const DEFAULT_LAB_NAME = 'default'

export interface LabNames {
  /** `default`, or the --name given */
  readonly name: string
  readonly nodeNetns: string
  readonly extNetns: string
  /** every namespace whose name starts with one of these belongs to this lab */
  readonly netnsPrefixes: readonly string[]
  /** the namespace of the pod with this hash */
  readonly podNetns: (hash: string) => string
  /** state.json, logs/ and the CLI's record live here */
  readonly runDir: string
}

/** DNS-label-like: a-z, 0-9 and '-', 1-32 characters, starting and ending with a letter or digit. */
const NAME_RE = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/

/** null when `name` can name a lab, else what is wrong with it. */
export function checkLabName(name: string): string | null {
  if (NAME_RE.test(name)) return null
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name
  return `"${shown}" is not a lab name: 1-32 characters of a-z, 0-9 and '-', starting and ending with a letter or digit`
}

/** The names of lab `name` (default: the default lab). Throws on a name `checkLabName` rejects (check first). */
export function labNames(name: string = DEFAULT_LAB_NAME): LabNames {
  if (name === DEFAULT_LAB_NAME) {
    return {
      name,
      nodeNetns: 'netpol-lab-node',
      extNetns: 'netpol-lab-ext',
      netnsPrefixes: ['npl-', 'netpol-lab-'],
      podNetns: (hash) => `npl-${hash}`,
      runDir: '/run/netpol-lab',
    }
  }
  const problem = checkLabName(name)
  if (problem !== null) throw new Error(problem)
  const prefix = `npl.${name}.`
  return {
    name,
    nodeNetns: `${prefix}node`,
    extNetns: `${prefix}ext`,
    netnsPrefixes: [prefix],
    podNetns: (hash) => `${prefix}${hash}`,
    runDir: `/run/netpol-lab.${name}`,
  }
}
