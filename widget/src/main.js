// The deferred part: the banner, the preferences dialog, activation of inert tags and
// the rest of the API. It runs once the document is parsed, before DOMContentLoaded, so
// the banner is in the page's first paint after it.
import { createActivation } from "./activation.js";
import { createApi } from "./api.js";
import { CORE_KEY } from "./constants.js";
import { forget } from "./jar.js";
import { translator } from "./i18n.js";
import { createUi } from "./ui.js";

/** @type {import("./types").Core | undefined} */
const core = /** @type {any} */ (window)[CORE_KEY];

function start() {
  if (!core) return; // the synchronous part did not run (blocked, or not on the page)
  const t = translator(core.config.texts);
  const ui = createUi(core, t);
  const activate = createActivation(core);
  core.onChange(() => {
    for (const category of core.config.categories) if (!core.allows(category.id)) forget(category);
  });
  createApi(core, ui, t, activate);
  ui.mount();
  ui.dropSecondLink();
  activate();
  document.dispatchEvent(new CustomEvent("consentkit:ready", { detail: core.state }));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
