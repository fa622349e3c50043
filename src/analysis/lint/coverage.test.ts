import { describe, expect, test } from 'vitest'
import { allPorts, block, ipPeer, namedPort, nsPeer, podsPeer, port, sel } from '../../../test/builders.js'
import { blockCovers, peerCovers, portsCover, selectorImplies, selectsNamespaceByName } from './coverage.js'

const exists = (key: string) => ({ key, operator: 'Exists' as const, values: [] })
const inn = (key: string, ...values: string[]) => ({ key, operator: 'In' as const, values })
const notIn = (key: string, ...values: string[]) => ({ key, operator: 'NotIn' as const, values })

describe('selectorImplies(inner, outer): outer matches all inner matches', () => {
  test.each([
    { name: 'empty outer matches everything', inner: sel({ app: 'a' }), outer: sel(), want: true },
    { name: 'more requirements are narrower', inner: sel({ app: 'a', tier: 'b' }), outer: sel({ app: 'a' }), want: true },
    { name: 'fewer requirements are not', inner: sel({ app: 'a' }), outer: sel({ app: 'a', tier: 'b' }), want: false },
    { name: 'In a ⊂ In (a, b)', inner: sel({ app: 'a' }), outer: sel({}, [inn('app', 'a', 'b')]), want: true },
    { name: 'In (a, b) ⊄ In a', inner: sel({}, [inn('app', 'a', 'b')]), outer: sel({ app: 'a' }), want: false },
    { name: 'In implies Exists', inner: sel({ app: 'a' }), outer: sel({}, [exists('app')]), want: true },
    { name: 'In a implies NotIn b', inner: sel({ app: 'a' }), outer: sel({}, [notIn('app', 'b')]), want: true },
    { name: 'NotIn (a, b) implies NotIn a', inner: sel({}, [notIn('app', 'a', 'b')]), outer: sel({}, [notIn('app', 'a')]), want: true },
    { name: 'Exists does not imply In', inner: sel({}, [exists('app')]), outer: sel({ app: 'a' }), want: false },
  ])('$name', ({ inner, outer, want }) => expect(selectorImplies(inner, outer)).toBe(want))
})

test.each([
  { name: 'by name', s: sel({ 'kubernetes.io/metadata.name': 'shop' }), want: true },
  { name: 'any namespace', s: sel(), want: true },
  { name: 'another label: unknown', s: sel({ team: 'shop' }), want: false },
])('selectsNamespaceByName: $name', ({ s, want }) => expect(selectsNamespaceByName(s, 'shop')).toBe(want))

test.each([
  { name: 'inside', b: block('10.0.0.0/8'), a: block('10.1.0.0/16'), want: true },
  { name: 'outside', b: block('10.0.0.0/16'), a: block('10.1.0.0/16'), want: false },
  { name: 'b’s hole lands in a', b: block('10.0.0.0/8', ['10.1.2.0/24']), a: block('10.1.0.0/16'), want: false },
  { name: 'b’s hole is a’s hole too', b: block('10.0.0.0/8', ['10.1.2.0/24']), a: block('10.1.0.0/16', ['10.1.0.0/20']), want: true },
  { name: 'b’s hole elsewhere', b: block('10.0.0.0/8', ['10.9.0.0/16']), a: block('10.1.0.0/16'), want: true },
  { name: 'other family', b: block('::/0'), a: block('10.0.0.0/8'), want: false },
])('blockCovers: $name', ({ b, a, want }) => expect(blockCovers(b, a)).toBe(want))

test.each([
  { name: 'own ns, broader pods', b: podsPeer(sel()), a: podsPeer(sel({ app: 'a' })), want: true },
  { name: 'own ns vs other namespaces', b: podsPeer(sel()), a: nsPeer(sel({ team: 'x' })), want: false },
  { name: 'all namespaces cover the own one', b: nsPeer(sel()), a: podsPeer(sel({ app: 'a' })), want: true },
  { name: 'a namespace label may or may not hold for the own namespace', b: nsPeer(sel({ team: 'x' })), a: podsPeer(sel()), want: false },
  { name: 'narrower namespace selector', b: nsPeer(sel({ team: 'x' })), a: podsPeer(sel({ app: 'a' }), sel({ team: 'x', env: 'prod' })), want: true },
  { name: 'a selector never covers an address block', b: nsPeer(sel()), a: ipPeer('10.0.0.0/8'), want: false },
])('peerCovers: $name', ({ b, a, want }) => expect(peerCovers(b, a, 'shop')).toBe(want))

test.each([
  { name: 'any covers a list', b: 'any' as const, a: [port(80)], want: true },
  { name: 'a list does not cover any', b: [port(80)], a: 'any' as const, want: false },
  { name: 'all ports of every protocol cover any', b: [allPorts('TCP'), allPorts('UDP'), allPorts('SCTP')], a: 'any' as const, want: true },
  { name: 'a range covers a port inside', b: [port(8000, 'TCP', 8999)], a: [port(8080)], want: true },
  { name: 'protocols differ', b: [port(53, 'TCP')], a: [port(53, 'UDP')], want: false },
  { name: 'the same name', b: [namedPort('http')], a: [namedPort('http')], want: true },
  { name: 'a number never syntactically covers a name', b: [port(8080)], a: [namedPort('http')], want: false },
])('portsCover: $name', ({ b, a, want }) => expect(portsCover(b, a)).toBe(want))
