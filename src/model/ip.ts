/**
 * IP addresses and CIDRs as numbers. Parsing follows Go's net.ParseIP / netutils.ParseCIDRSloppy, which the
 * API server uses: IPv4 octets may carry leading zeros (read as decimal), a CIDR may have host bits set
 * (`10.1.1.1/4` means `0.0.0.0/4`), zones (`%eth0`) are rejected.
 */
export type Family = 4 | 6

export interface IpAddress {
  readonly family: Family
  readonly value: bigint
  readonly text: string
}

export interface Cidr {
  readonly family: Family
  readonly prefix: number
  /** first and last address of the range, inclusive */
  readonly first: bigint
  readonly last: bigint
  /** as the user wrote it */
  readonly text: string
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 }

function parseV4(text: string): bigint | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  let value = 0n
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return null
    const n = Number(p)
    if (n > 255) return null
    value = (value << 8n) | BigInt(n)
  }
  return value
}

function parseV6(text: string): bigint | null {
  if (text.includes('%')) return null
  let head = text
  let tailV4: bigint | null = null
  const lastColon = text.lastIndexOf(':')
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    tailV4 = parseV4(text.slice(lastColon + 1))
    if (tailV4 === null) return null
    head = text.slice(0, lastColon + 1) + '0:0'
  }
  const dbl = head.indexOf('::')
  if (dbl !== head.lastIndexOf('::')) return null
  let groups: string[]
  if (dbl >= 0) {
    const left = head.slice(0, dbl) === '' ? [] : head.slice(0, dbl).split(':')
    const right = head.slice(dbl + 2) === '' ? [] : head.slice(dbl + 2).split(':')
    const missing = 8 - left.length - right.length
    if (missing < 1) return null
    groups = [...left, ...Array<string>(missing).fill('0'), ...right]
  } else {
    groups = head.split(':')
    if (groups.length !== 8) return null
  }
  let value = 0n
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null
    value = (value << 16n) | BigInt(parseInt(g, 16))
  }
  if (tailV4 !== null) value = (value & ~0xffffffffn) | tailV4
  return value
}

export function parseIp(text: string): IpAddress | null {
  if (text.includes(':')) {
    const v = parseV6(text)
    return v === null ? null : { family: 6, value: v, text }
  }
  const v = parseV4(text)
  return v === null ? null : { family: 4, value: v, text }
}

export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/')
  if (slash < 0 || slash !== text.lastIndexOf('/')) return null
  const ip = parseIp(text.slice(0, slash))
  const prefixText = text.slice(slash + 1)
  if (ip === null || !/^[0-9]{1,3}$/.test(prefixText)) return null
  const prefix = Number(prefixText)
  const bits = BITS[ip.family]
  if (prefix > bits) return null
  const hostBits = BigInt(bits - prefix)
  const first = (ip.value >> hostBits) << hostBits
  const last = first | ((1n << hostBits) - 1n)
  return { family: ip.family, prefix, first, last, text }
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  return cidr.family === ip.family && ip.value >= cidr.first && ip.value <= cidr.last
}

/** "must be a strict subset of `cidr`" (ValidateIPBlock): same family, inside, and a longer prefix. */
export function cidrStrictlyInside(inner: Cidr, outer: Cidr): boolean {
  return inner.family === outer.family && inner.first >= outer.first && inner.last <= outer.last && inner.prefix > outer.prefix
}

export function formatIpValue(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.')
  const groups: string[] = []
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((value >> s) & 0xffffn).toString(16))
  // compress the longest run of zero groups (RFC 5952)
  let bestStart = -1
  let bestLen = 0
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue }
    let j = i
    while (j < 8 && groups[j] === '0') j++
    if (j - i > bestLen && j - i > 1) { bestStart = i; bestLen = j - i }
    i = j
  }
  if (bestStart < 0) return groups.join(':')
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`
}

/** The canonical network text, e.g. `10.1.1.1/4` → `0.0.0.0/4`. */
export function canonicalCidr(cidr: Cidr): string {
  return `${formatIpValue(cidr.family, cidr.first)}/${cidr.prefix}`
}
