/** The explanation of a checked connection on the page: explain-lines.ts's lines, indented as the CLI indents. */
import { h } from './dom.js'
import { checkLines } from './explain-lines.js'

/** The explanation as a block of lines, one element per line. */
export function renderCheck(json: unknown): HTMLElement {
  return h('div', { class: 'explain' }, checkLines(json).map((lines) => h('div', { class: 'flow' }, lines.map((l) => h('div', { class: `line ind${l.indent} ${l.cls ?? ''}` }, l.text)))))
}
