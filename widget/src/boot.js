// The synchronous part: the first script of the page, in <head>. Everything a script
// of the page may need before the rest of the widget loads (deferred) is set up here,
// before any other script runs: the state, the signals, and the public API's reading half.
import { CONFIG_ID, CORE_KEY, DEFAULT_PREFIX, STATE_ID } from "./constants.js";
import { installGpp } from "./gpp.js";
import { readJson } from "./page.js";
import { installSignals } from "./signals.js";
import { createCore } from "./state.js";

/** @typedef {import("./types").Config} Config */

/** @type {Partial<Config>} */
const written = readJson(CONFIG_ID) || {};
/** @type {Config} */
const config = {
  prefix: written.prefix || DEFAULT_PREFIX,
  mode: written.mode || "opt_out",
  age_gate: Boolean(written.age_gate),
  categories: written.categories || [],
  texts: written.texts || {},
};
const core = createCore(readJson(STATE_ID), config);

installSignals(core);
installGpp(core);

Object.defineProperty(window, CORE_KEY, { value: core });
/** @type {any} */ (window).consentkit = {
  get state() {
    return core.state;
  },
  allows: core.allows,
  on: (/** @type {string} */ name, /** @type {import("./types").Listener} */ listener) => {
    if (name === "change") core.subscribers.push(listener);
  },
};
