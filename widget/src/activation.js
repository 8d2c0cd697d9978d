// Inert tags (served `type="text/plain"` or with their URL in `data-src`) come alive in
// place, in document order, when their category is granted: no reload.
//
// Nothing here widens what the page itself allowed (#13 M2): a script gets a nonce only
// where the app put one on the inert tag, and a URL goes live only if it is http(s).
import { CONSENT } from "./constants.js";
import { srcsetUrls, URL_ATTRIBUTE_NAMES, webUrl } from "./url.js";

/** @typedef {import("./types").Core} Core */

/** What a script's copy must not take from its inert tag. */
const SCRIPT_OWN_ATTRIBUTES = new Set(["type", "nonce", "data-src", "data-type"]);
const INERT_TYPE = "text/plain";
const PLACEHOLDER = "data-consentkit-placeholder";
/** The scripts activated here (their document.write goes in after them). */
const activated = new WeakSet();

/**
 * The URLs in an attribute's value: a srcset's candidates, else the value itself.
 * @param {string} attribute
 * @param {string} value
 */
const urlsIn = (attribute, value) => (attribute.endsWith("srcset") ? srcsetUrls(value) : [value.trim()]);

/**
 * Whether a URL (or each candidate of a srcset) loads over http(s).
 * @param {string} attribute
 * @param {string} value
 */
const isWebUrl = (attribute, value) => urlsIn(attribute, value).every((url) => webUrl(url) !== null);

/**
 * Whether every category (or service) a tag names is granted: "analytics advertising"
 * needs both.
 * @param {Core} core
 * @param {string} names
 */
export const allowsAll = (core, names) => {
  const ids = names.trim().split(/\s+/);
  return ids[0] !== "" && ids.every((id) => core.allows(id));
};

/**
 * Whether an inert tag may come alive: no URL of it is on the host of a service not
 * granted, and each category (or service) it names is granted, or is the category of
 * the services its URLs load from ("Always allow YouTube" on an iframe marked "media").
 * The server decides the same way (consentkit/gating/decide.py).
 * @param {Core} core
 * @param {Element} element
 */
function tagAllowed(core, element) {
  const names = (element.getAttribute(CONSENT) || "").trim().split(/\s+/);
  /** @type {string[][]} */
  const owners = [];
  for (const name of URL_ATTRIBUTE_NAMES) {
    for (const value of [element.getAttribute(name), element.getAttribute(`data-${name}`)]) {
      for (const url of value ? urlsIn(name, value) : []) {
        const owner = core.owner?.(url);
        if (owner) owners.push(owner);
      }
    }
  }
  return names[0] !== "" && owners.every((owner) => core.grants?.(owner))
    && names.every((id) => core.allows(id) || owners.some(([category]) => category === id));
}


/**
 * A script runs only when created anew (one parsed from markup never does): a copy of
 * `source`, its attributes but those in `skip`. (A script with a URL ignores its text.)
 * @param {HTMLScriptElement} source
 * @param {Set<string>} [skip]
 */
function copyScript(source, skip) {
  const script = document.createElement("script");
  for (const { name, value } of source.attributes) if (!skip?.has(name)) script.setAttribute(name, value);
  script.text = source.text;
  return script;
}

/**
 * A live copy of an inert script takes its place.
 * @param {HTMLScriptElement} inert
 * @returns {Promise<unknown> | undefined} settles when a blocking external script has run
 */
function runScript(inert) {
  if (inert.type !== INERT_TYPE) return undefined;
  const source = inert.dataset.src ?? inert.getAttribute("src");
  if (source !== null && !isWebUrl("src", source)) return undefined;
  const script = copyScript(inert, SCRIPT_OWN_ATTRIBUTES);
  if (inert.dataset.type) script.type = inert.dataset.type;
  // The app's own nonce only (the IDL property: browsers hide the attribute's value).
  if (inert.nonce) script.nonce = inert.nonce;
  /** @type {Promise<unknown> | undefined} */
  let settled;
  if (source !== null) {
    script.async = inert.hasAttribute("async");
    if (!script.async) {
      settled = new Promise((resolve) => {
        script.onload = script.onerror = resolve;
      });
    }
    script.src = source;
  }
  activated.add(script);
  inert.replaceWith(script);
  return settled;
}

/**
 * Put each URL back where the browser reads it. (setAttributeNS: the guard's hook on
 * setAttribute would hold the URL of an element loaded once, see `loadOnce`.)
 * @param {Element} inert
 */
function restoreUrls(inert) {
  for (const name of URL_ATTRIBUTE_NAMES) {
    const value = inert.getAttribute(`data-${name}`);
    if (value === null || !isWebUrl(name, value)) continue;
    inert.setAttributeNS(null, name, value);
    inert.removeAttribute(`data-${name}`);
  }
  // A <source> is only read when its media element loads again.
  if (inert instanceof HTMLSourceElement && inert.parentNode instanceof HTMLMediaElement) {
    inert.parentNode.load();
  }
}

/**
 * A script activated after the page was parsed that calls document.write (a Floodlight
 * tag) would replace the whole page: its markup goes in after it instead, its scripts
 * run in order, and the guard holds what must wait.
 */
function writeAfterScripts() {
  const write = document.write;
  /** @param {string[]} parts */
  const insert = (...parts) => {
    const script = document.currentScript;
    if (document.readyState === "loading" && !(script && activated.has(script))) {
      write.apply(document, parts);
      return;
    }
    const fragment = document.createRange().createContextualFragment(parts.join(""));
    for (const parsed of fragment.querySelectorAll("script")) {
      const copy = copyScript(parsed);
      copy.async = false;
      parsed.replaceWith(copy);
    }
    if (script?.isConnected) script.after(fragment);
    else document.body.append(fragment);
  };
  document.write = insert;
  document.writeln = (...parts) => insert(...parts, "\n");
}

/**
 * "Load once" on a click-to-load placeholder (gating/placeholder.py): a copy of the embed
 * after it loads inside it, and nothing is recorded. The copy is never in the page before
 * its URLs are back, so the guard lets it be: it watches URL attributes that change in the
 * page and what goes into <html>, <head> and <body>, not into a placeholder. The inert
 * embed stays, for a grant to activate later (the placeholder, and its copy, then hide).
 * @param {HTMLElement} button
 */
export function loadOnce(button) {
  const placeholder = /** @type {Element} */ (button.closest(".ck-ph"));
  const live = /** @type {Element | undefined} */ (placeholder.nextElementSibling?.cloneNode(true));
  if (live?.hasAttribute(CONSENT)) {
    for (const element of [live, ...live.querySelectorAll(`[${CONSENT}]`)]) restoreUrls(element);
    placeholder.replaceChildren(live);
  }
}

/**
 * Activates, in document order, each inert tag whose categories are granted; a script
 * waits for the blocking script before it, as the parser would have made it.
 * @param {Core} core
 */
export function createActivation(core) {
  writeAfterScripts();
  const seen = new WeakSet();
  let queue = /** @type {Promise<unknown>} */ (Promise.resolve());
  return function activate() {
    for (const element of document.querySelectorAll(`[${CONSENT}]`)) {
      if (seen.has(element) || !(element instanceof HTMLElement)) continue;
      if (!tagAllowed(core, element)) continue;
      seen.add(element);
      queue = queue.then(() =>
        element instanceof HTMLScriptElement ? runScript(element) : restoreUrls(element));
    }
    for (const placeholder of document.querySelectorAll(`[${PLACEHOLDER}]`)) {
      if (placeholder instanceof HTMLElement) {
        placeholder.hidden = allowsAll(core, placeholder.getAttribute(PLACEHOLDER) || "");
      }
    }
  };
}
