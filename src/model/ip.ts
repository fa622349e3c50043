/**
 * IP addresses and CIDRs as numbers. Parsing follows what the API server's validation uses:
 * `netutils.ParseIPSloppy` / `ParseCIDRSloppy` of k8s.io/utils/net, a copy of the Go 1.16 parser kept because
 * later Go versions became strict. That parser is sloppy in three ways netpol copies:
 * - IPv4 octets may carry leading zeros and are read as decimal (`010.1.2.3` is 10.1.2.3, not octal);
 * - an IPv6 group may have more than 4 hex digits while its value fits 16 bits (`fd00:00000::` is fd00::);
 * - a prefix length may carry leading zeros (`10.0.0.0/08`).
 * A CIDR may have host bits set (`10.1.1.1/4` means `0.0.0.0/4`); zones (`%eth0`) are rejected.
 *
 * IPv4-mapped IPv6 (`::ffff:10.1.2.3`): Go stores every IPv4 address as 16 bytes in that form, and
 * `net.IPNet.Contains` compares a mapped network (prefix 96 or longer) as the IPv4 network it maps. So
 * `::ffff:10.1.2.0/120` in a policy means 10.1.2.0/24: the API server accepts it as an `except` of an IPv4
 * `cidr`, and implementations built on Go's net types (kube-network-policies' evaluateIPBlocks) then leave out
 * 10.1.2.0/24. parseCidr returns such a CIDR as the IPv4 CIDR it stands for (family 4), keeping the length as
 * written in `maskSize`, which the strict-subset rule compares (see cidrStrictlyInside).
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
  /** the prefix length as written: Go's `Mask.Size()`, 96 more than `prefix` for an IPv4-mapped CIDR */
  readonly maskSize: number
  /** as the user wrote it */
  readonly text: string
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 }
/** Go's `big` in dtoi/xtoi: a number this large stops the scan as invalid */
const BIG = 0xffffff

const isDigit = (c: number) => c >= 48 && c <= 57
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 102) return c - 87
  if (c >= 65 && c <= 70) return c - 55
  return -1
}

/** Go's dtoi: decimal digits from `i`; [value, end] or null when none or too large. */
function dtoi(s: string, i: number): [number, number] | null {
  let n = 0
  let j = i
  for (; j < s.length && isDigit(s.charCodeAt(j)); j++) {
    n = n * 10 + (s.charCodeAt(j) - 48)
    if (n >= BIG) return null
  }
  return j === i ? null : [n, j]
}

/** Go's xtoi: hex digits from `i`, any count while the value stays below BIG. */
function xtoi(s: string, i: number): [number, number] | null {
  let n = 0
  let j = i
  for (; j < s.length; j++) {
    const h = hexValue(s.charCodeAt(j))
    if (h < 0) break
    n = n * 16 + h
    if (n >= BIG) return null
  }
  return j === i ? null : [n, j]
}

/** Go 1.16 parseIPv4: four decimal octets, leading zeros allowed, nothing after. */
function parseV4(s: string): bigint | null {
  let value = 0n
  let i = 0
  for (let k = 0; k < 4; k++) {
    if (k > 0) {
      if (s.charCodeAt(i) !== 46) return null
      i++
    }
    const r = dtoi(s, i)
    if (r === null || r[0] > 255) return null
    value = (value << 8n) | BigInt(r[0])
    i = r[1]
  }
  return i === s.length ? value : null
}

/** Go 1.16 parseIPv6: groups of any number of hex digits up to 0xFFFF, one "::", an IPv4 tail. */
function parseV6(text: string): bigint | null {
  const groups: number[] = [] // 16-bit groups in order; an IPv4 tail adds two
  let ellipsis = -1
  let s = text
  if (s.startsWith('::')) {
    ellipsis = 0
    s = s.slice(2)
    if (s === '') return 0n
  }
  while (groups.length < 8) {
    const r = xtoi(s, 0)
    if (r === null || r[0] > 0xffff) return null
    if (r[1] < s.length && s[r[1]] === '.') {
      // an IPv4 tail: in the last two groups, or anywhere before them after a "::"
      if ((ellipsis < 0 && groups.length !== 6) || groups.length + 2 > 8) return null
      const v4 = parseV4(s)
      if (v4 === null) return null
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn))
      s = ''
      break
    }
    groups.push(r[0])
    s = s.slice(r[1])
    if (s === '') break
    if (s[0] !== ':' || s.length === 1) return null
    s = s.slice(1)
    if (s[0] === ':') {
      if (ellipsis >= 0) return null
      ellipsis = groups.length
      s = s.slice(1)
      if (s === '') break
    }
  }
  if (s !== '') return null
  if (groups.length < 8) {
    if (ellipsis < 0) return null
    groups.splice(ellipsis, 0, ...Array<number>(8 - groups.length).fill(0))
  } else if (ellipsis >= 0) return null // "::" must stand for at least one group
  let value = 0n
  for (const g of groups) value = (value << 16n) | BigInt(g)
  return value
}

/** ParseIPSloppy: the first "." or ":" decides the family, as Go's parseIP does. */
export function parseIp(text: string): IpAddress | null {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '.') {
      const v = parseV4(text)
      return v === null ? null : { family: 4, value: v, text }
    }
    if (c === ':') {
      const v = parseV6(text)
      return v === null ? null : { family: 6, value: v, text }
    }
  }
  return null
}

/**
 * ParseCIDRSloppy: an address (IPv4 tried first), "/", a decimal prefix length within the family's bits.
 * An IPv4-mapped IPv6 network of length 96 or more is returned as the IPv4 network it maps (see above).
 */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/')
  if (slash < 0) return null
  const addr = text.slice(0, slash)
  let family: Family = 4
  let value = parseV4(addr)
  if (value === null) {
    family = 6
    value = parseV6(addr)
  }
  const mask = dtoi(text, slash + 1)
  if (value === null || mask === null || mask[1] !== text.length) return null
  const maskSize = mask[0]
  if (maskSize > BITS[family]) return null
  const hostBits = BigInt(BITS[family] - maskSize)
  let first = (value >> hostBits) << hostBits
  let prefix = maskSize
  if (family === 6 && maskSize >= 96 && first >> 32n === 0xffffn) {
    family = 4
    prefix = maskSize - 96
    first &= 0xffffffffn
  }
  const last = first | ((1n << BigInt(BITS[family] - prefix)) - 1n)
  return { family, prefix, first, last, maskSize, text }
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  return cidr.family === ip.family && ip.value >= cidr.first && ip.value <= cidr.last
}

/**
 * "must be a strict subset of `cidr`" (ValidateIPBlock), exactly as upstream tests it:
 * `cidr.Contains(except.IP) && cidrMaskLen < exceptMaskLen`. The except's network address must lie in cidr
 * (families compared after IPv4-mapped networks become IPv4, as Contains does), and its mask, as written,
 * must be longer. So `::ffff:10.0.0.0/100` (IPv4 10.0.0.0/4) passes as an except of 10.0.0.0/8: 100 > 8.
 */
export function cidrStrictlyInside(inner: Cidr, outer: Cidr): boolean {
  return inner.family === outer.family && inner.first >= outer.first && inner.first <= outer.last && inner.maskSize > outer.maskSize
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
