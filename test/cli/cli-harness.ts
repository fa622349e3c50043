import { PassThrough } from 'node:stream'
import { run } from '../../src/cli/cli.js'
import type { CliIO } from '../../src/cli/io.js'

/** Runs the CLI in-process with captured output, the way a user's shell would see it. */
export async function runCli(argv: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (c: Buffer) => (out += c.toString()))
  stderr.on('data', (c: Buffer) => (err += c.toString()))
  const io: CliIO = { stdout, stderr, readStdin: async () => stdin }
  const code = await run(argv, io)
  await new Promise((r) => setImmediate(r))
  return { code, out, err }
}
