// Which declared host (and so which category and service) a URL, a cookie or a
// storage key belongs to. The server compiles the rules (widget_config.boot_config).
import { matchesName } from "./jar.js";

/** @typedef {import("./types").BootConfig} BootConfig */
/** @typedef {import("./types").NameRow} NameRow */

/**
 * @typedef {object} Rules
 * @property {BootConfig["hosts"]} hosts
 * @property {NameRow[]} cookies
 * @property {NameRow[]} storage
 * @property {RegExp} suspect matches any URL that may name a declared host
 */

/**
 * @param {BootConfig} policy
 * @returns {Rules}
 */
export const compileRules = (policy) => ({ ...policy, suspect: new RegExp(policy.suspect, "i") });

const ABSOLUTE = /^[\0- ]*([a-z][a-z\d+.-]*:|[\\/]{2})/i;

/**
 * Whether a URL (or a list of them) may name a declared host: the cheap test that rules
 * most URLs out before they are parsed. A relative URL names the base's host.
 * @param {Rules} rules
 * @param {string} url
 */
export const mayNameHost = (rules, url) =>
  rules.suspect.test(url) || (!ABSOLUTE.test(url) && rules.suspect.test(document.baseURI));

/**
 * The [category, service] of the declared host a URL loads from, after the browser's own
 * parsing (case, escapes, IDNA, dot segments); null for any other URL.
 * @param {Rules} rules
 * @param {string} url
 * @returns {string[] | null}
 */
export function hostOwner(rules, url) {
  if (!mayNameHost(rules, url)) return null;
  let parsed;
  try {
    parsed = new URL(url, document.baseURI);
  } catch {
    return null;
  }
  if (!/^https?:$/.test(parsed.protocol)) return null;
  const host = parsed.hostname.replace(/\.$/, "");
  const path = parsed.pathname.replace(/\/{2,}/g, "/");
  for (const [ruleHost, rulePath, ...owner] of rules.hosts) {
    const hostMatches = ruleHost.startsWith(".")
      ? host.endsWith(ruleHost) || host === ruleHost.slice(1)
      : host === ruleHost;
    if (hostMatches && (!rulePath || path === rulePath || path.startsWith(`${rulePath}/`))) return owner;
  }
  return null;
}

/**
 * The [category, service] that declares a cookie or storage key of that name, or null.
 * @param {NameRow[]} rows
 * @param {string} name
 * @returns {string[] | null}
 */
export function nameOwner(rows, name) {
  const row = rows.find(([pattern]) => matchesName(pattern, name));
  return row ? row.slice(1) : null;
}
