/**
 * Every string the page shows, in English and Simplified Chinese: `t(key)` in the language in use. `{name}` in a
 * text is replaced by the value given for it (see t for numbers and the words that agree with them). Both tables have the same keys (the type says so and
 * test/web/i18n.test.ts checks it). Pure: which language the user chose, and remembering it, is lang-choice.ts.
 */
import { en, type Key } from './i18n-en.js'
import { zh } from './i18n-zh.js'

export type Lang = 'en' | 'zh-CN'
export type { Key }
export const tables: Readonly<Record<Lang, Readonly<Record<Key, string>>>> = { en, 'zh-CN': zh }

let lang: Lang = 'en'

export const currentLang = (): Lang => lang
export const useLang = (next: Lang): void => {
  lang = next
}

/**
 * `{n}` is the value of n, a number written as the language writes numbers (1,234); `{n|pod|pods}` is the word
 * that goes with the number n: the first when the language's plural rules say "one" of it, else the second.
 */
export function t(key: Key, vars: Readonly<Record<string, string | number>> = {}): string {
  return tables[lang][key]
    .replace(/\{(\w+)\|([^|{}]*)\|([^|{}]*)\}/g, (m, k: string, one: string, other: string) =>
      typeof vars[k] === 'number' ? (plural().select(vars[k]) === 'one' ? one : other) : m)
    .replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? say(vars[k]!) : m))
}

const say = (v: string | number): string => (typeof v === 'number' ? num(v) : v)
const plurals = new Map<Lang, Intl.PluralRules>()
const plural = (): Intl.PluralRules => plurals.get(lang) ?? plurals.set(lang, new Intl.PluralRules(lang)).get(lang)!

/** 1234 → "1,234" in the language in use. */
export const num = (n: number): string => n.toLocaleString(lang)
