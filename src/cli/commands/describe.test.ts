import { describe, expect, test } from 'vitest'
import { runCli } from '../../../test/cli/cli-harness.js'
import { expectGolden } from '../../../test/golden.js'

const IN = 'test/fixtures/describe/input'
const GOLDEN = 'test/fixtures/describe/golden'

describe('netpol describe: golden output', () => {
  test.each([
    { name: 'every policy, as text', args: [], golden: 'policies.txt' },
    { name: 'two named policies, as JSON', args: ['api/allow-frontend', 'web/egress', '-o', 'json'], golden: 'policies.json' },
    { name: 'the word networkpolicy is accepted', args: ['networkpolicy', 'db/redis'], golden: 'policy-redis.txt' },
    { name: 'two pods, as text', args: ['pod', 'api/orders-1', 'web/frontend-a'], golden: 'pods.txt' },
    { name: 'a pod, as JSON', args: ['pod', 'db/postgres-0', '-o', 'json'], golden: 'pod-postgres.json' },
  ])('$name', async ({ args, golden }) => {
    const r = await runCli(['describe', '-f', IN, ...args])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expectGolden(r.out, `${GOLDEN}/${golden}`)
  })
})

describe('netpol describe: names that are not in the input', () => {
  test.each([
    { name: 'a misspelt policy gets the close names', args: ['api/allow-frontnd'], err: 'error: no NetworkPolicy "api/allow-frontnd" in the input; did you mean api/allow-frontend?\n', code: 2 },
    { name: 'a pod far from any name gets its namespace’s pods', args: ['pod', 'api/zzzzzzzzzzzzzzzz'], err: 'error: no pod "api/zzzzzzzzzzzzzzzz" in the input (in that namespace: api/orders-1, api/orders-2, api/payments-1)\n', code: 2 },
    { name: 'a name without a namespace', args: ['allow-frontend'], err: 'error: "allow-frontend": expected NAMESPACE/NAME\n', code: 2 },
    { name: 'describe pod without a pod', args: ['pod'], err: 'error: describe pod: name at least one pod as NAMESPACE/NAME\n', code: 2 },
  ])('$name', async ({ args, err, code }) => {
    const r = await runCli(['describe', '-f', IN, ...args])
    expect(r.code).toBe(code)
    expect(r.err).toBe(err)
    expect(r.out).toBe('')
  })
})
