/**
 * Every string the page shows, in English and Simplified Chinese. The choice is remembered in localStorage;
 * `{name}` in a text is replaced by the value given for it. Both tables have the same keys (the type says so
 * and test/web/i18n.test.ts checks it).
 */
import { en, type Key } from './i18n-en.js'
import { zh } from './i18n-zh.js'

export type Lang = 'en' | 'zh-CN'
export type { Key }
export const tables: Readonly<Record<Lang, Readonly<Record<Key, string>>>> = { en, 'zh-CN': zh }
const STORE = 'netpol.lang'

let lang: Lang = readLang()

function readLang(): Lang {
  try {
    const v = localStorage.getItem(STORE)
    if (v === 'en' || v === 'zh-CN') return v
  } catch {
    // storage refused (private window): English, not remembered
  }
  return navigator.language?.startsWith('zh') ? 'zh-CN' : 'en'
}

export const currentLang = (): Lang => lang

export function setLang(next: Lang): void {
  lang = next
  document.documentElement.lang = next
  try {
    localStorage.setItem(STORE, next)
  } catch {
    // not remembered; the page still switches
  }
}

export function t(key: Key, vars: Readonly<Record<string, string | number>> = {}): string {
  return tables[lang][key].replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m))
}

/** 1234 → "1,234" in the chosen language. */
export const num = (n: number): string => n.toLocaleString(lang)
