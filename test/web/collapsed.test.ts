/**
 * Class level with namespaces collapsed, in Chromium against the built `netpol serve` on the three-tier example
 * (forced with the toolbar's "Collapse namespaces": the example is far below the size at which the server
 * collapses by itself): each namespace is one node; a click opens it into its classes, whose edges explain as at
 * any level; an opened namespace closes again.
 */
import { describe, expect, test } from 'vitest'
import { browserSupports } from '../requirements.js'
import { clickEdgeForExplanation, clickElement, drawn, nodeOf, screenshot, choosePort, servedPages } from './browser.js'

const run = browserSupports('collapsed namespaces (test/web/collapsed.test.ts)')

describe.runIf(run)('netpol serve -f examples/three-tier/: class level, namespaces collapsed', () => {
  const site = servedPages(['-f', 'examples/three-tier/', '--port', '0'])

  test('open two namespaces, see their classes, click an edge and read its explanation; close one again', async () => {
    const { page, problems } = await site.open()
    await choosePort(page, '5432/TCP')
    await page.selectOption('.level-picker', 'class')
    await page.check('.collapse-toggle')
    const info = page.locator('.graph-info')
    await info.filter({ hasText: 'namespaces collapsed' }).waitFor({ timeout: 20_000 })
    expect(await info.textContent()).toMatch(/\(classes\).* · \d+ namespaces collapsed/)
    let { nodes } = await drawn(page)
    // every namespace is one node, marked collapsed, holding all its pods
    const backend = nodes.find((n) => n.id === 'backend')!
    expect(backend.classes).toContain('collapsed')
    expect(backend.pods).toEqual(expect.arrayContaining(['backend/api-5c4', 'backend/worker-3a9']))
    expect(nodes.filter((n) => n.id.includes('/class/'))).toEqual([])

    for (const ns of ['backend', 'database']) {
      await clickElement(page, ns)
      await page.locator(`.graph-info .chip[data-close="${ns}"]`).waitFor({ timeout: 20_000 })
    }
    ;({ nodes } = await drawn(page))
    expect(nodes.map((n) => n.id)).not.toContain('backend')
    expect(nodes.filter((n) => n.id.startsWith('backend/class/')).length).toBeGreaterThan(1)
    expect(nodes.find((n) => n.id === 'frontend')?.classes).toContain('collapsed')
    const api = await nodeOf(page, 'backend/api-5c4')
    const db = await nodeOf(page, 'database/postgres-0')
    expect(api.id).toMatch(/^backend\/class\//)
    expect(db.id).toMatch(/^database\/class\//)
    expect(api.label).toContain('app=api')

    await clickEdgeForExplanation(page, `${api.id}->${db.id}`)
    const text = (await page.locator('.why-result .explain').textContent()) ?? ''
    expect(text).toContain('ALLOWED')
    expect(text).toContain('database/postgres-from-api ingress[0]')
    expect(text).toContain('backend/api-egress egress[0]')
    await screenshot(page, 'collapsed')

    // a class is described as at any level
    await clickElement(page, db.id)
    await expect(page.locator('.why-describe h3').textContent({ timeout: 10_000 })).resolves.toBe('database/postgres-0')

    await page.click('.graph-info .chip[data-close="backend"]')
    await page.locator('.graph-info .chip[data-close="backend"]').waitFor({ state: 'detached', timeout: 20_000 })
    ;({ nodes } = await drawn(page))
    expect(nodes.find((n) => n.id === 'backend')?.classes).toContain('collapsed')
    expect(nodes.filter((n) => n.id.startsWith('backend/class/'))).toEqual([])
    expect(nodes.filter((n) => n.id.startsWith('database/class/')).length).toBeGreaterThan(0)
    // another port keeps what is opened
    await choosePort(page, '8080/TCP')
    ;({ nodes } = await drawn(page))
    expect(nodes.filter((n) => n.id.startsWith('database/class/')).length).toBeGreaterThan(0)
    expect(nodes.find((n) => n.id === 'backend')?.classes).toContain('collapsed')
    expect(problems).toEqual([])
  })
})
