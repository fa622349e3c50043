import { describe, expect, test } from 'vitest'
import { en } from '../../web/src/i18n-en.js'
import { zh } from '../../web/src/i18n-zh.js'
import { t, useLang, type Lang } from '../../web/src/i18n.js'
import { nodeLabel } from '../../web/src/node-label.js'
import type { GraphNode } from '../../src/web/api.js'

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('the page speaks English and Simplified Chinese', () => {
  test('both tables have the same keys', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort())
  })
  test.each(Object.keys(en) as (keyof typeof en)[])('%s: the same {placeholders}, and a translation that is not empty', (key) => {
    expect(placeholders(zh[key])).toEqual(placeholders(en[key]))
    expect(zh[key].trim()).not.toBe('')
  })
})

describe('a number and the words that agree with it', () => {
  const say = (lang: Lang, f: () => string) => {
    useLang(lang)
    try {
      return f()
    } finally {
      useLang('en')
    }
  }
  test.each([
    ['en', 0, '0 pods · opened: 0 connections (0 groups)'],
    ['en', 1, '1 pod · opened: 1 connection (1 group)'],
    ['en', 2, '2 pods · opened: 2 connections (2 groups)'],
    ['en', 1200, '1,200 pods · opened: 1,200 connections (1,200 groups)'],
    ['zh-CN', 1, '1 个 Pod · 新开放：1 个连接（1 组）'],
    ['zh-CN', 1200, '1,200 个 Pod · 新开放：1,200 个连接（1,200 组）'],
  ] as const)('%s %d', (lang, n, want) => {
    expect(say(lang, () => `${t('app.pods', { n })} · ${t('whatif.opened', { n, g: n })}`)).toBe(want)
  })
  test('every {n|one|other} of the English table names a placeholder of its text', () => {
    for (const [key, text] of Object.entries(en)) {
      for (const m of text.matchAll(/\{(\w+)\|[^|{}]*\|[^|{}]*\}/g)) expect(placeholders(text), key).toContain(m[1])
    }
  })
})

describe('the English words of graph labels are said from the tables', () => {
  const say = (lang: Lang, n: { id: string; kind: GraphNode['kind']; label: string }, others = false) => {
    useLang(lang)
    try {
      return nodeLabel(n, others)
    } finally {
      useLang('en')
    }
  }
  test.each([
    ['en', { id: 'world', kind: 'external', label: 'any address' }, false, 'any address'],
    ['zh-CN', { id: 'world', kind: 'external', label: 'any address' }, false, '任意地址'],
    ['zh-CN', { id: 'world', kind: 'external', label: 'any other address' }, true, '其他任意地址'],
    ['zh-CN', { id: 'cidr:10.0.0.0/8 except 10.1.0.0/16', kind: 'external', label: '10.0.0.0/8 except 10.1.0.0/16' }, true, '10.0.0.0/8 除去 10.1.0.0/16'],
    ['en', { id: 'a/class/x', kind: 'class', label: 'app=api (1 pod)' }, false, 'app=api (1 pod)'],
    ['zh-CN', { id: 'a/class/x', kind: 'class', label: 'app=api, tier=backend (1200 pods) #2' }, false, 'app=api, tier=backend (1,200 个 Pod) #2'],
    ['zh-CN', { id: 'a/class/y', kind: 'class', label: 'no labels (3 pods)' }, false, '无标签 (3 个 Pod)'],
    ['zh-CN', { id: 'backend/deploy/api', kind: 'workload', label: 'deploy/api' }, false, 'deploy/api'],
  ] as const)('%s %j', (lang, n, others, want) => {
    expect(say(lang, n, others)).toBe(want)
  })
})
