#!/usr/bin/env node
import { run } from './cli.js'
import { processIO } from './io.js'

// a reader that goes away (`netpol matrix … | head`) is not an error: stop quietly with the status a writer
// killed by SIGPIPE has (128 + 13), as other command-line tools do
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(141)
  throw err
})

run(process.argv.slice(2), processIO()).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    // only bugs reach here: user mistakes are reported by the commands themselves
    process.stderr.write(`netpol: internal error (please report): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exitCode = 3
  },
)
