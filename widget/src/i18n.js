// The widget's strings come from the server, per language: the widget carries none.
import { own } from "./own.js";

/**
 * The best language on offer for a language tag ("es-MX" -> "es"), or "".
 * @param {Record<string, unknown>} offered
 * @param {string | undefined} tag
 */
function offeredLanguage(offered, tag) {
  const full = (tag || "").toLowerCase();
  if (own(offered, full)) return full;
  const base = full.split("-")[0];
  return own(offered, base) ? base : "";
}

/**
 * A translator: the page's language first, then the browser's, then English; a key
 * with no string shows as itself.
 * @param {Record<string, Record<string, string>>} texts
 * @returns {(key: string) => string}
 */
export function translator(texts) {
  const language = offeredLanguage(texts, document.documentElement.lang)
    || offeredLanguage(texts, navigator.language) || "en";
  const strings = own(texts, language) || {};
  return (key) => own(strings, key) || key;
}
