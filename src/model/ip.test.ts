import { expect, test } from 'vitest'
import { canonicalCidr, cidrStrictlyInside, formatIpValue, parseCidr, parseIp } from './ip.js'

// What netutils.ParseIPSloppy / ParseCIDRSloppy (the Go 1.16 parser the API server validates with) accepts.
test.each([
  { text: '10.1.2.3', want: '10.1.2.3' },
  { text: '010.1.2.3', want: '10.1.2.3' }, // leading zeros are decimal, not octal
  { text: '0010.001.0002.3', want: '10.1.2.3' },
  { text: 'fd00:00000::1', want: 'fd00::1' }, // a 5-digit group whose value fits 16 bits
  { text: 'fd00:0000000000ff::', want: 'fd00:ff::' },
  { text: '::ffff:10.1.2.3', want: '::ffff:a01:203' },
  { text: '::ffff:010.1.2.3', want: '::ffff:a01:203' },
  { text: '1:2:3:4:5:6:1.2.3.4', want: '1:2:3:4:5:6:102:304' },
  { text: '::', want: '::' },
  { text: '1::', want: '1::' },
])('parseIp accepts $text', ({ text, want }) => {
  const ip = parseIp(text)
  expect(ip && formatIpValue(ip.family, ip.value)).toBe(want)
})

test.each(['', '10.1.2', '10.1.2.3.4', '256.1.2.3', '10.1.2.3 ', 'fd00:10000::', '1::2::3', '1:2:3:4:5:6:7:8::', ':1::', '1:2:3:4:5:6:7', 'fe80::1%eth0', '::1.2.3.4:5', '1:2:3:4:5:1.2.3.4', 'g::'])(
  'parseIp rejects %j',
  (text) => expect(parseIp(text)).toBeNull(),
)

test.each([
  { text: 'fd00:00000::/64', want: 'fd00::/64', family: 6 },
  { text: '10.0.0.0/08', want: '10.0.0.0/8', family: 4 },
  { text: '010.1.2.3/32', want: '10.1.2.3/32', family: 4 },
  // an IPv4-mapped network of length 96 or more is the IPv4 network it maps, as Go's IPNet.Contains treats it
  { text: '::ffff:10.1.2.3/128', want: '10.1.2.3/32', family: 4 },
  { text: '::ffff:10.1.2.0/120', want: '10.1.2.0/24', family: 4 },
  { text: '::ffff:0:0/96', want: '0.0.0.0/0', family: 4 },
  // shorter ones are plain IPv6 networks
  { text: '::ffff:0:0/95', want: '::fffe:0:0/95', family: 6 },
])('parseCidr reads $text as $want', ({ text, want, family }) => {
  const c = parseCidr(text)
  expect(c && canonicalCidr(c)).toBe(want)
  expect(c?.family).toBe(family)
})

test.each(['10.0.0.0', '10.0.0.0/33', '10.0.0.0/8/8', '10.0.0.0/-1', '10.0.0.0/', 'fd00::/129', 'fd00:10000::/64', 'fe80::%eth0/64'])('parseCidr rejects %j', (text) =>
  expect(parseCidr(text)).toBeNull(),
)

// ValidateIPBlock: `cidr.Contains(except.IP) && cidrMaskLen < exceptMaskLen`, with Go's net types.
test.each([
  { cidr: '10.0.0.0/8', except: '10.1.0.0/16', want: true },
  { cidr: '10.0.0.0/8', except: '10.0.0.0/8', want: false },
  { cidr: '10.0.0.0/8', except: '::ffff:10.1.2.3/128', want: true },
  { cidr: '10.0.0.0/8', except: '::ffff:11.1.2.3/128', want: false },
  // the except's mask as written (103) is longer than 8, so upstream accepts it although it maps 10.0.0.0/7
  { cidr: '10.0.0.0/8', except: '::ffff:10.0.0.0/103', want: true },
  { cidr: '10.0.0.0/8', except: '::ffff:10.0.0.0/100', want: false }, // 0.0.0.0/4: its address is outside
  // a mapped cidr keeps its written length: 104 is not shorter than 16
  { cidr: '::ffff:10.0.0.0/104', except: '10.1.0.0/16', want: false },
  { cidr: '::ffff:0:0/96', except: '::ffff:10.0.0.0/104', want: true },
  // an IPv6 cidr never contains an address Go can read as IPv4
  { cidr: '::/0', except: '::ffff:10.0.0.0/104', want: false },
  { cidr: '10.0.0.0/8', except: 'fd00::/64', want: false },
])('except $except inside cidr $cidr: $want', ({ cidr, except, want }) => {
  expect(cidrStrictlyInside(parseCidr(except)!, parseCidr(cidr)!)).toBe(want)
})
