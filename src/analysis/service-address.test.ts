import { expect, test } from 'vitest'
import { splitAddressPort } from './service-address.js'

test.each([
  { input: '10.96.0.10', want: ['10.96.0.10', null] },
  { input: '10.96.0.10:53', want: ['10.96.0.10', '53'] },
  { input: '10.96.0.10:dns', want: ['10.96.0.10', 'dns'] },
  { input: 'fd00::10', want: ['fd00::10', null] },
  { input: 'fd00::10:53', want: ['fd00::10:53', null] }, // a bare IPv6 address never carries a port
  { input: '[fd00::10]:53', want: ['fd00::10', '53'] },
  { input: '[fd00::10]', want: ['fd00::10', null] },
  { input: '[10.96.0.10]:53', want: null },
  { input: 'shop/web', want: null },
  { input: '10.96.0:53', want: null },
])('$input', ({ input, want }) => {
  const r = splitAddressPort(input)
  expect(r === null ? null : [r.ip.text, r.port]).toEqual(want)
})
