import { existsSync, readFileSync } from 'node:fs'
import { expect, test } from 'vitest'

test('every picture the README shows is in docs/screenshots/, taken by test/web/page.test.ts or collapsed.test.ts', () => {
  const readme = readFileSync('README.md', 'utf8')
  const pictures = [...readme.matchAll(/!\[[^\]]*\]\((docs\/screenshots\/[^)]+\.png)\)/g)].map((m) => m[1]!)
  expect(pictures.sort()).toEqual(['docs/screenshots/collapsed.png', 'docs/screenshots/explanation-zh.png', 'docs/screenshots/explanation.png', 'docs/screenshots/graph.png', 'docs/screenshots/whatif.png'])
  for (const p of pictures) expect(existsSync(p), p).toBe(true)
  const taken = ['page', 'collapsed'].flatMap((f) => [...readFileSync(`test/web/${f}.test.ts`, 'utf8').matchAll(/screenshot\(page, '([^']+)'\)/g)].map((m) => `docs/screenshots/${m[1]}.png`))
  expect(taken.sort()).toEqual(pictures)
})
