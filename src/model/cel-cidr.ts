/**
 * The CEL function `isCIDR(self)` that the sig-network-policy-api CRDs put on every `networks` entry ("Invalid
 * CIDR format provided"). The API server's CEL library (k8s.io/apiserver/pkg/cel/library, parseCIDR) parses with
 * Go's `netip.ParsePrefix` and refuses an IPv4-mapped IPv6 address ("IPv4-mapped IPv6 address %q is not allowed"), so it is stricter than the sloppy parser NetworkPolicy's ipBlock goes through
 * (parseCidr): no leading zeros in an IPv4 octet or in the prefix length, at most 4 hex digits in an IPv6
 * group, no zone, no `::ffff:a.b.c.d`. A prefix may have host bits set (`10.1.2.3/8`): isCIDR accepts it.
 */
import { parseCidr, parseIp, type Cidr } from './ip.js'

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])'
const V4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`)
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/
const BITS = /^(0|[1-9][0-9]*)$/

/**
 * netip.ParseAddr's IPv6 form: groups of 1-4 hex digits, one "::" standing for at least one group, and an IPv4
 * address (no leading zeros) only as the last part of the text.
 */
function isV6(s: string): boolean {
  const halves = s.split('::')
  if (halves.length > 2) return false
  const parts = halves.map((h) => (h === '' ? [] : h.split(':')))
  let count = 0
  for (let p = 0; p < parts.length; p++) {
    const groups = parts[p]!
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!
      const lastOfText = p === parts.length - 1 && i === groups.length - 1
      if (HEX_GROUP.test(g)) count++
      else if (lastOfText && V4.test(g)) count += 2
      else return false
    }
  }
  return halves.length === 2 ? count < 8 : count === 8
}

/** netip's Is4In6: an IPv6 address in ::ffff:0:0/96, however it is written. */
function is4In6(v6: string): boolean {
  const a = parseIp(v6)
  return a !== null && a.family === 6 && a.value >> 32n === 0xffffn
}

/** `isCIDR(s)` of the Kubernetes CEL library; the parsed CIDR, or null when it is false. */
export function celCidr(s: string): Cidr | null {
  const slash = s.indexOf('/')
  if (slash < 0) return null
  const addr = s.slice(0, slash)
  const bits = s.slice(slash + 1)
  if (!BITS.test(bits)) return null
  const v4 = V4.test(addr)
  if (!v4 && !isV6(addr)) return null
  if (Number(bits) > (v4 ? 32 : 128)) return null
  if (!v4 && is4In6(addr)) return null
  return parseCidr(s)
}
