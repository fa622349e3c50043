/**
 * The page explains a connection in the words `netpol check` prints: for the same question, the verdict line, the
 * policies that isolate each side, the rule that allowed it and every ✗/✓ reason of a denial are the CLI's text.
 * The peers and ports are spelled out as the CLI spells them ("to[0] pods app=postgres in …, ports[0] 5432/TCP"):
 * the JSON carries those words beside each index (`peerText`, `portText`).
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

const core = (line: string) => line.trim()

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
