// The synchronous part: the first script of the page, in <head>. Everything a script
// of the page may need before the rest of the widget loads (deferred) is set up here,
// before any other script runs: the state, the signals, and the public API's reading half.
import { BOOT_GLOBAL, CORE_KEY, STATE_ID } from "./constants.js";
import { installGpp } from "./gpp.js";
import { installGuard } from "./guard.js";
import { matchesName } from "./names.js";
import { own } from "./own.js";
import { attempt, readJson } from "./page.js";
import { compileRules } from "./rules.js";
import { installSignals } from "./signals.js";
import { createCore } from "./state.js";
import { srcsetUrls, URL_ATTRIBUTE_NAMES, webUrl } from "./url.js";

const page = /** @type {any} */ (window);
/** @type {import("./types").BootConfig} */
const policy = page[BOOT_GLOBAL];
delete page[BOOT_GLOBAL];
const core = createCore(readJson(STATE_ID), policy);

installGuard(core, compileRules(policy));
installSignals(core);
installGpp();

// The helpers widget.js needs as well: it takes these, not copies of its own (build.mjs).
core.shared = { own, attempt, matchesName, webUrl, URL_ATTRIBUTE_NAMES, srcsetUrls };
page[CORE_KEY] = core;
page.consentkit = {
  get state() {
    return core.state;
  },
  allows: core.allows,
  on: (/** @type {string} */ name, /** @type {import("./types").Listener} */ listener) => {
    if (name === "change") core.subscribers.push(listener);
  },
};
