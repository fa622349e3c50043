import { describe, expect, test } from 'vitest'
import { en } from '../../web/src/i18n-en.js'
import { zh } from '../../web/src/i18n-zh.js'

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
