import type { Writable } from 'node:stream'

/** Where a command reads and writes; tests pass their own. */
export interface CliIO {
  readonly stdout: Writable & { isTTY?: boolean }
  readonly stderr: Writable & { isTTY?: boolean }
  readStdin(): Promise<string>
  /** stdin as bytes, streamed (flow inputs: any size, gzip); absent where stdin is only text (tests) */
  readonly stdinStream?: () => NodeJS.ReadableStream
}

/** Ends the process with `code` after the command printed what it had to say. Thrown only by commands. */
export class ExitError extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`)
    this.name = 'ExitError'
  }
}

/** A user mistake in the command line itself (not in manifests): printed as one line, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdinStream: () => process.stdin,
    readStdin: async () => {
      const chunks: Buffer[] = []
      for await (const c of process.stdin) chunks.push(c as Buffer)
      return Buffer.concat(chunks).toString('utf8')
    },
  }
}

/**
 * The one way a command streams its output. A stream keeps a reference to a chunk until the OS has taken it,
 * and once a pipe's 64 KiB are full (a slow reader) the chunk is queued and taken later, on Linux too. So
 * `write` of bytes returns at once only when the stream holds nothing more (a file, a pipe with room); else it
 * resolves once this chunk has been handed over. A caller that reuses its buffer awaits `write`, and may then
 * change it: nothing is copied, and large outputs stream in bounded memory. A string is encoded by the stream
 * into a buffer of its own; awaiting its `write` waits for 'drain' when the stream's buffer is full.
 * `end()` resolves once everything written has been handed over; process.stdout and process.stderr are
 * flushed, never closed.
 */
export function writer(stream: Writable): { write(s: string | Uint8Array): Promise<void> | void; end(): Promise<void> } {
  return {
    write(s: string | Uint8Array) {
      if (typeof s === 'string') {
        if (!stream.write(s)) return new Promise<void>((resolve) => stream.once('drain', () => resolve()))
        return
      }
      // a write's callback runs once the chunk and every chunk before it have been handed over
      const handedOver = new Promise<void>((resolve) => stream.write(s, () => resolve()))
      if (stream.writableLength === 0) return
      return handedOver
    },
    end: () =>
      new Promise<void>((resolve) => {
        if (stream === process.stdout || stream === process.stderr) stream.write('', () => resolve())
        else stream.end(() => resolve())
      }),
  }
}
