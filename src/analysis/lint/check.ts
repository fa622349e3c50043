import type { LintContext } from './context.js'
import type { Draft, Part, Severity } from './finding.js'

/** What a check returns: its findings, or why it could not run on this input. */
export type CheckResult = readonly Draft[] | { readonly skipped: readonly Part[] }

/**
 * One entry of the catalog. `id` (NP001…) and `slug` never change once released; either may be used to
 * disable the check. `run` is pure and reads the input only through `ctx`.
 */
export interface Check {
  readonly id: string
  readonly slug: string
  readonly severity: Severity
  /** one line: what is wrong when the check fires */
  readonly title: string
  /** why it matters and what the usual fix is */
  readonly description: string
  run(ctx: LintContext): CheckResult
}
