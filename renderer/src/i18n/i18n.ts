import { en, type MessageKey } from './messages.en.js';
import { zh } from './messages.zh.js';

export type Lang = 'en' | 'zh-CN';
export const LANGS: readonly { id: Lang; label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'zh-CN', label: '简体中文' },
];
const tables: Record<Lang, Record<MessageKey, string>> = { en, 'zh-CN': zh };

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** A translator for one language; `{name}` placeholders are filled from vars. */
export function translator(lang: Lang): Translate {
  const table = tables[lang];
  return (key, vars) => table[key].replace(/\{(\w+)\}/g, (m, name: string) => (vars && name in vars ? String(vars[name]) : m));
}

export function initialLang(stored: string | null, browser: string): Lang {
  if (stored === 'en' || stored === 'zh-CN') return stored;
  return browser.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** The engine's text language for a UI language (see main/contract/engineText). */
export const textLang = (lang: Lang): 'en' | 'zh' => (lang === 'zh-CN' ? 'zh' : 'en');
