/**
 * The page on the 10,000-pod / 10,000-policy generated cluster (seed 1), measured in Chromium as a user meets it:
 *   npm run build && npx tsx bench/serve-browser-bench.ts [--rounds 5]
 * - first paint: navigation start → the class graph drawn (the page's `netpol:graph-painted` mark), goal ≤ 2 s;
 * - click → explanation: a click on an edge → the `check` explanation on screen, goal ≤ 100 ms;
 * - what-if: one policy edited in the editor, the same deleted, one added → the diff counts on screen, goal ≤ 1 s.
 * Cold: each round a FRESH server (as a user starts it) and a fresh browser context: the URL line → the graph
 * painted (the page opened at once, on the port the server proposes; the time includes the browser context's
 * creation), and the first click on a node → its description. Warm: one server, a fresh browser context per
 * round. Medians over the rounds. Baseline in the same run: the same API requests from Node (fetch), so the
 * page's own share (transfer into the browser, JSON parsing, drawing) is visible.
 * The click is timed from the mouse press (the point to click is found and the pointer moved there before) to the
 * explanation in the document as the driver sees it, and in the page from the press event's time to the frame
 * that painted the explanation. A/B in the same page: each round clicks the edge twice with the page's own edge
 * clicks and twice with cytoscape handling the mouse (the container marked `data-edge-clicks="cytoscape"`), which
 * redraws the graph on press and release (web/src/edge-clicks.ts).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { parse, stringify } from 'yaml'
import { generateCluster, renderCluster } from './generate-cluster.js'
import { PROJECT_ROOT } from '../test/cli/built-cli.js'
import { choosePort, clickElement, elementPoint, launchBrowser, openPage, type PageGlobals } from '../test/web/browser.js'
import { startServe } from '../test/serve/built-serve.js'
import { clickTail, type ClickTail } from './click-tail.js'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, quick: { type: 'boolean', default: false } } })
const rounds = Number(values.rounds)
/** --quick: the warm rounds without the what-ifs, no cold rounds */
const quick = values.quick
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.9) - 1)]!
const ms = (x: number) => `${x.toFixed(0)} ms`

const file = join(PROJECT_ROOT, 'bench', 'out', 'cluster-10k-seed1.json')
if (!existsSync(file)) {
  mkdirSync(join(PROJECT_ROOT, 'bench', 'out'), { recursive: true })
  writeFileSync(file, renderCluster(generateCluster({ seed: 1, pods: 10_000, namespaces: 200, policies: 10_000 }), 'json'))
}

const KINDS = ['edit', 'delete', 'add'] as const
type Api = (path: string, init?: RequestInit) => Promise<{ ms: number; body: unknown; bytes: number }>

/**
 * The three what-ifs, as the page makes them: the first policy by name with every ingress rule removed (edited in
 * the editor), the same policy deleted, and a policy added that opens the pods of that policy to every pod on
 * the graph's port.
 */
async function whatIfCases(api: Api, port: string) {
  const names = ((await api('/api/cluster')).body as { policies: { namespace: string; name: string }[] }).policies.map((p) => `${p.namespace}/${p.name}`).sort()
  const policy = names[0]!
  const source = ((await api(`/api/policies?policy=${encodeURIComponent(policy)}`)).body as { policies: { yaml: string }[] }).policies[0]!.yaml
  const doc = parse(source) as { spec: { ingress?: unknown[] } }
  doc.spec.ingress = []
  const edited = stringify(doc)
  // the pods that policy selects opened to every pod on the port (every namespace of the cluster isolates its pods)
  const ns = policy.split('/')[0]!
  const [number, protocol] = port.split('/')
  const selector = JSON.stringify((parse(source) as { spec: { podSelector?: unknown } }).spec.podSelector ?? {})
  const added = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: bench-allow-all\n  namespace: ${ns}\nspec:\n  podSelector: ${selector}\n  ingress:\n  - from: [{namespaceSelector: {}}]\n    ports: [{port: ${number}, protocol: ${protocol}}]\n`
  return {
    edit: { pick: policy, yaml: edited, button: 'apply-edit', change: { op: 'edit', policy, yaml: edited }, what: `${policy} with no ingress rule` },
    delete: { pick: policy, yaml: undefined, button: 'delete', change: { op: 'delete', policy }, what: `${policy} deleted` },
    add: { pick: '', yaml: added, button: 'apply-add', change: { op: 'add', yaml: added }, what: `${ns}/bench-allow-all: its pods open to every pod on ${port}` },
  }
}

const browser = await launchBrowser()
type BenchPage = Awaited<ReturnType<typeof openPage>>['page']
/** the first node in view that is not a collapsed namespace (a class of one opened): its id and the drawing's size */
const firstNode = (page: BenchPage) => page.evaluate(() => {
  const cy = (globalThis as unknown as PageGlobals).netpolGraph as unknown as PageGlobals['netpolGraph'] & { width(): number; height(): number }
  const inView = (x: { renderedPosition(): { x: number; y: number } }) => {
    const p = x.renderedPosition()
    return p.x > 20 && p.y > 20 && p.x < cy.width() - 20 && p.y < cy.height() - 20
  }
  const n = cy.nodes().filter((x) => !x.hasClass('group') && !x.hasClass('collapsed') && !x.hasClass('external') && inView(x))[0]!
  return { node: n.id(), nodes: cy.nodes().length, edges: cy.edges().length }
})
/** the first collapsed namespace of the drawing in view */
const collapsedNode = (page: BenchPage) => page.evaluate(() => {
  const cy = (globalThis as unknown as PageGlobals).netpolGraph as unknown as PageGlobals['netpolGraph'] & { width(): number; height(): number }
  const inView = (x: { renderedPosition(): { x: number; y: number } }) => {
    const p = x.renderedPosition()
    return p.x > 20 && p.y > 20 && p.x < cy.width() - 20 && p.y < cy.height() - 20
  }
  return cy.nodes().filter((x) => x.hasClass('collapsed') && inView(x))[0]?.id() ?? null
})
/**
 * Opens a collapsed namespace in view with a click: the time from the click to its classes drawn (the driver
 * sees the namespace's chip in the info line), in the page from the request to the drawing settled, and the
 * /api/graph request's own time (resource timing).
 */
async function openNamespace(page: BenchPage): Promise<{ ns: string; driver: number; inPage: number; request: number; classes: number }> {
  const ns = await collapsedNode(page)
  if (ns === null) throw new Error('the graph has no collapsed namespace')
  const at = await elementPoint(page, ns)
  const [before, askedBefore] = (await page.evaluate(() => ['opened', 'open-asked'].map((n) => performance.getEntriesByName(`netpol:namespace-${n}`).length))) as [number, number]
  await page.mouse.move(at.x, at.y)
  let t = performance.now()
  // a press held past cytoscape's taphold time (a stall of the loaded machine between the driver's press and
  // release) is no tap: then the click again, timed from there
  for (let attempt = 1; ; attempt++) {
    t = performance.now()
    await page.mouse.down()
    await page.mouse.up()
    const asked = await page.waitForFunction((n) => performance.getEntriesByName('netpol:namespace-open-asked').length > n, askedBefore, { timeout: 5_000 }).then(() => true, () => false)
    if (asked || attempt === 3) break
    console.log(`(opening ${ns}: the click was no tap, clicked again)`)
  }
  await page.locator(`.graph-info .chip[data-close="${ns}"]`).waitFor({ timeout: 60_000 }).catch(async (e) => {
    const marks = await page.evaluate(() => performance.getEntries().filter((x) => x.name.startsWith('netpol:') || x.name.includes('/api/')).map((x) => `${x.name.replace(/^https?:\/\/[^/]+/, '')} at ${Math.round(x.startTime)} ms (${Math.round(x.duration)} ms)`))
    console.log(`opening ${ns} failed: the page shows "${await page.locator('.graph-info').textContent()}", errors "${await page.locator('.error-bar').textContent()}"; ${marks.join('; ')}`)
    throw e
  })
  const driver = performance.now() - t
  await page.waitForFunction((n) => performance.getEntriesByName('netpol:namespace-opened').length > n, before)
  const split = await page.evaluate((ns) => {
    const at = (n: string) => performance.getEntriesByName(`netpol:namespace-${n}`).at(-1)!.startTime
    const req = performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/graph') && r.name.includes(`open=${encodeURIComponent(ns)}`)).at(-1)
    const g = globalThis as unknown as PageGlobals
    return { inPage: at('opened') - at('open-asked'), request: req ? req.duration : NaN, classes: g.netpolGraph.nodes().filter((x) => x.id().startsWith(`${ns}/class/`)).length }
  }, ns)
  return { ns, driver, ...split }
}
// cold: a fresh server per round, the page opened as soon as the URL line is printed
const cold = { url: [] as number[], paint: [] as number[], open: [] as number[], describe: [] as number[] }
for (let r = 0; r < (quick ? 0 : rounds); r++) {
  const t0 = performance.now()
  const fresh = await startServe(['-f', file, '--port', '0'])
  const tUrl = performance.now()
  cold.url.push(tUrl - t0)
  try {
    const { page } = await openPage(browser, fresh.url)
    cold.paint.push(performance.now() - tUrl)
    // the graph opens at class level with every namespace collapsed: a namespace opened, then one of its classes
    cold.open.push((await openNamespace(page)).driver)
    const pick = await firstNode(page)
    await clickElement(page, pick.node)
    const t = performance.now()
    await page.waitForSelector('.why-describe h3', { timeout: 300_000 })
    cold.describe.push(performance.now() - t)
    await page.context().close()
  } finally {
    await fresh.stop()
  }
}
if (!quick) console.log(`cold (a fresh server per round), ${rounds} rounds, medians: start → URL line ${ms(median(cold.url))}; URL line → graph painted ${ms(median(cold.paint))} (goal ≤ 2000 ms); a namespace opened ${ms(median(cold.open))} (goal ≤ 1000 ms); first click on a class → described ${ms(median(cold.describe))} (goal ≤ 1000 ms)`)

const t0 = performance.now()
const served = await startServe(['-f', file, '--port', '0'])
console.log(`warm: netpol serve -f ${file}: URL after ${ms(performance.now() - t0)}`)
try {
  const api = async (path: string, init?: RequestInit) => {
    const t = performance.now()
    const res = await fetch(new URL(path, served.url), init)
    const text = await res.text()
    if (!res.ok) throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`)
    return { ms: performance.now() - t, body: JSON.parse(text) as unknown, bytes: text.length }
  }
  // the page opens on the port the server proposes (the most used one at this size); the what-if and the click
  // run on it too: on "any port" a what-if here takes about a minute
  const port0 = ((await api('/api/cluster')).body as { defaultPort: string }).defaultPort
  const version = ((await api('/api/cluster')).body as { version: number }).version
  const whatIfs = await whatIfCases(api, port0)
  const first = await api(`/api/graph?port=${encodeURIComponent(port0)}&level=auto`)
  console.log(`the server's first /api/graph on ${port0}: ${ms(first.ms)} (computed before the URL line); the rounds below start warm`)
  const paint: number[] = []
  const tails: ClickTail[] = []
  /** the old opening, in the same run: the page asked for the namespace level (?level=namespace) */
  const paintNs: number[] = []
  const opens = { driver: [] as number[], inPage: [] as number[], request: [] as number[] }
  let opened = ''
  type ClickMode = 'cytoscape' | 'page'
  const click = { cytoscape: [] as number[], page: [] as number[] }
  const inPage = { cytoscape: [] as number[], page: [] as number[] }
  const asked = { cytoscape: [] as number[], page: [] as number[] }
  const whatif = { edit: [] as number[], delete: [] as number[], add: [] as number[] }
  const sizes: Record<string, string> = {}
  const whatifAsked = { edit: [] as number[], delete: [] as number[], add: [] as number[] }
  const whatifDrawn = { edit: [] as number[], delete: [] as number[], add: [] as number[] }
  const describe: number[] = []
  const base = { graph: [] as number[], check: [] as number[], whatif: { edit: [] as number[], delete: [] as number[], add: [] as number[] }, describe: [] as number[] }
  let shape = ''
  for (let r = 0; r < rounds; r++) {
    const { page, problems } = await openPage(browser, served.url)
    paint.push(await page.evaluate(() => performance.getEntriesByName('netpol:graph-painted')[0]!.startTime))
    const level = await page.locator('.graph-info').textContent()
    // two namespaces opened into their classes, one after the other
    for (let k = 0; k < 2; k++) {
      const o = await openNamespace(page)
      opens.driver.push(o.driver)
      opens.inPage.push(o.inPage)
      opens.request.push(o.request)
      opened = `${o.ns}: ${o.classes} classes; ${level?.split(' · ').slice(0, 2).join(' · ')}`
    }
    await choosePort(page, port0)
    // a node first (above the edge limit only the selected node's edges are drawn), then one of its edges
    const pick = await firstNode(page)
    let t = 0
    await clickElement(page, pick.node)
    // the node's description (policies, lint findings) first, as a user reads it before clicking on
    t = performance.now()
    await page.waitForSelector('.why-describe h3', { timeout: 300_000 })
    describe.push(performance.now() - t)
    // one to a collapsed namespace whose middle is in view (an edge to a far namespace may leave the view; one
    // between two neighbours of an opened namespace's grid is short)
    const edge = await page.evaluate((id) => {
      type E = { id(): string; data(k: string): string; renderedMidpoint(): { x: number; y: number } }
      const cy = (globalThis as unknown as PageGlobals).netpolGraph as unknown as { width(): number; height(): number; getElementById(id: string): { connectedEdges(): E[]; hasClass(c: string): boolean } }
      const inView = (p: { x: number; y: number }) => p.x > 40 && p.y > 40 && p.x < cy.width() - 40 && p.y < cy.height() - 40
      const es = cy.getElementById(id).connectedEdges().filter((e) => e.data('source') !== e.data('target') && inView(e.renderedMidpoint()))
      const far = (e: E) => cy.getElementById(e.data('source') === id ? e.data('target') : e.data('source')).hasClass('collapsed')
      return (es.find(far) ?? es[0])?.id() ?? null
    }, pick.node)
    if (edge === null) throw new Error(`node ${pick.node} draws no edge to another node`)
    // A/B in this page: the edge clicked twice with cytoscape handling the mouse (the baseline) and twice with the
    // page's own edge clicks, in alternating order; before each, the node is clicked again and its description awaited
    const order: ClickMode[] = r % 2 === 0 ? ['cytoscape', 'page', 'page', 'cytoscape'] : ['page', 'cytoscape', 'cytoscape', 'page']
    for (const mode of order) {
      await page.evaluate((m) => {
        const g = globalThis as unknown as PageGlobals
        const box = g.document.querySelector('#cy') as unknown as { dataset: Record<string, string> }
        if (m === 'cytoscape') box.dataset.edgeClicks = 'cytoscape'
        else delete box.dataset.edgeClicks
        for (const s of ['.why-result .explain', '.why-describe h3']) (g.document.querySelector(s) as unknown as { remove(): void } | null)?.remove()
      }, mode)
      await clickElement(page, pick.node)
      await page.waitForSelector('.why-describe h3', { timeout: 300_000 })
      await page.waitForTimeout(300)
      const at = await elementPoint(page, edge)
      const painted = await page.evaluate(() => performance.getEntriesByName('netpol:explanation-painted').length)
      // the pointer is over the edge before the clock starts, as a user's is before they press
      await page.mouse.move(at.x, at.y)
      t = performance.now()
      await page.mouse.down()
      await page.mouse.up()
      await page.waitForSelector('.why-result .explain', { timeout: 30_000 })
      click[mode].push(performance.now() - t)
      // in the page: the press's event time → the frame that painted the explanation has passed
      await page.waitForFunction((n) => performance.getEntriesByName('netpol:explanation-painted').length > n, painted)
      inPage[mode].push(await page.evaluate(() => performance.getEntriesByName('netpol:explanation-painted').at(-1)!.startTime - performance.getEntriesByName('netpol:edge-pressed').at(-1)!.startTime))
      asked[mode].push(await page.evaluate(() => performance.getEntriesByName('netpol:check-answered').at(-1)!.startTime - performance.getEntriesByName('netpol:check-asked').at(-1)!.startTime))
    }
    // the tail: the same edge clicked again and again in this page (the page's edge clicks), ≥ 20 clicks in all
    const tail = await clickTail(page, edge, Math.ceil(20 / rounds))
    tails.push(tail)
    const [from, to, port] = (await Promise.all(['.why .from', '.why .to', '.why .port'].map((s) => page.inputValue(s)))) as [string, string, string]
    if (!quick) {
      await page.click('button[data-tab=whatif]')
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('.policy-picker option').length > 1, undefined, { timeout: 120_000 })
      await page.waitForSelector('.editor .cm-content')
    }
    for (const kind of quick ? [] : KINDS) {
      const c = whatIfs[kind]
      await page.selectOption('.policy-picker', c.pick)
      // the policy's text in the editor first (a picked policy loads its own: JSON, as the cluster was read; the
      // buttons are drawn again when it arrives, so a click before then may hit one being replaced)
      await page.locator('.editor .cm-content', { hasText: c.pick ? c.pick.split('/')[1]! : 'new-policy' }).waitFor({ timeout: 60_000 })
      if (c.yaml !== undefined) {
        // then the edited text typed over it
        await page.locator('.editor .cm-content').click()
        await page.keyboard.press('Control+a')
        await page.keyboard.insertText(c.yaml)
      }
      await page.waitForSelector(`button[data-action=${c.button}]`)
      t = performance.now()
      await page.click(`button[data-action=${c.button}]`)
      await page.waitForSelector('.diff-counts', { timeout: 300_000 })
      whatif[kind].push(performance.now() - t)
      const split = await page.evaluate(() => {
        const at = (n: string) => performance.getEntriesByName(`netpol:whatif-${n}`).at(-1)!.startTime
        return { asked: at('answered') - at('asked'), drawn: at('drawn') - at('answered') }
      })
      whatifAsked[kind].push(split.asked)
      whatifDrawn[kind].push(split.drawn)
      await page.click('button[data-action=reset]')
      await page.locator('.whatif-status', { hasText: 'No changes yet.' }).waitFor({ timeout: 300_000 })
    }
    if (problems.length) console.log(`round ${r}: page problems: ${problems.join(' | ')}`)
    await page.context().close()
    const old = await openPage(browser, new URL('?level=namespace', served.url).toString())
    paintNs.push(await old.page.evaluate(() => performance.getEntriesByName('netpol:graph-painted')[0]!.startTime))
    await old.page.context().close()
    // the same requests from Node
    const g = await api(`/api/graph?port=${encodeURIComponent(port0)}&level=auto`)
    base.graph.push(g.ms)
    base.check.push((await api(`/api/check?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}${port ? `&port=${encodeURIComponent(port)}` : ''}`)).ms)
    base.describe.push((await api(`/api/describe/pod?pod=${encodeURIComponent(from)}`)).ms)
    // the whole what-if graph (as the page asked before it sent the version of the graph it holds)
    for (const kind of quick ? [] : KINDS) {
      const w = await api('/api/whatif', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ changes: [whatIfs[kind].change], port: port0 }) })
      base.whatif[kind].push(w.ms)
      sizes[kind] = `${(w.bytes / 1e6).toFixed(1)} MB whole, ${((await api('/api/whatif', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ changes: [whatIfs[kind].change], port: port0, since: version, diffChanges: 50 }) })).bytes / 1e3).toFixed(0)} kB as the page asks (its version, 50 changes)`
    }
    const gr = g.body as { level: string; nodes: unknown[]; edges: unknown[] }
    shape = `${gr.level} level: ${gr.nodes.length} nodes, ${gr.edges.length} edges (${(g.bytes / 1e6).toFixed(1)} MB of JSON); drawn ${pick.nodes} nodes incl. namespace boxes, ${pick.edges} edges`
  }
  console.log(`graph on ${port0}: ${shape}`)
  console.log(`${rounds} rounds, medians          page      API from Node   goal`)
  console.log(`first paint of the graph   ${ms(median(paint)).padStart(8)}   ${ms(median(base.graph)).padStart(8)} (graph)   ≤ 2000 ms  (navigation → painted, on ${port0} as the page opens: class level, namespaces collapsed; p90 ${ms(p90(paint))})`)
  console.log(`  baseline: namespace level  ${ms(median(paintNs)).padStart(8)}                        (the old opening, ?level=namespace; p90 ${ms(p90(paintNs))})`)
  console.log(`open a namespace           ${ms(median(opens.driver)).padStart(8)}                        ≤ 1000 ms  (click → its classes drawn, ${opens.driver.length} opens; p90 ${ms(p90(opens.driver))}; in the page: asked → settled ${ms(median(opens.inPage))}, of it the request ${ms(median(opens.request))}; e.g. ${opened})`)
  console.log(`click a node → described   ${ms(median(describe)).padStart(8)}   ${ms(median(base.describe)).padStart(8)} (describe)`)
  for (const mode of ['cytoscape', 'page'] as const) {
    const what = mode === 'page' ? 'click → explanation      ' : '  baseline: cytoscape taps'
    console.log(`${what}  ${ms(median(click[mode])).padStart(8)}   ${ms(median(base.check)).padStart(8)} (check)   ${mode === 'page' ? '≤ 100 ms' : '        '}  (p90 ${ms(p90(click[mode]))}; in the page, press → painted: ${ms(median(inPage[mode]))}, of it the request: ${ms(median(asked[mode]))})`)
  }
  const all = (f: (t: ClickTail) => number[]) => tails.flatMap(f)
  const pp = (xs: number[]) => (xs.length ? `${ms(median(xs))} / ${ms(p90(xs))}` : '—')
  const events = [...new Set(tails.flatMap((t) => Object.keys(t.events)))].map((name) => `${name} ${all((t) => t.events[name]?.duration ?? []).length} (input delay ${pp(all((t) => t.events[name]?.delay ?? []))}, handlers ${pp(all((t) => t.events[name]?.handlers ?? []))}, to the next paint ${pp(all((t) => t.events[name]?.duration ?? []))})`)
  console.log(`click → explanation, ${all((t) => t.driver).length} clicks on one edge in one page, median / p90: driver ${pp(all((t) => t.driver))}; in the page, press → painted ${pp(all((t) => t.page))} (press → the check's answer ${pp(all((t) => t.answer))}, answer → painted ${pp(all((t) => t.paint))}); the driver's floor: a round trip ${pp(all((t) => t.roundTrip))}, a wait for a selector already there ${pp(all((t) => t.waitPresent))}; input events of 16 ms or more (event timing): ${events.length ? events.join('; ') : 'none'}`)
  for (const kind of quick ? [] : KINDS) console.log(`what-if: ${kind.padEnd(17)} ${ms(median(whatif[kind])).padStart(8)}   ${ms(median(base.whatif[kind])).padStart(8)} (whatif)  ≤ 1000 ms  (in the page: the request ${ms(median(whatifAsked[kind]))}, the graph drawn ${ms(median(whatifDrawn[kind]))}; ${whatIfs[kind].what}; ${sizes[kind]})`)
} finally {
  await browser.close()
  await served.stop()
}
