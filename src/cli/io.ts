import type { Writable } from 'node:stream'

/** Where a command reads and writes; tests pass their own. */
export interface CliIO {
  readonly stdout: Writable & { isTTY?: boolean }
  readonly stderr: Writable & { isTTY?: boolean }
  readStdin(): Promise<string>
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
    readStdin: async () => {
      const chunks: Buffer[] = []
      for await (const c of process.stdin) chunks.push(c as Buffer)
      return Buffer.concat(chunks).toString('utf8')
    },
  }
}

/**
 * The one way a command streams its output. `write` hands the stream its own copy of bytes, so a caller may
 * reuse its buffer as soon as `write` returns: a stream keeps a reference to each chunk until the OS has taken
 * it, and a pipe whose reader is slow takes it later (once the 64 KiB pipe is full, Node queues the chunk, on
 * Linux too). A caller that awaits `write` waits for 'drain' when the stream's buffer is full, so large outputs
 * stream in bounded memory. `end()` resolves once everything written has been handed to the OS; process.stdout
 * and process.stderr are flushed, never closed.
 */
export function writer(stream: Writable): { write(s: string | Uint8Array): Promise<void> | void; end(): Promise<void> } {
  return {
    write(s: string | Uint8Array) {
      // a string is encoded into a new buffer by the stream itself; bytes are copied here
      if (!stream.write(typeof s === 'string' ? s : Buffer.from(s))) return new Promise<void>((resolve) => stream.once('drain', () => resolve()))
    },
    end: () =>
      new Promise<void>((resolve) => {
        // a write's callback runs once it and every write before it have been handed over
        if (stream === process.stdout || stream === process.stderr) stream.write('', () => resolve())
        else stream.end(() => resolve())
      }),
  }
}
