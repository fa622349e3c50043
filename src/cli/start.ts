import { run } from './cli.js'
import { processIO } from './io.js'

/** Runs the CLI as a process: the arguments after the program's own, exit status, and the two ways out that are not a command's. */
export function start(name: string): void {
  // a reader that goes away (`netpol matrix … | head`) is not an error: stop quietly with the status a writer
  // killed by SIGPIPE has (128 + 13), as other command-line tools do
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(141)
    throw err
  })

  run(process.argv.slice(2), processIO(), { name }).then(
    (code) => {
      process.exitCode = code
    },
    (err: unknown) => {
      // only bugs reach here: user mistakes are reported by the commands themselves
      process.stderr.write(`${name}: internal error (please report): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
      process.exitCode = 3
    },
  )
}
