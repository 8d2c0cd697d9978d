// The deferred part: the banner, the preferences dialog, activation of inert tags and
// the rest of the API. It runs once the document is parsed, before DOMContentLoaded, so
// the banner is in the page's first paint after it.
import { createActivation } from "./activation.js";
import { createApi } from "./api.js";
import { installCmpApi } from "./cmpapi.js";
import { CORE_KEY, WIDGET_GLOBAL } from "./constants.js";
import { pageLanguage, translator } from "./i18n.js";
import { forget } from "./jar.js";
import { shim } from "./shim.js";
import { writeUsPrivacyCookie } from "./signals.js";
import { createUi } from "./ui.js";

/** @typedef {import("./types").Core} Core */
/** @typedef {import("./types").WidgetConfig} WidgetConfig */

const page = /** @type {any} */ (window);
/** @type {WidgetConfig | undefined} */
const served = page[WIDGET_GLOBAL];
delete page[WIDGET_GLOBAL];

/**
 * @param {Core} core
 * @param {WidgetConfig} details
 */
function start(core, details) {
  core.details = details;
  // A category not granted keeps nothing in the browser: removed on every page view, and
  // at once when it is withdrawn (the guard refuses new writes meanwhile). The US Privacy
  // cookie follows the state the same way.
  const keepUpToDate = () => {
    for (const category of details.categories) if (!core.allows(category.id)) forget(category);
    writeUsPrivacyCookie(core);
  };
  keepUpToDate();
  core.onChange(keepUpToDate);
  page.consentkit.shim = shim.bind(null, core);
  const t = translator(details.texts);
  const ui = createUi(core, details, t);
  const activate = createActivation(core);
  createApi(core, details, ui, activate);
  ui.mount();
  installCmpApi(core, details.gpp);
  ui.dropSecondLink();
  activate();
  document.dispatchEvent(new CustomEvent("consentkit:ready", { detail: core.state }));
}

/** @type {Core | undefined} */
const core = page[CORE_KEY];
// Without the synchronous part (blocked, or not on the page) there is nothing to show.
if (core && served) {
  const wanted = pageLanguage(served.languages, served.lang);
  if (wanted === served.lang) {
    start(core, served);
  } else {
    // The page speaks another language the policy offers: its strings, then the banner.
    fetch(`${core.policy.prefix}/config.json?lang=${encodeURIComponent(wanted)}`)
      .then((response) => (response.ok ? response.json() : served))
      .catch(() => served)
      .then((details) => start(core, details));
  }
}
