import { expect, test } from 'vitest'
import { Bitset } from '../engine/bitset.js'
import type { Identities } from '../engine/identities.js'
import { transposeIngress, type ClassMatrix } from './reachability.js'

test.each([
  [1, 1],
  [31, 5],
  [32, 33],
  [100, 70],
  [257, 3],
])('the ingress answers turned around, 32 × 32 bits at a time, equal them bit by bit (%i selector classes, %i address classes)', (nSel, nAddr) => {
  let seed = nSel * 7 + nAddr
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed / 2147483648)
  const random = (n: number, p: number) => {
    const b = new Bitset(n)
    for (let i = 0; i < n; i++) if (rnd() < p) b.add(i)
    return b
  }
  const inIsolated = Uint8Array.from({ length: nSel }, () => (rnd() < 0.3 ? 0 : 1))
  const inSel = Array.from({ length: nSel }, () => random(nSel, 0.2))
  const inAddr = Array.from({ length: nSel }, () => random(nAddr, 0.2))
  const ids = { selectorClasses: new Array(nSel), addressClasses: new Array(nAddr) } as unknown as Identities
  const t = transposeIngress(ids, { inIsolated, inSel, inAddr } as unknown as ClassMatrix)
  for (let d1 = 0; d1 < nSel; d1++) {
    expect(t.open.has(d1)).toBe(inIsolated[d1] === 0)
    for (let s1 = 0; s1 < nSel; s1++) expect(t.bySelector[s1]!.has(d1)).toBe(inIsolated[d1] === 1 && inSel[d1]!.has(s1))
    for (let s2 = 0; s2 < nAddr; s2++) expect(t.byAddress[s2]!.has(d1)).toBe(inIsolated[d1] === 1 && inAddr[d1]!.has(s2))
  }
})
