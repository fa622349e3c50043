/** Where an object came from, for messages: file, document index in it, and line when known. */
export interface SourceRef {
  readonly file: string
  readonly doc: number
  readonly line?: number
}
