import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { PROJECT_ROOT } from '../cli/built-cli.js'
import { CHROMIUM } from '../requirements.js'
import { startServe, type ServeProcess } from '../serve/built-serve.js'

/** Debian's Chromium driven by playwright-core; root needs --no-sandbox. */
export const launchBrowser = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })

/**
 * The built `netpol serve ARGS` and a browser for the tests of the describe block that calls this: both started
 * before its tests and stopped after them, every page closed after each test. `open` opens the served page.
 */
export function servedPages(args: readonly string[]): { open(opts?: { lang?: string }): Promise<OpenPage> } {
  let served: ServeProcess | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    ;[served, browser] = await Promise.all([startServe([...args]), launchBrowser()])
  }, 90_000)
  afterEach(closePages)
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
  })
  return { open: (opts) => openPage(browser!, served!.url, opts) }
}

export interface OpenPage {
  readonly page: Page
  /** console errors and uncaught exceptions (a CSP refusal shows up here) */
  readonly problems: string[]
}

const contexts = new Set<BrowserContext>()

/** Closes every page {@link openPage} opened (for afterEach: a failed test leaves none behind). */
export async function closePages(): Promise<void> {
  await Promise.all([...contexts].map((c) => c.close()))
  contexts.clear()
}

/** A new page at `url` in a context of its own, resolved once the first graph is painted (body[data-graph=ready]). */
export async function openPage(browser: Browser, url: string, opts: { lang?: string } = {}): Promise<OpenPage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, acceptDownloads: true, locale: opts.lang ?? 'en-US' })
  contexts.add(context)
  // run under tsx (the benches), esbuild keeps function names by wrapping named functions in `__name(…)`, which
  // the callbacks given to page.evaluate then call in the page: give the page that helper too
  await context.addInitScript({ content: 'globalThis.__name ??= (f) => f' })
  const page = await context.newPage()
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))
  await page.goto(url)
  await page.waitForSelector('body[data-graph=ready]', { timeout: 30_000 })
  return { page, problems }
}

/** An element of the page's cytoscape graph, as far as the tests read it. */
interface CyElement {
  id(): string
  data(k: string): unknown
  classes(): string[]
  hasClass(c: string): boolean
  empty(): boolean
  nonempty(): boolean
  isNode(): boolean
  renderedPosition(): { x: number; y: number }
  renderedMidpoint(): { x: number; y: number }
  renderedSourceEndpoint(): { x: number; y: number }
  renderedTargetEndpoint(): { x: number; y: number }
  renderedBoundingBox(): { x1: number; x2: number; y1: number; y2: number }
}
interface DomNode {
  querySelector(s: string): (DomNode & { textContent: string | null; innerText: string; shadowRoot: DomNode | null }) | null
  querySelectorAll(s: string): ArrayLike<DomNode & { getAttribute(n: string): string | null }>
  getBoundingClientRect(): { left: number; top: number }
}
/**
 * The browser globals the in-page callbacks use, typed here because the tests' tsconfig has no DOM library:
 * write `const g = globalThis as unknown as PageGlobals` inside a callback given to page.evaluate.
 */
export interface PageGlobals {
  netpolGraph: { nodes(): CyElement[]; edges(): CyElement[]; getElementById(id: string): CyElement; container(): DomNode }
  document: DomNode & { documentElement: { lang: string; nodeName: string } }
  DOMParser: new () => { parseFromString(text: string, type: string): DomNode & { documentElement: { nodeName: string } } }
}

export interface DrawnElement {
  readonly id: string
  readonly label?: string
  readonly pods?: string[]
  readonly classes: string[]
}

/** What the graph draws now: nodes (without namespace boxes) and edges, from the page's cytoscape instance. */
export function drawn(page: Page): Promise<{ nodes: DrawnElement[]; edges: DrawnElement[] }> {
  return page.evaluate(() => {
    const cy = (globalThis as unknown as PageGlobals).netpolGraph
    return {
      nodes: cy.nodes().filter((n) => !n.hasClass('group')).map((n) => ({ id: n.id(), label: String(n.data('label')), pods: n.data('pods') as string[], classes: n.classes() })),
      edges: cy.edges().map((e) => ({ id: e.id(), classes: e.classes() })),
    }
  })
}

/**
 * Clicks a node or an edge where it is drawn, as a user would: for an edge, a point along it that no node covers
 * (a layout may draw an edge under another node).
 */
export async function clickElement(page: Page, id: string): Promise<void> {
  const at = await elementPoint(page, id)
  await page.mouse.click(at.x, at.y)
}

/**
 * Clicks the edge `id` until the Why tab shows an explanation, at most three times. One click in about twenty
 * (fcose lays the example out anew on each load) lands where cytoscape's hit test finds no edge although the point
 * is on the edge's curve; a user clicks again, and so does this helper. The explanation's text is then the test's.
 */
export async function clickEdgeForExplanation(page: Page, id: string): Promise<void> {
  const explain = page.locator('.why-result .explain')
  for (let attempt = 1; ; attempt++) {
    await clickElement(page, id)
    try {
      await explain.waitFor({ timeout: attempt < 3 ? 3_000 : 10_000 })
      return
    } catch (e) {
      if (attempt >= 3) throw e
    }
  }
}

/** Where on the page a click hits the graph's element `id` (an edge: a point of it no node covers). */
export async function elementPoint(page: Page, id: string): Promise<{ x: number; y: number }> {
  const at = await page.evaluate((id) => {
    const cy = (globalThis as unknown as PageGlobals).netpolGraph
    const el = cy.getElementById(id)
    if (el.empty()) return null
    const box = cy.container().getBoundingClientRect()
    if (el.isNode()) {
      const p = el.renderedPosition()
      return { x: box.left + p.x, y: box.top + p.y }
    }
    const a = el.renderedSourceEndpoint()
    const b = el.renderedTargetEndpoint()
    // a bezier edge (two edges between one pair of nodes curve apart) bends through its control point: points
    // of the straight line between its ends would miss it; a point at t is (1-t)²·a + 2(1-t)t·c + t²·b
    // (cytoscape throws instead of answering for an edge drawn straight: it has no control point)
    let cps: { x: number; y: number }[] | undefined
    try {
      cps = (el as unknown as { renderedControlPoints(): { x: number; y: number }[] | undefined }).renderedControlPoints()
    } catch {
      cps = undefined
    }
    const c = cps !== undefined && cps.length === 1 ? cps[0]! : null
    const at = (k: number) =>
      c === null
        ? { x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k }
        : { x: (1 - k) ** 2 * a.x + 2 * (1 - k) * k * c.x + k ** 2 * b.x, y: (1 - k) ** 2 * a.y + 2 * (1 - k) * k * c.y + k ** 2 * b.y }
    const covers = cy.nodes().filter((n) => !n.hasClass('group')).map((n) => n.renderedBoundingBox())
    for (const k of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
      const m = k === 0.5 ? el.renderedMidpoint() : at(k)
      if (!covers.some((c) => m.x >= c.x1 - 4 && m.x <= c.x2 + 4 && m.y >= c.y1 - 4 && m.y <= c.y2 + 4)) return { x: box.left + m.x, y: box.top + m.y }
    }
    const m = el.renderedMidpoint()
    return { x: box.left + m.x, y: box.top + m.y }
  }, id)
  if (at === null) throw new Error(`the graph draws no element ${id}`)
  return at
}

/** With NETPOL_SCREENSHOTS=1: the page as docs/screenshots/NAME.png (shown in the README). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.NETPOL_SCREENSHOTS !== '1') return
  const dir = join(PROJECT_ROOT, 'docs', 'screenshots')
  mkdirSync(dir, { recursive: true })
  await page.screenshot({ path: join(dir, `${name}.png`) })
}

/** The drawn node holding a pod ("ns/name"). */
export async function nodeOf(page: Page, pod: string): Promise<DrawnElement> {
  const n = (await drawn(page)).nodes.find((x) => x.pods?.includes(pod))
  if (!n) throw new Error(`no drawn node holds ${pod}`)
  return n
}

/** Picks the graph's port and waits until the graph drawn is the one for that port. */
export async function choosePort(page: Page, port: string): Promise<void> {
  await page.selectOption('.port-picker', port)
  await page.waitForSelector(`body[data-graph-port="${port}"]`, { timeout: 20_000 })
}
