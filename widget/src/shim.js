// A stand-in for a vendor's global API that the page calls before the vendor's script
// may load (reCAPTCHA v3's `grecaptcha.execute` in a submit handler): while its category
// is not granted a call gets the page's fallback at once, so the page keeps working;
// once granted, calls wait for the vendor's own functions and go to them.
//
//   consentkit.shim("grecaptcha", "captcha", {
//     ready: (callback) => callback(),
//     execute: () => Promise.resolve(""),   // no token: the server's fallback checks apply
//   });

/** @typedef {import("./types").Core} Core */
/** @typedef {(...args: any[]) => any} Method */

/**
 * @param {Core} core
 * @param {string} name the vendor's global, such as "grecaptcha"
 * @param {string} category the category (or service) that loads the vendor
 * @param {Record<string, Method>} fallbacks what each method does while not granted
 */
export function shim(core, name, category, fallbacks) {
  const page = /** @type {any} */ (window);
  if (page[name] !== undefined) return;
  /** @type {Record<string, Method>} */
  const vendor = {};
  /** Each waiting call's go-ahead. @type {((value?: unknown) => void)[]} */
  const waiting = [];
  let arrived = false;
  const flush = () => {
    arrived = true;
    for (const arrival of waiting.splice(0)) arrival();
  };
  const standIn = {};
  for (const [method, fallback] of Object.entries(fallbacks)) {
    /** @type {Method} */
    const wrapper = (...args) => {
      if (vendor[method]) return vendor[method](...args);
      // Not granted, or the vendor came without this one: the page's fallback.
      if (arrived || !core.allows(category)) return fallback(...args);
      // Granted, and the vendor is on its way: the call waits for it (and rejects if it throws).
      return new Promise((arrival) => waiting.push(arrival)).then(() => (vendor[method] || fallback)(...args));
    };
    // A vendor that fills in the object it finds (`grecaptcha.execute = ...`) lands here.
    Object.defineProperty(standIn, method, {
      enumerable: true,
      get: () => vendor[method] || wrapper,
      set(value) {
        if (value !== wrapper) vendor[method] = value;
        flush();
      },
    });
  }
  // A vendor that assigns its own object (`window.grecaptcha = {...}`) replaces the stand-in.
  Object.defineProperty(page, name, {
    configurable: true,
    get: () => standIn,
    set(value) {
      if (value === standIn) return;
      // A plain property from now on, as if the stand-in had never been.
      delete page[name];
      page[name] = value;
      for (const method of Object.keys(fallbacks)) if (typeof value?.[method] === "function") vendor[method] = value[method].bind(value);
      flush();
    },
  });
}
