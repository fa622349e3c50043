/**
 * Where an object came from, for messages. Pure data: the readers in src/io/ fill it in, the renderers print it.
 *
 * - a file on disk: `file:line:col` (and the document index in a multi-document file)
 * - standard input: `<stdin>:line:col`
 * - a file at a git revision: `REV:path:line:col`
 * - an object read from a live cluster: `cluster CONTEXT: Kind NS/NAME` (no text, so no line)
 */
import type { Path } from './issues.js'

export type Origin =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'stdin' }
  | { readonly kind: 'git'; readonly rev: string; readonly path: string }
  | { readonly kind: 'cluster'; readonly context: string; readonly objectKind: string; readonly namespace?: string; readonly name: string }

/** The name an origin goes by in messages and as the key of its text: see Origin. */
export function originName(o: Origin): string {
  switch (o.kind) {
    case 'file':
      return o.path
    case 'stdin':
      return STDIN_NAME
    case 'git':
      return `${o.rev}:${o.path}`
    case 'cluster':
      return `cluster ${o.context}: ${o.objectKind} ${o.namespace !== undefined ? `${o.namespace}/` : ''}${o.name}`
  }
}

/** The name stdin goes by in messages. */
export const STDIN_NAME = '<stdin>'

/** Whether an origin has text with lines that a finding can point into (a cluster object has none). */
export const hasText = (o: Origin): boolean => o.kind !== 'cluster'

/**
 * Where an object came from: `file` is originName(origin) (what messages print, and the key of the text it
 * was read from), `doc` the 0-based document index in that text, `line` its first line when known. `origin`
 * is absent for a file on disk (the common case, kept small for clusters of many thousand objects); read it
 * with originOf. `at` is the object's path inside its document when it is not the document itself (an item of
 * a List: `['items', 3]`), so that a finding can be placed without parsing the text again.
 */
export interface SourceRef {
  readonly file: string
  readonly doc: number
  readonly line?: number
  readonly origin?: Origin
  readonly at?: Path
}

/** The origin of a reference: its own, or the file on disk it names. */
export const originOf = (r: { readonly file: string; readonly origin?: Origin }): Origin => r.origin ?? { kind: 'file', path: r.file }
