import { describe, expect, test } from 'vitest'
import type { Cluster } from '../model/cluster.js'
import { cluster, namespace, pod, podsPeer, policy, port, rule, sel } from '../../test/builders.js'
import { FakeNft } from '../dataplane/fake-nft.js'
import type { CtFlow, Conntrack } from './conntrack.js'
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AgentLoop, watchPaths, type AgentEvent, type LoadOutcome } from './loop.js'

const db = namespace('db')
const pods = [pod('db/pg', { app: 'pg' }, { ips: ['10.244.0.5'] }), pod('db/client', { app: 'client' }, { ips: ['10.244.0.7'] })]
const denyAll = cluster({ namespaces: [db], pods, policies: [policy('db', 'deny', { podSelector: sel({ app: 'pg' }) })] })
const allowClient = cluster({
  namespaces: [db],
  pods,
  policies: [policy('db', 'deny', { podSelector: sel({ app: 'pg' }) }), policy('db', 'pg', { podSelector: sel({ app: 'pg' }), ingress: [rule([podsPeer(sel({ app: 'client' }))], [port(5432)])] })],
})

function setup(first: Cluster | string, opts: { strict?: boolean; conntrack?: Conntrack; settled?: () => void; graceMs?: number } = {}) {
  let input: LoadOutcome = typeof first === 'string' ? { ok: false, message: first } : { ok: true, cluster: first }
  let loads = 0
  const events: AgentEvent[] = []
  const nft = new FakeNft()
  const loop = new AgentLoop(
    { table: 'netpol', mode: 'enforce', managed: () => true, debounceMs: 5, backoff: { initialMs: 10, maxMs: 40 }, graceMs: opts.graceMs ?? 5, ...(opts.strict ? { strict: true } : {}) },
    {
      load: async () => {
        loads++
        return input
      },
      runner: nft,
      report: (e) => events.push(e),
      ...(opts.conntrack ? { conntrack: opts.conntrack } : {}),
      ...(opts.settled ? { settled: opts.settled } : {}),
    },
  )
  return {
    loop,
    nft,
    events,
    kinds: () => events.map((e) => (e.kind === 'applied' || e.kind === 'apply-failed' ? `${e.kind} ${e.tx}` : e.kind)),
    set: (c: Cluster | string) => (input = typeof c === 'string' ? { ok: false, message: c } : { ok: true, cluster: c }),
    loads: () => loads,
  }
}

const verdict = (nft: FakeNft, dport: number) => nft.evaluate({ src: '10.244.0.7', dst: '10.244.0.5', protocol: 'TCP', dport }).verdict

/**
 * A dump without what is random per writer: the writer token, and the generation names made from it (which also
 * order the objects of two generations: the lines are sorted).
 */
const withoutTokens = (dump: string) =>
  dump
    .replace(/_g[0-9a-z]+/g, '')
    .replace(/(set writer \{[^}]*elements = \{ )0x[0-9a-f]+/, '$1TOKEN')
    .split('\n')
    .sort()

describe('sync', () => {
  test('changes compiled incrementally leave the kernel as changes compiled whole do, failed applies included', async () => {
    // the objects a change does not touch stay the same objects, as both of the agent's inputs keep them
    const web = pod('db/web', { app: 'client', tier: 'web' }, { ips: ['10.244.0.9'] })
    const steps: Cluster[] = [denyAll, allowClient]
    const last = () => steps.at(-1)!
    steps.push({ ...last(), pods: [...last().pods, web] })
    steps.push({ ...last(), pods: last().pods.map((p) => (p === web ? { ...web, labels: { app: 'other' } } : p)) })
    steps.push({ ...last(), policies: last().policies.slice(0, 1) })
    steps.push({ ...last(), pods: last().pods.filter((p) => p.name !== 'web') })
    steps.push(allowClient)
    const incremental = setup(denyAll)
    const whole = setup(denyAll)
    const wholeLoop = new AgentLoop({ table: 'netpol', mode: 'enforce', managed: () => true, wholeCompile: true }, { load: async () => ({ ok: true, cluster: steps[at]! }), runner: whole.nft, report: () => undefined })
    let at = 0
    for (; at < steps.length; at++) {
      incremental.set(steps[at]!)
      // the third change fails to apply: the next compile starts from the ruleset still in force
      if (at === 3) for (const nft of [incremental.nft, whole.nft]) nft.failures.push('incremental failed', 'full failed', 'replace failed')
      await incremental.loop.sync()
      await wholeLoop.sync()
      expect(withoutTokens(incremental.nft.dump())).toEqual(withoutTokens(whole.nft.dump()))
    }
    expect(incremental.kinds()).toContain('apply-failed replace')
  })

  test('a full replace first, then the diff, then nothing when nothing changed', async () => {
    const s = setup(denyAll)
    expect(await s.loop.sync()).toBe('applied')
    expect(verdict(s.nft, 5432)).toBe('drop')
    s.set(allowClient)
    expect(await s.loop.sync()).toBe('applied')
    expect(verdict(s.nft, 5432)).toBe('accept')
    expect(await s.loop.sync()).toBe('unchanged')
    expect(s.kinds()).toEqual(['applied full', 'applied incremental', 'unchanged'])
    // a new generation is two transactions: its objects, then the switch to them; the change that opens port 5432
    // is two as well: the profile's new elements and port set, then what leads to them and what goes (make-before-break.ts)
    expect(s.nft.history.map((h) => h.tx.kind)).toEqual(['full', 'full', 'incremental', 'incremental'])
  })

  test('a failed incremental transaction is retried as a full replace', async () => {
    const s = setup(denyAll)
    await s.loop.sync()
    s.set(allowClient)
    s.nft.failures.push('Error: Could not process rule: No such file or directory')
    expect(await s.loop.sync()).toBe('applied')
    expect(s.kinds()).toEqual(['applied full', 'apply-failed incremental', 'applied full'])
    expect(verdict(s.nft, 5432)).toBe('accept')
  })

  test('when nothing can be applied the previous ruleset stays in force, and the next sync replaces the table whole', async () => {
    const s = setup(denyAll)
    await s.loop.sync()
    s.set(allowClient)
    s.nft.failures.push('incremental failed', 'full failed', 'replace failed')
    expect(await s.loop.sync()).toBe('failed')
    expect(s.kinds()).toEqual(['applied full', 'apply-failed incremental', 'apply-failed full', 'apply-failed replace'])
    expect(verdict(s.nft, 5432)).toBe('drop')
    expect(s.loop.ready).toBe(false)
    expect(await s.loop.sync()).toBe('applied')
    expect(s.nft.history.at(-1)!.tx.kind).toBe('full')
    expect(verdict(s.nft, 5432)).toBe('accept')
  })

  test('a table another writer replaced in between is not changed incrementally: the guarded change fails and the table is replaced whole', async () => {
    const shop = namespace('shop')
    const pods3 = (client: string) => [
      pod('shop/client', { role: client }, { ips: ['10.244.7.10'] }),
      pod('shop/other', { role: 'other' }, { ips: ['10.244.7.11'] }),
      pod('shop/server', { role: 'server' }, { ips: ['10.244.7.20'] }),
    ]
    const deny = policy('shop', 'default-deny', { podSelector: sel({}) })
    const allow = policy('shop', 'allow-client', { podSelector: sel({ role: 'server' }), ingress: [rule([podsPeer(sel({ role: 'client' }))], [port(8080)])] })
    const extra = policy('shop', 'allow-other-9090', { podSelector: sel({ role: 'server' }), ingress: [rule([podsPeer(sel({ role: 'other' }))], [port(9090)])] })
    const s = setup(cluster({ namespaces: [shop], pods: pods3('client'), policies: [deny, allow] }))
    await s.loop.sync()
    const more = cluster({ namespaces: [shop], pods: pods3('client'), policies: [deny, allow, extra] })
    s.set(more)
    await s.loop.sync() // class numbers allocated incrementally
    // `netpol agent --once` on the same input: the same rules, numbered afresh
    const once = new AgentLoop({ table: 'netpol', mode: 'enforce', managed: () => true }, { load: async () => ({ ok: true, cluster: more }), runner: s.nft, report: () => {} })
    expect(await once.sync()).toBe('applied')
    // client relabelled role=other: unguarded, this diff applies to the renumbered table and leaves a mix of
    // both numberings in which client → server:9090 is dropped
    s.set(cluster({ namespaces: [shop], pods: pods3('other'), policies: [deny, allow, extra] }))
    expect(await s.loop.sync()).toBe('applied')
    expect(s.kinds()).toEqual(['applied full', 'applied incremental', 'apply-failed incremental', 'applied full'])
    const v = (src: string, dport: number) => s.nft.evaluate({ src, dst: '10.244.7.20', protocol: 'TCP', dport }).verdict
    expect([v('10.244.7.10', 9090), v('10.244.7.10', 8080), v('10.244.7.11', 9090), v('10.244.7.11', 8080)]).toEqual(['accept', 'drop', 'accept', 'drop'])
  })

  test('bad input keeps the rules in force', async () => {
    const s = setup(denyAll)
    await s.loop.sync()
    s.set('3 errors in the input')
    expect(await s.loop.sync()).toBe('failed')
    expect(s.events.at(-1)).toMatchObject({ kind: 'load-failed', message: '3 errors in the input' })
    expect(verdict(s.nft, 5432)).toBe('drop')
    expect(s.loop.ready).toBe(true)
  })
})

describe('generations', () => {
  const names = async (s: ReturnType<typeof setup>) => {
    const r = await s.nft.objects({ family: 'inet', name: 'netpol' })
    return r.ok ? r.objects.sets.map((x) => x.name).sort() : []
  }

  test('a new generation is added, then switched to; the old one is removed once the grace period is over', async () => {
    const s = setup(denyAll, { graceMs: 40 })
    s.loop.start()
    await s.loop.idle()
    const first = await names(s)
    expect(first.filter((n) => n !== 'writer').every((n) => /_g[0-9a-z]+$/.test(n))).toBe(true)
    // the same input, but the kernel's state unknown (as after a failed transaction): a new generation takes over
    s.nft.failures.push('incremental failed')
    s.set(allowClient)
    s.loop.trigger()
    await new Promise((r) => setTimeout(r, 25))
    expect(verdict(s.nft, 5432)).toBe('accept')
    expect((await names(s)).length).toBe(2 * first.length - 1) // both generations, one writer set
    await s.loop.idle()
    expect((await names(s)).length).toBe(first.length)
    expect(s.kinds()).toEqual(['applied full', 'apply-failed incremental', 'applied full', 'cleaned'])
    expect(s.events.at(-1)).toMatchObject({ kind: 'cleaned', sets: first.length - 1 })
    expect(verdict(s.nft, 5432)).toBe('accept')
    await s.loop.stop()
  })

  test('removeStale waits out the grace period and cleans at once after it (for --once)', async () => {
    const s = setup(denyAll, { graceMs: 30 })
    await s.loop.sync()
    const other = new AgentLoop({ table: 'netpol', mode: 'enforce', managed: () => true, graceMs: 30 }, { load: async () => ({ ok: true, cluster: allowClient }), runner: s.nft, report: (e) => s.events.push(e) })
    expect(await other.sync()).toBe('applied')
    const t0 = performance.now()
    await other.removeStale()
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25)
    expect(s.kinds()).toEqual(['applied full', 'applied full', 'cleaned'])
    // the first writer's cleanup comes after another writer: it fails whole, and its next change is a new generation
    await s.loop.removeStale()
    expect(s.kinds().at(-1)).toBe('cleanup-failed')
    expect(verdict(s.nft, 5432)).toBe('accept')
    s.set(denyAll)
    expect(await s.loop.sync()).toBe('applied')
    expect(s.nft.history.at(-1)!.tx.kind).toBe('full')
    expect(verdict(s.nft, 5432)).toBe('drop')
  })
})

describe('running', () => {
  test('a burst of triggers is one sync', async () => {
    const s = setup(denyAll)
    s.loop.start()
    await s.loop.idle()
    const before = s.loads()
    s.set(allowClient)
    for (let i = 0; i < 10; i++) s.loop.trigger()
    await new Promise((r) => setTimeout(r, 20))
    await s.loop.idle()
    expect(s.loads() - before).toBe(1)
    expect(verdict(s.nft, 5432)).toBe('accept')
    await s.loop.stop()
  })

  test('settled is called once the syncs of a burst are done, not by sync() itself', async () => {
    let settled = 0
    let loadsWhenSettled = -1
    const s = setup(denyAll, { settled: () => ((settled += 1), (loadsWhenSettled = s.loads())) })
    await s.loop.sync()
    expect(settled).toBe(0)
    s.loop.start()
    await s.loop.idle()
    expect([settled, loadsWhenSettled]).toEqual([1, 2])
    s.set(allowClient)
    for (let i = 0; i < 10; i++) s.loop.trigger()
    await new Promise((r) => setTimeout(r, 20))
    await s.loop.idle()
    expect([settled, loadsWhenSettled]).toEqual([2, 3])
    await s.loop.stop()
  })

  test('failures are retried with backoff until they succeed', async () => {
    const s = setup('the input is being written')
    s.loop.start()
    await new Promise((r) => setTimeout(r, 50))
    expect(s.loop.ready).toBe(false)
    const retries = s.events.filter((e) => e.kind === 'load-failed').map((e) => (e as { retryInMs: number }).retryInMs)
    expect(retries.slice(0, 3)).toEqual([10, 20, 40])
    s.set(denyAll)
    await new Promise((r) => setTimeout(r, 60))
    await s.loop.idle()
    expect(s.loop.ready).toBe(true)
    await s.loop.stop()
  })
})

describe('--strict', () => {
  test('after a tightening, the connections the engine now denies are cut', async () => {
    const flows: CtFlow[] = [
      { family: 4, protocol: 'TCP', src: '10.244.0.7', dst: '10.244.0.5', sport: 40000, dport: 5432 },
      { family: 4, protocol: 'TCP', src: '10.244.0.5', dst: '10.244.0.7', sport: 40001, dport: 80 },
      { family: 4, protocol: 'UDP', src: '8.8.8.8', dst: '1.1.1.1', sport: 53, dport: 53 },
    ]
    const removed: CtFlow[] = []
    const conntrack: Conntrack = { list: async () => flows, remove: async (f) => (removed.push(f), true) }
    const s = setup(allowClient, { strict: true, conntrack })
    await s.loop.sync()
    removed.length = 0
    s.set(denyAll)
    await s.loop.sync()
    // only pg is isolated (for ingress): the connection to it is cut; the one from it and the foreign one are not
    expect(removed).toEqual([flows[0]])
    expect(s.events.at(-1)).toEqual({ kind: 'flows-cut', flows: 1, failed: 0 })
  })
})

describe('watchPaths', () => {
  /** Counts the calls; `next()` resolves at the next one, or with false after a second. */
  function counter() {
    let calls = 0
    let waiter: (() => void) | null = null
    return {
      onChange: () => {
        calls++
        waiter?.()
      },
      next: () =>
        new Promise<boolean>((resolve) => {
          const t = setTimeout(() => resolve(false), 1000)
          waiter = () => {
            clearTimeout(t)
            waiter = null
            resolve(true)
          }
        }),
      get calls() {
        return calls
      },
    }
  }
  const replace = (file: string, text: string) => {
    writeFileSync(`${file}.tmp`, text)
    renameSync(`${file}.tmp`, file)
  }

  test('a directory: every rename over the same file is seen, and files in subdirectories made later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpol-watch-'))
    const c = counter()
    const w = await watchPaths([dir], c.onChange)
    try {
      for (let i = 0; i < 5; i++) {
        const seen = c.next()
        replace(join(dir, 'a.yaml'), `n: ${i}\n`)
        expect(await seen).toBe(true)
        await new Promise((r) => setTimeout(r, 20))
      }
      mkdirSync(join(dir, 'sub'))
      await new Promise((r) => setTimeout(r, 50))
      const seen = c.next()
      writeFileSync(join(dir, 'sub', 'b.yaml'), 'n: 1\n')
      expect(await seen).toBe(true)
    } finally {
      w.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('two files of one directory are both watched; a third file there is not their change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpol-watch-'))
    const a = join(dir, 'a.yaml')
    const b = join(dir, 'b.yaml')
    writeFileSync(a, 'a: 1\n')
    writeFileSync(b, 'b: 1\n')
    const c = counter()
    const w = await watchPaths([a, b], c.onChange)
    try {
      writeFileSync(join(dir, 'other.yaml'), 'x: 1\n')
      expect(await c.next()).toBe(false)
      let seen = c.next()
      replace(a, 'a: 2\n')
      expect(await seen).toBe(true)
      await new Promise((r) => setTimeout(r, 20))
      seen = c.next()
      replace(b, 'b: 2\n')
      expect(await seen).toBe(true)
    } finally {
      w.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
