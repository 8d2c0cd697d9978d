// The names a service declares for its cookies and storage keys.

/**
 * Whether a name matches a declared cookie or storage key: exact, or "prefix*".
 * @param {string} pattern
 * @param {string} name
 */
export const matchesName = (pattern, name) =>
  pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
