#!/usr/bin/env node
import { run } from './cli.js'
import { processIO } from './io.js'

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
