import { readFileSync } from 'node:fs'

/**
 * netpol's version, from its package.json (two levels up from this file both in src/cli and in dist/cli).
 * Read only when asked (`--version`, SARIF's driver), so a normal start-up does not pay for it.
 */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0'
  } catch {
    return '0.0.0'
  }
}
