// The runtime guard: installed by the first script of the page, before any other runs.
// An element made or changed by script, or a request sent by script, whose URL names a
// declared host of a category (or service) that is not granted is not fetched: it is
// held, in order, and released when the visitor grants it, without a reload. What a
// held category stores (cookies, storage keys) is refused while it is not granted.
//
// Its hooks: the URL properties of the element prototypes, setAttribute, markup parsed
// from strings (innerHTML, outerHTML, insertAdjacentHTML, createContextualFragment,
// document.write), fetch, XMLHttpRequest, sendBeacon, document.cookie and localStorage;
// a MutationObserver catches what slips past them, after the fact. Its limits are in
// SECURITY.md ("The runtime guard").
import { CONSENT } from "./constants.js";
import { own } from "./own.js";
import { attempt } from "./page.js";
import { hostOwner, mayNameHost, nameOwner } from "./rules.js";
import { srcsetUrls, URL_ATTRIBUTE_NAMES, URL_ATTRIBUTES } from "./url.js";

/** @typedef {import("./types").Core} Core */
/** @typedef {import("./rules.js").Rules} Rules */

/**
 * @param {object} target
 * @param {string} name
 * @returns {PropertyDescriptor}
 */
const descriptor = (target, name) => /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(target, name));

/**
 * Replace an accessor's setter, keeping its getter; once per prototype, found up the
 * chain from `target` (audio's and video's `src` is one, on HTMLMediaElement).
 * @param {object | null} target
 * @param {string} name
 * @param {(original: (value: any) => void) => (this: any, value: any) => void} wrap
 */
function wrapSetter(target, name, wrap) {
  while (target && !Object.hasOwn(target, name)) target = Object.getPrototypeOf(target);
  const original = target && descriptor(target, name);
  if (!target || !original?.set || wrapped.has(original.set)) return;
  const set = wrap(original.set);
  wrapped.add(set);
  Object.defineProperty(target, name, { ...original, set });
}
const wrapped = new WeakSet();

/**
 * @param {Core} core
 * @param {Rules} rules
 */
export function installGuard(core, rules) {
  /** @type {{ owner: string[], release: () => void }[]} */
  const queue = [];
  const setAttribute = Element.prototype.setAttribute;
  const removeAttribute = Element.prototype.removeAttribute;
  const innerHTML = descriptor(Element.prototype, "innerHTML");
  const write = document.write;

  /**
   * A service by its own value (the server's state lists each one), else by its category's.
   * @param {string[]} owner [category, service]
   */
  const granted = ([category, service]) => own(core.state.services, service) ?? core.allows(category);
  core.owner = (url) => hostOwner(rules, url);
  core.grants = granted;

  /**
   * The [category, service] that holds this URL now (or any candidate of a srcset), else null.
   * @param {unknown} value
   * @param {string} [attribute] a srcset is a list of URLs, each before its descriptor
   */
  function holdingRule(value, attribute = "") {
    const text = String(value);
    // Most URLs name no declared host: ruled out before they are split or parsed.
    if (!mayNameHost(rules, text)) return null;
    for (const url of attribute.endsWith("srcset") ? srcsetUrls(text) : [text]) {
      const owner = hostOwner(rules, url);
      if (owner && !granted(owner)) return owner;
    }
    return null;
  }

  /**
   * Hold an element's URL if it must wait: kept in `data-<attribute>` as the server's
   * inert tags keep it, and queued.
   * @param {Element} element
   * @param {string} attribute lower-case
   * @param {unknown} value
   * @param {(this: Element, value: string) => void} [set] the browser's setter of the
   *   property that sets it for real, else its setAttribute (no closure is made for a
   *   URL that goes straight through: V8 would make one on every call of a hook)
   * @returns {boolean} whether it is held
   */
  function holdUrl(element, attribute, value, set) {
    const owner = holdingRule(value, attribute);
    if (!owner) return false;
    setAttribute.call(element, `data-${attribute}`, String(value));
    queue.push({ owner, release: () => {
      removeAttribute.call(element, `data-${attribute}`);
      if (set) set.call(element, String(value));
      else setAttribute.call(element, attribute, String(value));
    } });
    return true;
  }

  // -- element properties and attributes
  for (const [tag, attributes] of URL_ATTRIBUTES) {
    const prototype = Object.getPrototypeOf(document.createElement(tag));
    for (const attribute of attributes) {
      // (No property is named "imagesrcset": link.imageSrcset is left to the safety net.)
      wrapSetter(prototype, attribute, (set) => function (value) {
        // The cheap test first: most URLs go straight through, with nothing allocated.
        if (!mayNameHost(rules, String(value)) || !holdUrl(this, attribute, value, set)) {
          set.call(this, value);
        }
      });
    }
    // setAttribute is hooked on these prototypes, not on Element's: there, every
    // element's attributes went through the hook, and V8 calls the browser's own
    // setAttribute much more slowly from a hook that sees elements of many kinds (it was
    // half the guard's cost in benchmarks/widget_guard.py).
    /** @type {(this: Element, name: string, value: string) => void} */
    prototype.setAttribute = function (name, value) {
      const attribute = String(name).toLowerCase();
      if (!attributes.includes(attribute) || !mayNameHost(rules, String(value))
          || !holdUrl(this, attribute, value)) {
        setAttribute.call(this, name, value);
      }
    };
  }

  /**
   * Hold every URL that must wait in a node and the elements under it (or in a tree of
   * them not yet in the page). The tree is searched tag by tag: in Chromium, a selector of
   * one tag name is matched much faster than the list of them (1,000 elements: 90 us for
   * the twelve, 200 us for the list), and each list read by index (its iterator cost as
   * much as the search).
   * @param {Node} root
   * @param {boolean} [inert] make them inert as the server does (`data-consent`, and
   *   `type="text/plain"` for a script), for the parser to insert and the widget to
   *   activate, instead of queueing them
   * @returns {boolean} whether anything is held
   */
  function holdTree(root, inert = false) {
    const element = /** @type {Element} */ (root);
    let held = holdElement(element, URL_ATTRIBUTES.get(element.tagName), inert);
    if (element.firstElementChild) {
      for (const [tag, names] of URL_ATTRIBUTES) {
        const list = element.querySelectorAll(tag);
        for (let i = 0; i < list.length; i++) held = holdElement(list[i], names, inert) || held;
      }
    }
    return held;
  }

  /**
   * @param {Element} element
   * @param {string[] | undefined} names its URL attributes
   * @param {boolean} inert
   * @returns {boolean} whether anything is held
   */
  function holdElement(element, names = [], inert) {
    let held = false;
    for (const attribute of names) {
      const value = element.getAttribute(attribute);
      const owner = value === null ? null : holdingRule(value, attribute);
      if (!owner || value === null) continue;
      held = true;
      removeAttribute.call(element, attribute);
      if (!inert) {
        holdUrl(element, attribute, value);
        continue;
      }
      setAttribute.call(element, `data-${attribute}`, value);
      setAttribute.call(element, CONSENT, owner[0]);
      if (element.tagName === "SCRIPT") setAttribute.call(element, "type", "text/plain");
    }
    return held;
  }

  /**
   * Markup parsed where nothing loads (a template), with what must wait held; null when
   * nothing in it must wait, so that the browser's own parsing goes ahead unchanged.
   * @param {unknown} markup
   * @param {boolean} [inertScripts]
   * @param {unknown} [node] where it goes: a template's own markup loads nothing
   */
  function heldMarkup(markup, inertScripts, node) {
    const text = String(markup);
    if (!rules.suspect.test(text) || node instanceof HTMLTemplateElement) return null;
    const template = document.createElement("template");
    innerHTML.set?.call(template, text);
    return holdTree(template.content, inertScripts) ? template : null;
  }

  // What must wait held, the markup goes in by the DOM method that puts a fragment where
  // the string would have gone.
  /**
   * @param {object} target
   * @param {string} name
   * @param {"replaceChildren" | "replaceWith"} insert
   */
  const guardMarkupSetter = (target, name, insert) => wrapSetter(target, name, (set) => function (markup) {
    const template = heldMarkup(markup, false, this);
    if (template) this[insert](template.content);
    else set.call(this, markup);
  });
  guardMarkupSetter(Element.prototype, "innerHTML", "replaceChildren");
  guardMarkupSetter(ShadowRoot.prototype, "innerHTML", "replaceChildren");
  guardMarkupSetter(Element.prototype, "outerHTML", "replaceWith");
  const insertAdjacentHTML = Element.prototype.insertAdjacentHTML;
  /** @type {Record<string, "before" | "prepend" | "append" | "after">} */
  const ADJACENT = { beforebegin: "before", afterbegin: "prepend", beforeend: "append", afterend: "after" };
  /** @type {(this: Element, position: InsertPosition, markup: string) => void} */
  Element.prototype.insertAdjacentHTML = function (position, markup) {
    const insert = own(ADJACENT, String(position).toLowerCase());
    const template = insert ? heldMarkup(markup) : null;
    if (template && insert) this[insert](template.content);
    else insertAdjacentHTML.call(this, position, markup);
  };
  const createContextualFragment = Range.prototype.createContextualFragment;
  /** @type {(this: Range, markup: string) => DocumentFragment} */
  Range.prototype.createContextualFragment = function (markup) {
    return heldMarkup(markup)?.content ?? createContextualFragment.call(this, markup);
  };

  // -- document.write, while the page is parsed: the parser gets the markup with what must
  // wait made inert, as the server would have served it. (After that, the widget's
  // deferred part writes after the script instead: see activation.js.)
  /** @param {string[]} parts */
  const guardedWrite = (...parts) => {
    const markup = parts.join("");
    const template = heldMarkup(markup, true);
    write.call(document, template ? String(innerHTML.get?.call(template)) : markup);
  };
  document.write = guardedWrite;
  document.writeln = (...parts) => guardedWrite(...parts, "\n");

  // -- requests
  /**
   * @param {unknown} url
   * @param {() => void} send
   * @returns {boolean} whether the request is held
   */
  function holdRequest(url, send) {
    const owner = holdingRule(url);
    if (owner) queue.push({ owner, release: send });
    return owner !== null;
  }
  const page = /** @type {any} */ (window);
  const fetch = page.fetch;
  page.fetch = function (/** @type {RequestInfo | URL} */ input, /** @type {RequestInit} */ init) {
    const url = input instanceof Request ? input.url : input;
    return new Promise((resolve) => {
      const send = () => resolve(fetch.call(page, input, init));
      if (!holdRequest(url, send)) send();
    });
  };
  const urls = new WeakMap();
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (/** @type {string} */ method, /** @type {string | URL} */ url) {
    urls.set(this, url);
    return open.apply(this, /** @type {any} */ (arguments));
  };
  const send = XMLHttpRequest.prototype.send;
  /** @type {(this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) => void} */
  XMLHttpRequest.prototype.send = function (body) {
    if (!holdRequest(urls.get(this), () => send.call(this, body))) send.call(this, body);
  };
  const sendBeacon = navigator.sendBeacon;
  if (sendBeacon) {
    navigator.sendBeacon = function (url, data) {
      return holdRequest(url, () => sendBeacon.call(navigator, url, data)) || sendBeacon.call(navigator, url, data);
    };
  }

  // -- what a category keeps in the browser, refused while it is not granted
  /** @param {string} name */
  const refusedCookie = (name) => {
    const owner = nameOwner(rules.cookies, name.trim());
    return owner !== null && !granted(owner);
  };
  // A write with an empty value (a deletion: the widget's own withdrawal, or a vendor's)
  // always goes through.
  wrapSetter(Document.prototype, "cookie", (set) => function (value) {
    const [name, rest = ""] = String(value).split("=");
    if (!refusedCookie(name) || /^\s*(;|$)/.test(rest)) set.call(this, value);
  });
  const setItem = Storage.prototype.setItem;
  /** @type {(this: Storage, key: string, value: string) => void} */
  Storage.prototype.setItem = function (key, value) {
    const owner = this === attempt(() => localStorage) ? nameOwner(rules.storage, String(key)) : null;
    if (!owner || granted(owner)) setItem.call(this, key, value);
  };

  // -- the safety net: an element that reached the page with a URL that must wait, by a
  // way no hook sees. The browser may have started fetching it already. It watches every
  // URL attribute that changes in the page, and the elements put straight into <head> and
  // <body>, where vendors' loaders put theirs: a MutationObserver on every insertion in
  // the page would cost a page that builds its DOM by script as much as the build itself.
  // It looks at every element again, those a hook judged too (a second URL may have come
  // another way): a WeakSet of the judged ones for it to pass by cost more, adding every
  // element a hook saw, than the looking it saved (benchmarks/widget_guard.py, +7%).
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "attributes") holdTree(record.target);
      for (const node of record.addedNodes) {
        holdTree(node);
        if (node === document.body) observer.observe(node, { childList: true });
      }
    }
  });
  observer.observe(document, { subtree: true, attributes: true, attributeFilter: URL_ATTRIBUTE_NAMES });
  for (const parent of [document.documentElement, document.head, document.body]) {
    if (parent) observer.observe(parent, { childList: true });
  }

  // -- release, in order, what the visitor now grants
  core.onChange(() => {
    for (const held of queue.filter((item) => granted(item.owner))) {
      queue.splice(queue.indexOf(held), 1);
      attempt(held.release);
    }
  });
}
