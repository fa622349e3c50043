import { describe, expect, test } from 'vitest'
import { cluster, ipPeer, namespace, pod, podsPeer, policy, port, rule, sel } from '../../../test/builders.js'
import { graphReport } from '../../report/graph-report.js'
import type { GraphReport } from '../../report/graph-types.js'
import { dotString, renderDot } from './graph-dot.js'
import { mermaidString, renderMermaid } from './graph-mermaid.js'

/**
 * Without Graphviz: a DOT text is read as a sequence of quoted strings and bare characters; outside strings the
 * braces and brackets must balance, and every string must close on its own line (ids never span lines).
 */
function dotProblems(text: string): string[] {
  const problems: string[] = []
  const stack: string[] = []
  text.split('\n').forEach((line, n) => {
    let inString = false
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!
      if (inString) {
        if (ch === '\\') i++
        else if (ch === '"') inString = false
        continue
      }
      if (ch === '"') inString = true
      else if (ch === '{' || ch === '[') stack.push(ch)
      else if (ch === '}' || ch === ']') {
        const open = stack.pop()
        if (open !== (ch === '}' ? '{' : '[')) problems.push(`line ${n + 1}: ${ch} closes ${open ?? 'nothing'}`)
      }
    }
    if (inString) problems.push(`line ${n + 1}: a string does not close`)
  })
  if (stack.length > 0) problems.push(`unclosed ${stack.join('')}`)
  return problems
}

/** Mermaid: ids are plain words; labels quoted with no `"` inside; every subgraph ends. */
function mermaidProblems(text: string): string[] {
  const problems: string[] = []
  let depth = 0
  text.split('\n').forEach((line, n) => {
    if (line.startsWith('%%') || line.trim() === '') return
    const bare = line.replace(/"[^"]*"/g, '""')
    if ((line.match(/"/g)?.length ?? 0) % 2 !== 0) problems.push(`line ${n + 1}: unbalanced quotes`)
    if (/^\s*subgraph /.test(bare)) depth++
    else if (/^\s*end$/.test(bare)) depth--
    const words = bare.replace(/\[""\]|\(\[""\]\)|\|""\|/g, ' ').trim().split(/\s+/)
    if (!/^(flowchart|subgraph|end|classDef|class|linkStyle)$/.test(words[0]!)) {
      for (const w of words) if (!/^(n|g)\d+$/.test(w) && !['-->', '-.->'].includes(w)) problems.push(`line ${n + 1}: "${w}" is not a plain id`)
    }
  })
  if (depth !== 0) problems.push(`${depth} subgraphs not ended`)
  return problems
}

// names that need quoting in DOT (keywords, `-`, `.`) and would break Mermaid (`end`, `graph`)
const awkward = cluster({
  namespaces: [namespace('node'), namespace('end'), namespace('graph-1.x')],
  pods: [
    pod('node/subgraph', { app: 'a' }, { ips: ['10.0.0.1'] }),
    pod('end/end', { app: 'b' }, { ips: ['10.0.0.2'] }),
    pod('graph-1.x/digraph.v1-2', { app: 'c' }, { ips: ['10.0.0.3'] }),
  ],
  policies: [policy('end', 'p', { podSelector: sel({ app: 'b' }), ingress: [rule([podsPeer(sel({ app: 'a' }), sel({}))], [port(80)]), rule([ipPeer('0.0.0.0/0', ['10.0.0.0/8'])])] })],
})

describe.each([
  { name: 'dot', render: renderDot, problems: dotProblems },
  { name: 'mermaid', render: renderMermaid, problems: mermaidProblems },
])('$name', ({ render, problems }) => {
  test.each(['pod', 'workload', 'class', 'namespace'] as const)('names that need quoting, at level %s', (level) => {
    for (const port of ['any', { port: 80, protocol: 'TCP' as const }] as const) {
      const text = render(graphReport(awkward, { port, level }))
      expect(problems(text)).toEqual([])
    }
  })

  test('labels with quotes, backslashes and # stay inside their string', () => {
    const g: GraphReport = {
      level: 'pod',
      port: 'any',
      groups: [{ id: 'group:a"b', namespace: 'a"b', labels: {} }],
      nodes: [
        { id: 'a"b/x\\y', kind: 'pod', namespace: 'a"b', label: 'x "quoted" \\ #1; {}[]', pods: [], labels: {}, isolated: { ingress: true, egress: 'some' }, selectedBy: [] },
        { id: 'world', kind: 'external', label: 'any address', pods: [], labels: {}, isolated: { ingress: false, egress: false }, selectedBy: [] },
      ],
      edges: [{ id: 'x', from: 'a"b/x\\y', to: 'world', all: false, ports: ['80/TCP'], change: 'closed' }],
      totals: { nodes: 2, edges: 1, pods: 1 },
    }
    expect(problems(render(g))).toEqual([])
  })
})

test.each([
  { s: 'plain', dot: '"plain"', mermaid: '"plain"' },
  { s: 'say "hi"', dot: '"say \\"hi\\""', mermaid: '"say #quot;hi#quot;"' },
  { s: 'a\\b', dot: '"a\\\\b"', mermaid: '"a\\b"' },
  { s: '#1', dot: '"#1"', mermaid: '"#35;1"' },
])('quoting $s', ({ s, dot, mermaid }) => {
  expect(dotString(s)).toBe(dot)
  expect(mermaidString(s)).toBe(mermaid)
})

test('the checks catch what they are for', () => {
  expect(dotProblems('digraph { "a -> b; }')).not.toEqual([])
  expect(dotProblems('digraph { a [label="x"; }')).not.toEqual([])
  expect(mermaidProblems('flowchart LR\n  subgraph g0["a"]\n  node-1 --> n2')).not.toEqual([])
})
