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

/** Write, waiting for the stream to drain when its buffer is full, so large outputs stream in bounded memory. */
export function writer(stream: Writable): { write(s: string | Uint8Array): Promise<void> | void; end(): Promise<void> } {
  return {
    write(s: string | Uint8Array) {
      // process.stdout/stderr write files and pipes synchronously on Linux; any other stream may keep the
      // chunk, and callers reuse their buffers, so it gets a copy
      const chunk = typeof s === 'string' || stream === process.stdout || stream === process.stderr ? s : Buffer.from(s)
      if (!stream.write(chunk)) return new Promise<void>((resolve) => stream.once('drain', () => resolve()))
    },
    end: () =>
      new Promise<void>((resolve) => {
        if (stream === process.stdout || stream === process.stderr) return resolve()
        stream.end(() => resolve())
      }),
  }
}
