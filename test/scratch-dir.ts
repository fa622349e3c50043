import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'

/**
 * A fresh temporary directory for each test of the file that calls this (removed after the test), and `write`,
 * which puts a file at a path relative to it, making the directories on the way, and returns the full path.
 */
export function scratchDir(prefix: string): { readonly path: () => string; write(rel: string, text: string): string } {
  let dir = ''
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))
  return {
    path: () => dir,
    write(rel, text) {
      const full = join(dir, rel)
      mkdirSync(dirname(full), { recursive: true })
      writeFileSync(full, text)
      return full
    },
  }
}
