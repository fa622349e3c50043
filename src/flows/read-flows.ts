/**
 * Reading flow inputs: files (plain or gzip), `-` for stdin, several at once, each streamed line by line into
 * the reader of its format (detected from the first non-blank line, or given), so that inputs of any size are
 * read in bounded memory.
 */
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { detectFormat } from './detect-format.js'
import type { FlowFormat, FlowInputIssue, FlowLineReader, FlowRecord } from './flow-record.js'
import { READERS } from './readers.js'
import { eachLine } from './each-line.js'

export interface ReadFlowsOptions {
  /** the format of every input; detected per input when absent */
  readonly format?: FlowFormat
  /** reads stdin for `-` */
  readonly stdin?: () => NodeJS.ReadableStream
  /** called for each record in input order; when given, records are not kept in the result (streaming) */
  readonly onRecord?: (r: FlowRecord) => void
}

export interface ReadFlowsResult {
  /** empty when `onRecord` was given */
  readonly records: FlowRecord[]
  readonly issues: FlowInputIssue[]
  /**
   * The issues (also in `issues`) that stopped an input: a file missing or unreadable, a format that cannot be
   * told or has no reader. A command exits 2 on these; a bad line only skips that line.
   */
  readonly stopped: FlowInputIssue[]
  readonly lines: number
  /** the format each input was read as */
  readonly formats: ReadonlyMap<string, FlowFormat>
}

export const STDIN_FLOWS = '<stdin>'

/**
 * Never throws for bad content (a line that cannot be read is an issue); a missing or unreadable file is an
 * issue too (line 0), and so is an input whose format cannot be told or has no reader yet. Inputs are read one
 * after the other, in the order given.
 */
export async function readFlows(paths: readonly string[], opts: ReadFlowsOptions = {}): Promise<ReadFlowsResult> {
  const records: FlowRecord[] = []
  const issues: FlowInputIssue[] = []
  const stopped: FlowInputIssue[] = []
  const stop = (i: FlowInputIssue) => {
    issues.push(i)
    stopped.push(i)
  }
  const formats = new Map<string, FlowFormat>()
  const emit = opts.onRecord ?? ((r: FlowRecord) => void records.push(r))
  let lines = 0
  for (const path of paths) {
    const file = path === '-' ? STDIN_FLOWS : path
    let stream: NodeJS.ReadableStream
    if (path === '-') {
      if (!opts.stdin) {
        stop({ file, line: 0, message: 'stdin cannot be read here' })
        continue
      }
      stream = opts.stdin()
    } else stream = createReadStream(path)
    let reader: FlowLineReader | null = null
    let stopped = false
    const onLine = (text: string, lineNo: number) => {
      if (stopped) return
      if (reader === null) {
        if (text.trim() === '') return
        const format = opts.format ?? detectFormat(text)
        if (format === null) {
          stop({ file, line: lineNo, message: 'cannot tell the format of this input from its first line (give --format hubble|calico|netpol|csv)' })
          stopped = true
          return
        }
        formats.set(file, format)
        reader = READERS[format](file)
      }
      const got = reader.line(text, lineNo)
      if (Array.isArray(got)) for (const r of got) emit(r.file === file ? r : { ...r, file })
      else issues.push(got.file === file ? got : { ...got, file })
    }
    try {
      lines += await eachLine(decoded(stream as AsyncIterable<Buffer>), onLine)
    } catch (err) {
      stop({ file, line: 0, message: readError(err) })
    }
  }
  return { records, issues, stopped, lines, formats }
}

function readError(err: unknown): string {
  const code = (err as { code?: string }).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EISDIR') return 'is a directory, not a flow file'
  if (code === 'EACCES') return 'permission denied'
  if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR') return 'the gzip data is truncated or corrupt'
  return (err as Error).message ?? String(err)
}

/** The bytes of a stream, gunzipped when they start with gzip's magic bytes (1f 8b). */
async function* decoded(src: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const it = src[Symbol.asyncIterator]()
  const first = await it.next()
  if (first.done) return
  const head = typeof first.value === 'string' ? Buffer.from(first.value) : first.value
  async function* all(): AsyncGenerator<Buffer> {
    yield head
    for (;;) {
      const n = await it.next()
      if (n.done) return
      yield typeof n.value === 'string' ? Buffer.from(n.value) : n.value
    }
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) yield* Readable.from(all()).pipe(createGunzip()) as AsyncIterable<Buffer>
  else yield* all()
}
