/**
 * The page explains a connection in the words `netpol check` prints: for the same question, the verdict line, the
 * policies that isolate each side, the rule that allowed it and every ✗/✓ reason of a denial are the CLI's text.
 * (The CLI also spells out each peer and port, "to[0] pods app=postgres in …"; the JSON names them by index.)
 */
import { beforeAll, describe, expect, test } from 'vitest'
import { runBuiltCli } from '../cli/built-cli.js'
import { checkLines } from '../../web/src/explain-lines.js'
import { useLang } from '../../web/src/i18n.js'

const cases = [
  { name: 'allowed both ways', args: ['--from', 'backend/api-5c4', '--to', 'database/postgres-0', '--port', '5432'] },
  { name: 'denied: a namespace selector, a named port and a pod selector miss', args: ['--from', 'backend/worker-3a9', '--to', 'database/postgres-0', '--port', '5432'] },
  { name: 'not isolated', args: ['--from', 'monitoring/prometheus-0', '--to', 'kube-system/coredns-5d78c', '--port', '53/UDP'] },
]

/** A line without the spelled-out peer or port the JSON does not carry. */
const core = (line: string) => line.trim().replace(/^((?:from|to)\[\d+\])[^:]*:/, '$1:').replace(/^(ports\[\d+\])[^:]*:/, '$1:').replace(/^(allowed by \S+ \S+: (?:from|to)\[\d+\]).*?, (ports\[\d+\]).*$/, '$1, $2')

describe('the page explains as netpol check does', () => {
  beforeAll(() => useLang('en'))
  test.each(cases)('$name', async ({ args }) => {
    const base = ['check', '-f', 'examples/three-tier/', ...args]
    const [text, json] = await Promise.all([runBuiltCli(base), runBuiltCli([...base, '-o', 'json'])])
    const page = checkLines(JSON.parse(json.out)).flat().map((l) => l.text)
    const cli = text.out.split('\n').filter((l) => l.trim() !== '').map(core)
    expect(page.map(core)).toEqual(cli)
  })
})
