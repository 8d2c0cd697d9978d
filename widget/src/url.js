// URLs as the browser reads them.

/**
 * The URL attributes a browser fetches, per element (upper-case tag names): a srcset
 * before its src, as the parser reads them.
 */
export const URL_ATTRIBUTES = new Map(Object.entries({
  IMG: ["srcset", "src"], LINK: ["imagesrcset", "href"], SOURCE: ["srcset", "src"], SCRIPT: ["src"],
  IFRAME: ["src"], EMBED: ["src"], OBJECT: ["data"], AUDIO: ["src"], VIDEO: ["poster", "src"],
  TRACK: ["src"], INPUT: ["src"], FRAME: ["src"],
}));
/** Every one of them, once, in that order: srcset before src. */
export const URL_ATTRIBUTE_NAMES = [...new Set([...URL_ATTRIBUTES.values()].flat())];

/**
 * The URL as the browser resolves it in the page (case, escapes, IDNA, dot segments) when
 * it loads over http(s); else null: never a `javascript:`, `data:` or other scheme that
 * would run or carry its own content.
 * @param {string} url
 * @returns {URL | null}
 */
export function webUrl(url) {
  try {
    const parsed = new URL(url, document.baseURI);
    return /^https?:$/.test(parsed.protocol) ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * One candidate of a srcset, as the HTML Standard splits them: its URL runs to the next
 * whitespace, and commas at its end part candidates (the first branch); else its
 * descriptors run to a comma outside parentheses (the second). What runs between
 * candidates (whitespace, commas) is skipped first.
 */
const SRCSET_CANDIDATE = /[\s,]*(?:(\S*?),+(?!\S)|(\S*)(?:[^,(]|\([^)]*\)?)*)/g;

/**
 * The URLs of a srcset.
 * @param {string} value
 */
export const srcsetUrls = (value) =>
  [...value.matchAll(SRCSET_CANDIDATE)].map(([, endsWithComma, url]) => endsWithComma ?? url).filter(Boolean);
