/** The worker thread of lint-runner.ts: one lint job, its outcome posted back. */
import { parentPort, workerData } from 'node:worker_threads'
import { runLintJob, type LintJob } from './lint-job.js'

parentPort!.postMessage(await runLintJob(workerData as LintJob))
