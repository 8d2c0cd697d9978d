/**
 * The JSON a `<script type="application/json">` block of the page holds; null when
 * it is missing or broken.
 * @param {string} id
 * @returns {any}
 */
export const readJson = (id) => attempt(() => JSON.parse(document.getElementById(id)?.textContent ?? "null"), null);

/**
 * Run `fn` and swallow what it throws: cookies, storage and listeners can fail in a
 * locked-down browser or a page's own code, and the banner must still work.
 * @template T
 * @param {() => T} fn
 * @param {T} [fallback]
 * @returns {T | undefined}
 */
export function attempt(fn, fallback) {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
