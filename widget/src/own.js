/**
 * `object[key]` when the object has that key as its own property, else undefined: a
 * category id, language or action name from the page ("__proto__", "constructor")
 * never reaches what every object inherits.
 * @template T
 * @param {Record<string, T> | null | undefined} object
 * @param {string} key
 * @returns {T | undefined}
 */
export const own = (object, key) => (object && Object.hasOwn(object, key) ? object[key] : undefined);
