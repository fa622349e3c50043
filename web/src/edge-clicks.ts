/**
 * A mouse click on an edge, handled before cytoscape sees it.
 *
 * cytoscape marks the element under a pressed button "active" and unmarks it on release; each restyles the element
 * and redraws the whole element layer. On the 10,000-pod cluster (a few hundred boxes and edges drawn) one such
 * redraw held the page's main thread for 50–65 ms in Chromium (about 12 ms of drawing, the rest committing the
 * canvas), and the explanation's answer and its paint waited behind it: a click took 160–210 ms to its explanation.
 *
 * Here a press on an edge, found by cytoscape's own hit test (so the edge clicked is the one cytoscape would have
 * found), never reaches cytoscape: nothing is activated or redrawn. A release within a few pixels is the click.
 * What is given up: a drag that starts on an edge does not pan (one from the background or a node does). Touch
 * input keeps cytoscape's taps, and so does a container marked `data-edge-clicks="cytoscape"` (the benchmark's
 * baseline, measured in the same page).
 */
import type { Core, SingularElementReturnValue } from 'cytoscape'

/** The two methods of cytoscape's renderer (3.35) that turn a mouse position into the element it hits. */
interface HitTest {
  projectIntoViewport(clientX: number, clientY: number): [number, number]
  findNearestElement(x: number, y: number, interactiveOnly: boolean, isTouch: boolean): SingularElementReturnValue | undefined
}

export interface EdgeClicks {
  /** the button went down on an edge at `time` (the event's, on performance.now()'s clock): a click may follow */
  down(edgeId: string, time: number): void
  click(edgeId: string): void
}

/** farther than this (in pixels, as cytoscape's own threshold for a mouse) between press and release is a drag */
const CLICK_SLOP = 4

export function interceptEdgeClicks(cy: Core, container: HTMLElement, on: EdgeClicks): void {
  const hit = (cy as unknown as { renderer(): HitTest }).renderer()
  let pressed: { id: string; x: number; y: number } | null = null
  container.addEventListener('mousedown', (e) => {
    if (e.button !== 0 || container.dataset.edgeClicks === 'cytoscape') return
    const [x, y] = hit.projectIntoViewport(e.clientX, e.clientY)
    const near = hit.findNearestElement(x, y, true, false)
    if (near === undefined || !near.isEdge()) return
    // the capture phase on the container runs before cytoscape's listener on it
    e.stopImmediatePropagation()
    e.preventDefault()
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur()
    pressed = { id: near.id(), x: e.clientX, y: e.clientY }
    on.down(pressed.id, e.timeStamp)
  }, { capture: true })
  // cytoscape listens for the release on the window, and ignores one whose press it did not see
  window.addEventListener('mouseup', (e) => {
    const p = pressed
    pressed = null
    if (p === null || e.button !== 0) return
    if (Math.hypot(e.clientX - p.x, e.clientY - p.y) <= CLICK_SLOP) on.click(p.id)
  }, { capture: true })
}
