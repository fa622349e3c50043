/**
 * An object as read from the API server: its raw JSON, with kind and apiVersion filled in (a list's items
 * carry neither), and where it came from, for messages.
 */
import type { ApiResource } from './resources.js'
import { apiVersionOf } from './resources.js'

export interface KubeObject {
  readonly kind: string
  readonly apiVersion: string
  readonly metadata: {
    readonly name: string
    readonly namespace?: string
    readonly uid?: string
    readonly resourceVersion?: string
    readonly labels?: Readonly<Record<string, string>>
    readonly [k: string]: unknown
  }
  readonly [k: string]: unknown
}

/** The item of a list with the list's kind and apiVersion (the API server leaves them out of items). */
export function withKind(res: ApiResource, item: unknown): KubeObject {
  const o = item as Record<string, unknown>
  return { ...o, kind: res.kind, apiVersion: apiVersionOf(res) } as KubeObject
}

/** The key of an object in a store: `namespace/name`, or `name` for a cluster-scoped object. */
export function objectKey(o: { readonly metadata: { readonly name: string; readonly namespace?: string } }): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name
}

/** Where a live object came from, as messages name it: `cluster CONTEXT: Kind NS/NAME` (`Kind NAME` when cluster-scoped). */
export function originOf(context: string, o: { readonly kind: string; readonly metadata: { readonly name: string; readonly namespace?: string } }): string {
  return `cluster ${context}: ${o.kind} ${objectKey(o)}`
}
