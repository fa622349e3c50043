/**
 * Live, in Chromium: the page on `netpol serve --kubeconfig` (the test suite's FAKE API server with the three-tier
 * example); a pod added on the cluster appears in the graph in place, every other node where it was.
 */
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { Browser } from 'playwright-core'
import { writeFakeKubeconfig } from '../fake-apiserver/index.js'
import { fakeApiServer } from '../fake-apiserver/fixture.js'
import { browserSupports } from '../requirements.js'
import { scratchDir } from '../scratch-dir.js'
import { startServe } from '../serve/built-serve.js'
import { closePages, launchBrowser, openPage, type PageGlobals } from './browser.js'

const run = browserSupports('the live page (test/web/live.test.ts)')

describe.runIf(run)('netpol serve --kubeconfig in Chromium: live', () => {
  const api = fakeApiServer()
  const dir = scratchDir('netpol-web-live-')
  let browser: Browser
  beforeAll(async () => {
    browser = await launchBrowser()
  })
  afterEach(closePages)
  afterAll(async () => {
    await browser?.close()
  })

  test('a pod added on the cluster appears in the graph, and the other nodes keep their places', async () => {
    const s = await startServe(['--kubeconfig', writeFakeKubeconfig(join(dir.path(), 'kubeconfig'), api.server), '--port', '0'])
    try {
      const { page, problems } = await openPage(browser, s.url)
      await expect(page.locator('header .live').isVisible()).resolves.toBe(true)
      const positions = () =>
        page.evaluate(() => {
          const cy = (globalThis as unknown as PageGlobals).netpolGraph as unknown as { nodes(): { id(): string; hasClass(c: string): boolean; position(): { x: number; y: number } }[] }
          return Object.fromEntries(cy.nodes().filter((n) => !n.hasClass('group')).map((n) => [n.id(), n.position()]))
        })
      const before = await positions()
      api.server.apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'api-9z9', namespace: 'backend', labels: { app: 'api', tier: 'backend' } },
        spec: { containers: [{ name: 'api', ports: [{ containerPort: 8080 }] }] },
        status: { phase: 'Running', podIP: '10.0.1.99', podIPs: [{ ip: '10.0.1.99' }] },
      })
      await page.locator('header .source', { hasText: '9 pods' }).waitFor({ timeout: 20_000 })
      await page.waitForFunction(() => {
        const cy = (globalThis as unknown as PageGlobals).netpolGraph
        return cy.nodes().some((n) => ((n.data('pods') as string[] | undefined) ?? []).includes('backend/api-9z9'))
      }, undefined, { timeout: 20_000 })
      const after = await positions()
      for (const [id, p] of Object.entries(before)) {
        if (!(id in after)) continue
        expect(after[id], id).toEqual(p)
      }
      expect(problems).toEqual([])
    } finally {
      await s.stop()
    }
  })
})
