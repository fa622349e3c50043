import { existsSync } from 'node:fs'
import { missingTools, packageHint, type HostTool } from '../src/agent/host-tools.js'

/**
 * Whether the tests of one file that need the kernel (root, network namespaces, nftables, …) can run here.
 * The one place that decides it, for every such test file:
 * - not root: false, silently (a developer's machine; as it always was);
 * - root with every program present: true;
 * - root with a program missing: false, and ONE line on stderr naming the Debian packages to install;
 *   but under `CI` (any non-empty value but "false"/"0") or `NETPOL_REQUIRE_LAB=1` it throws with the same
 *   message, so that the file (and the run) fails instead of passing without having tested anything.
 *   `NETPOL_REQUIRE_LAB=1` also makes a run without root fail.
 */
export function hostSupports(what: string, tools: readonly HostTool[], env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.()): boolean {
  const d = hostDecision(what, tools, env, uid, missingTools(tools))
  if (d.kind === 'fail') throw new Error(d.message)
  if (d.kind === 'skip' && d.message !== null) console.warn(d.message)
  return d.kind === 'run'
}

export type HostDecision = { kind: 'run' } | { kind: 'skip'; message: string | null } | { kind: 'fail'; message: string }

const truthy = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false'

/** The decision of `hostSupports`, pure: `missing` is what this host lacks of `tools`. */
export function hostDecision(what: string, tools: readonly HostTool[], env: NodeJS.ProcessEnv, uid: number | undefined, missing: readonly HostTool[]): HostDecision {
  const required = env.NETPOL_REQUIRE_LAB === '1'
  const strict = required || truthy(env.CI)
  if (uid !== 0) {
    return required ? { kind: 'fail', message: `${what} needs root, and NETPOL_REQUIRE_LAB=1 requires it to run` } : { kind: 'skip', message: null }
  }
  if (missing.length === 0) return { kind: 'run' }
  const need = `${what} needs ${packageHint(missing)}`
  return strict
    ? { kind: 'fail', message: `${need}; ${required ? 'NETPOL_REQUIRE_LAB=1' : 'CI is set, which'} requires these tests to run (tools: ${tools.join(', ')})` }
    : { kind: 'skip', message: `skipped: ${need}` }
}

/** Debian's Chromium, which the browser tests drive with playwright-core (no browser download). */
export const CHROMIUM = '/usr/bin/chromium'

/**
 * Whether the browser tests of one file can run: they need Debian's `chromium` (and, for Chinese text,
 * `fonts-wqy-microhei`), not root. Missing: skipped with one line naming the packages, or under `CI` a failure,
 * as {@link hostSupports} decides for the kernel's tools.
 */
export function browserSupports(what: string, env: NodeJS.ProcessEnv = process.env, present = existsSync(CHROMIUM)): boolean {
  const d = browserDecision(what, env, present)
  if (d.kind === 'fail') throw new Error(d.message)
  if (d.kind === 'skip' && d.message !== null) console.warn(d.message)
  return d.kind === 'run'
}

export function browserDecision(what: string, env: NodeJS.ProcessEnv, present: boolean): HostDecision {
  if (present) return { kind: 'run' }
  const need = `${what} needs Debian packages chromium, fonts-wqy-microhei (apt-get install -y chromium fonts-wqy-microhei)`
  return truthy(env.CI) || env.NETPOL_REQUIRE_LAB === '1' ? { kind: 'fail', message: `${need}; CI is set, which requires these tests to run` } : { kind: 'skip', message: `skipped: ${need}` }
}
