import { cidrContains, type Cidr, type IpAddress } from './ip.js'

/**
 * "IPBlock describes a particular CIDR that is allowed to the pods matched by a NetworkPolicySpec's
 * podSelector. The except entry describes CIDRs that should not be included within this rule."
 * Validation guarantees every except entry is a strict subset of cidr, of the same family.
 */
export interface IpBlock {
  readonly cidr: Cidr
  readonly except: readonly Cidr[]
  /** canonical text used to intern equal blocks */
  readonly key: string
}

export type IpBlockMatch =
  | { matched: true }
  | { matched: false; why: 'outside'; cidr: Cidr }
  | { matched: false; why: 'excepted'; except: Cidr }

export function ipBlockMatch(block: IpBlock, ip: IpAddress): IpBlockMatch {
  if (!cidrContains(block.cidr, ip)) return { matched: false, why: 'outside', cidr: block.cidr }
  for (const ex of block.except) if (cidrContains(ex, ip)) return { matched: false, why: 'excepted', except: ex }
  return { matched: true }
}

export function ipBlockContains(block: IpBlock, ip: IpAddress): boolean {
  return ipBlockMatch(block, ip).matched
}
