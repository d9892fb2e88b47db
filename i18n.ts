import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";
import i18next from "i18next";

/**
 * The text catalogue: every user-facing string, in `locales/{vi,en}.json` (i18next, plain keys).
 * The dialogue speaks the chat's language (`withLang` + `t`); code outside a conversation — the
 * workers, the answer composer — names the language (`tl`): officers read Vietnamese, a tipster
 * the language sealed in their tip's reply handle.
 */

/** Languages the bot speaks; Vietnamese is the default and the fallback. */
export const LANGS = ["vi", "en"] as const;
export type Lang = (typeof LANGS)[number];

const load = (lang: Lang) =>
  JSON.parse(readFileSync(new URL(`./locales/${lang}.json`, import.meta.url), "utf8")) as Record<
    string,
    string
  >;

const i18n = i18next.createInstance();
void i18n.init({
  lng: "vi",
  fallbackLng: "vi",
  initAsync: false,
  showSupportNotice: false,
  // Keys contain dots and dashes ("category.ma-tuy"): no nesting, plain keys.
  keySeparator: false,
  nsSeparator: false,
  // Replies are plain text: nothing is HTML-escaped, and adapters never use a parse mode.
  interpolation: { escapeValue: false },
  resources: { vi: { translation: load("vi") }, en: { translation: load("en") } },
});

const current = new AsyncLocalStorage<Lang>();

/** Runs `fn` with `lang` as the language of every `t` call inside it (across awaits). */
export function withLang<T>(lang: Lang, fn: () => Promise<T>): Promise<T> {
  return current.run(lang, fn);
}

/** The text of `key` in the current conversation's language (Vietnamese outside `withLang`). */
export function t(key: string, vars?: Record<string, string | number>): string {
  return tl(current.getStore() ?? "vi", key, vars);
}

/** The text of `key` in `lang`, for code that is not inside a conversation (workers, answers). */
export function tl(lang: Lang, key: string, vars?: Record<string, string | number>): string {
  return i18n.t(key, { lng: lang, ...vars });
}
