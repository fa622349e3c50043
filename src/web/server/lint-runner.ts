/**
 * Runs a lint job in a worker thread, so that a lint of many seconds never holds up the server's other answers.
 * From source (the tests run TypeScript, where no compiled worker exists) the job runs in this thread.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { runLintJob, type LintJob, type LintOutcome } from './lint-job.js'

const WORKER = new URL('./lint-worker.js', import.meta.url)

export function lintInBackground(job: LintJob): Promise<LintOutcome> {
  if (!existsSync(fileURLToPath(WORKER))) return runLintJob(job)
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { workerData: job })
    // a lint still running does not keep the process from ending (SIGTERM stops the server at once)
    w.unref()
    w.once('message', (outcome: LintOutcome) => resolve(outcome))
    w.once('error', reject)
    w.once('exit', (code) => reject(new Error(`the lint worker ended with ${code} before it answered`)))
  })
}
