// What the ad stack reads, defined before any other script runs: the IAB US Privacy
// string (`__uspapi`; its cookie a moment later) and Google Consent Mode v2 (every type
// the policy knows, CONSENT_MODE_TYPES in consentkit/policy.py, denied unless granted).
import { YEAR_SECONDS } from "./constants.js";
import { attempt } from "./page.js";

/** @typedef {import("./types").Core} Core */

const GRANTED = "granted";
const DENIED = "denied";

/**
 * The `usprivacy` cookie that ad servers read (written by the deferred part).
 * @param {Core} core
 */
export function writeUsPrivacyCookie(core) {
  const value = core.state.usprivacy;
  if (!value) return;
  const secure = location.protocol === "https:" ? ";secure" : "";
  attempt(() => {
    document.cookie = `usprivacy=${value};path=/;max-age=${YEAR_SECONDS};samesite=lax${secure}`;
  });
}

/**
 * Every Consent Mode type, granted where a granted category maps onto it.
 * @param {Core} core
 */
function consentModeValues(core) {
  /** @type {Record<string, string>} */
  const values = {};
  for (const type of core.policy.consent_mode_types) values[type] = DENIED;
  for (const [category, types] of Object.entries(core.policy.consent_mode)) {
    if (core.allows(category)) for (const type of types) values[type] = GRANTED;
  }
  return values;
}

/** @param {Core} core */
export function installSignals(core) {
  const page = /** @type {any} */ (window);
  page.__uspapi = (/** @type {unknown} */ command, /** @type {unknown} */ version, /** @type {unknown} */ callback) => {
    const known = command === "getUSPData" && version === 1;
    if (typeof callback === "function") {
      callback(known ? { version: 1, uspString: core.state.usprivacy } : null, known);
    }
  };
  page.dataLayer ||= [];
  // gtag() as Google writes it: it pushes its `arguments` object, which gtag.js expects.
  page.gtag ||= function () {
    page.dataLayer.push(arguments);
  };
  page.gtag("consent", "default", consentModeValues(core));
  core.onChange(() => page.gtag("consent", "update", consentModeValues(core)));
}
