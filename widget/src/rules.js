// Which declared host (and so which category and service) a URL, a cookie or a
// storage key belongs to. The server compiles the rules (widget_config.boot_config).
import { matchesName } from "./names.js";
import { webUrl } from "./url.js";

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

// A URL with a scheme or a host ("//"), as a URL parser reads it: it drops tabs and
// newlines anywhere, and takes "\" for "/".
const ABSOLUTE = /^[\0- ]*(?:[a-z\t\n\r][a-z\d+.\-\t\n\r]*:|[\\/][\t\n\r]*[\\/])/i;
let lastBase = "";
let baseIsSuspect = false;

/**
 * Whether a URL (or a list of them) may name a declared host: the cheap test that rules
 * most URLs out before they are parsed. A relative URL names the base's host, which is
 * tested once per base.
 * @param {Rules} rules
 * @param {string} url
 */
export function mayNameHost(rules, url) {
  if (ABSOLUTE.test(url)) return rules.suspect.test(url);
  const base = document.baseURI;
  if (base !== lastBase) {
    lastBase = base;
    baseIsSuspect = rules.suspect.test(base);
  }
  return baseIsSuspect || (url.includes(",") && rules.suspect.test(url));
}

/**
 * The [category, service] of the declared host a URL loads from, after the browser's own
 * parsing (case, escapes, IDNA, dot segments); null for any other URL.
 * @param {Rules} rules
 * @param {string} url
 * @returns {string[] | null}
 */
export function hostOwner(rules, url) {
  const parsed = mayNameHost(rules, url) ? webUrl(url) : null;
  if (!parsed) return null;
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
