/** The user's language: remembered in localStorage, else the browser's; English when neither says Chinese. */
import { useLang, type Lang } from './i18n.js'

const STORE = 'netpol.lang'

export function initialLang(): Lang {
  try {
    const v = localStorage.getItem(STORE)
    if (v === 'en' || v === 'zh-CN') return v
  } catch {
    // storage refused (a private window): not remembered
  }
  return navigator.language.startsWith('zh') ? 'zh-CN' : 'en'
}

export function chooseLang(next: Lang, remember = true): void {
  useLang(next)
  document.documentElement.lang = next
  if (!remember) return
  try {
    localStorage.setItem(STORE, next)
  } catch {
    // not remembered; the page still switches
  }
}
