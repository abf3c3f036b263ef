// Looks a key up in the language's dictionary and fills `{name}` placeholders. Pure: usable outside React.
import type { Language } from '../../../main/core/app-api';
import { en, type MessageKey, type Dictionary } from './en';
import { zhCN } from './zh-cn';

export type { Language, MessageKey };
export type MessageParams = Readonly<Record<string, string | number>>;
export type Translate = (key: MessageKey, params?: MessageParams) => string;

export const dictionaries: Readonly<Record<Language, Dictionary>> = { en, 'zh-CN': zhCN };
export const languages: readonly Language[] = ['en', 'zh-CN'];

/** BCP 47 tag for Intl formatters and <html lang>. */
export const localeOf = (language: Language): string => (language === 'zh-CN' ? 'zh-CN' : 'en');

const pluralRules = new Map<Language, Intl.PluralRules>();
/** `one|other` templates pick a form by `params.count` (English needs it; Chinese has one form and no `|`). */
function pluralForm(language: Language, template: string, count: number): string {
  const bar = template.indexOf('|');
  if (bar === -1) return template;
  let rules = pluralRules.get(language);
  if (rules === undefined) {
    rules = new Intl.PluralRules(localeOf(language));
    pluralRules.set(language, rules);
  }
  return rules.select(count) === 'one' ? template.slice(0, bar) : template.slice(bar + 1);
}

export function translate(language: Language, key: MessageKey, params?: MessageParams): string {
  const count = params?.count;
  const template = pluralForm(language, dictionaries[language][key], typeof count === 'number' ? count : Number.NaN);
  if (params === undefined) return template;
  // Unknown placeholders stay visible, so a missing parameter shows up in a screenshot instead of vanishing.
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

const translators = new Map<Language, Translate>();
/** One stable function per language, so components that depend on `t` re-render only when the language changes. */
export function translatorFor(language: Language): Translate {
  let t = translators.get(language);
  if (t === undefined) {
    t = (key, params) => translate(language, key, params);
    translators.set(language, t);
  }
  return t;
}

/** Keys are plain strings at runtime; this narrows a composed key (e.g. `state.${state}`) after checking it exists. */
export const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(en, key);
