// URLs as the browser reads them.

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
