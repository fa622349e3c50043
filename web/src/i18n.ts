/**
 * Every string the page shows, in English and Simplified Chinese: `t(key)` in the language in use. `{name}` in a
 * text is replaced by the value given for it. Both tables have the same keys (the type says so and
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

export function t(key: Key, vars: Readonly<Record<string, string | number>> = {}): string {
  return tables[lang][key].replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m))
}

/** 1234 → "1,234" in the language in use. */
export const num = (n: number): string => n.toLocaleString(lang)
