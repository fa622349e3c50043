import { PassThrough } from 'node:stream'
import { CommanderError, type Command } from 'commander'
import { buildProgram, run } from '../../src/cli/cli.js'
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

/**
 * Parses a command line with the real command table, but runs no command: returns the path of the command that
 * would run (`['agent']`, `['lab', 'up']`) and the options it would get, or the exit code and message of a
 * command line the parser refuses.
 */
export async function parseCli(argv: string[]): Promise<{ code: number; command?: string[]; opts?: Record<string, unknown>; err: string }> {
  const stderr = new PassThrough()
  let err = ''
  stderr.on('data', (c: Buffer) => (err += c.toString()))
  const io: CliIO = { stdout: new PassThrough(), stderr, readStdin: async () => '' }
  const program = await buildProgram(argv, io)
  let parsed: { command: string[]; opts: Record<string, unknown> } | undefined
  const capture = (c: Command, path: string[]) => {
    for (const sub of c.commands) {
      const here = [...path, sub.name()]
      sub.action((...args: unknown[]) => {
        const cmd = args[args.length - 1] as Command
        parsed = { command: here, opts: cmd.opts() }
      })
      capture(sub, here)
    }
  }
  capture(program, [])
  try {
    await program.parseAsync([...argv], { from: 'user' })
  } catch (e) {
    if (e instanceof CommanderError) return { code: e.exitCode === 0 ? 0 : 2, err }
    throw e
  }
  return parsed ? { code: 0, ...parsed, err } : { code: 0, err }
}
