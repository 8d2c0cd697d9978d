// The widget's strings come from the server in one language: the visitor's, as the
// server negotiated it (Accept-Language, else the policy's language). A page written in
// another language the policy offers (<html lang>), else the browser's, gets that one.
import { own } from "./own.js";

/**
 * The offered language for a language tag ("es-MX" -> "es"), or "".
 * @param {string[]} offered
 * @param {string | undefined} tag
 */
function offeredLanguage(offered, tag) {
  const full = (tag || "").toLowerCase();
  return [full, full.split("-")[0]].find((language) => offered.includes(language)) || "";
}

/**
 * The language the banner should speak: the page's, else the browser's, else the one
 * the server chose.
 * @param {string[]} offered
 * @param {string} served
 */
export const pageLanguage = (offered, served) =>
  offeredLanguage(offered, document.documentElement.lang) || offeredLanguage(offered, navigator.language) || served;

/**
 * A translator over one language's strings; a key with no string shows as itself.
 * @param {Record<string, string>} strings
 * @returns {(key: string) => string}
 */
export const translator = (strings) => (key) => own(strings, key) || key;
