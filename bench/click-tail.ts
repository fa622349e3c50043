/**
 * Where the tail of "click an edge → its explanation" is: the page or the driver. Clicks one edge `clicks` times
 * in one page (its explanation removed before each) and times each click three ways:
 * - driver: the mouse press sent over the DevTools protocol → the driver sees `.why-result .explain` (what the
 *   bench's "click → explanation" figure is);
 * - page: the press event's own time stamp → the frame that painted the explanation (the page's marks
 *   `netpol:edge-pressed`, `netpol:explanation-painted`);
 * - event timing (a PerformanceObserver on `event` entries, the browser's own record of each input): for the
 *   press and the click, the delay before their handlers ran, the handlers, and the next paint after them.
 * And, as the driver's floor, a round trip that does nothing in the page (`page.evaluate(() => 0)`) and a wait
 * for a selector already in the document.
 */
import type { Page } from 'playwright-core'
import { elementPoint } from '../test/web/browser.js'

export interface ClickTail {
  readonly driver: number[]
  readonly page: number[]
  /** of `page`: the press → the check's answer in the page (the request, asked on the press), and the answer → painted */
  readonly answer: number[]
  readonly paint: number[]
  /** per event type: input delay (start → handlers), handlers, whole duration (start → next paint); only those ≥ 16 ms are recorded by the browser */
  readonly events: Record<string, { delay: number[]; handlers: number[]; duration: number[]; seen: number }>
  readonly roundTrip: number[]
  readonly waitPresent: number[]
}

interface EventEntry { name: string; startTime: number; processingStart: number; processingEnd: number; duration: number }

export async function clickTail(page: Page, edge: string, clicks: number): Promise<ClickTail> {
  await page.evaluate(() => {
    const g = globalThis as unknown as { netpolEvents: EventEntry[]; PerformanceObserver: new (f: (l: { getEntries(): EventEntry[] }) => void) => { observe(o: object): void } }
    g.netpolEvents = []
    new g.PerformanceObserver((l) => g.netpolEvents.push(...l.getEntries().map((e) => ({ name: e.name, startTime: e.startTime, processingStart: e.processingStart, processingEnd: e.processingEnd, duration: e.duration })))).observe({ type: 'event', durationThreshold: 16 })
  })
  const out: ClickTail = { driver: [], page: [], answer: [], paint: [], events: {}, roundTrip: [], waitPresent: [] }
  const at = await elementPoint(page, edge)
  for (let i = 0; i < clicks; i++) {
    await page.evaluate(() => (globalThis as unknown as { document: { querySelector(s: string): { remove(): void } | null } }).document.querySelector('.why-result .explain')?.remove())
    const painted = await page.evaluate(() => performance.getEntriesByName('netpol:explanation-painted').length)
    const since = await page.evaluate(() => performance.now())
    await page.mouse.move(at.x, at.y)
    const t = performance.now()
    await page.mouse.down()
    await page.mouse.up()
    await page.waitForSelector('.why-result .explain', { timeout: 30_000 })
    out.driver.push(performance.now() - t)
    await page.waitForFunction((n) => performance.getEntriesByName('netpol:explanation-painted').length > n, painted)
    const r = await page.evaluate((since) => {
      const g = globalThis as unknown as { netpolEvents: EventEntry[] }
      const at = (n: string) => performance.getEntriesByName(`netpol:${n}`).at(-1)!.startTime
      return { inPage: at('explanation-painted') - at('edge-pressed'), answer: at('check-answered') - at('edge-pressed'), paint: at('explanation-painted') - at('check-answered'), events: g.netpolEvents.filter((e) => e.startTime >= since) }
    }, since)
    out.page.push(r.inPage)
    out.answer.push(r.answer)
    out.paint.push(r.paint)
    for (const e of r.events) {
      const x = (out.events[e.name] ??= { delay: [], handlers: [], duration: [], seen: 0 })
      x.seen++
      x.delay.push(e.processingStart - e.startTime)
      x.handlers.push(e.processingEnd - e.processingStart)
      x.duration.push(e.duration)
    }
    let t2 = performance.now()
    await page.evaluate(() => 0)
    out.roundTrip.push(performance.now() - t2)
    t2 = performance.now()
    await page.waitForSelector('.why-result .explain')
    out.waitPresent.push(performance.now() - t2)
    await page.waitForTimeout(150)
  }
  return out
}
