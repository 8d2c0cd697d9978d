// The network calls, the actions behind the widget's buttons and `window.consentkit`
// (contract section 5). Every call answers a Promise.
import { loadOnce } from "./activation.js";
import { ACTION, BAND_ADULT, BAND_CHILD, BAND_OLDER_TEEN, BAND_TEEN } from "./constants.js";
import { own } from "./own.js";
import { attempt } from "./page.js";
import { keepsSaleOff } from "./state.js";

/** @typedef {import("./types").Core} Core */
/** @typedef {import("./types").State} State */
/** @typedef {import("./types").Listener} Listener */
/** @typedef {import("./types").WidgetConfig} WidgetConfig */
/** @typedef {ReturnType<typeof import("./ui.js").createUi>} Ui */

/** The status of a refused call, as its error's message. */
const NOT_FOUND = "404";
const EARLIEST_BIRTH_YEAR = 1900;

/**
 * The age band of a birth year and month; null when they make no sense. Only the band
 * leaves the page; without the day, the birthday month counts as not yet reached.
 * @param {number} year
 * @param {number} month
 */
export function ageBand(year, month) {
  const now = new Date();
  const age = ((now.getFullYear() - year) * 12 + now.getMonth() - month) / 12;
  if (!(year >= EARLIEST_BIRTH_YEAR && month >= 1 && month <= 12 && age >= 0)) return null;
  if (age < 13) return BAND_CHILD;
  return age < 16 ? BAND_TEEN : age < 18 ? BAND_OLDER_TEEN : BAND_ADULT;
}

/** @param {Element} element */
const sourceOf = (element) => (element.closest("dialog") ? "preferences" : "banner");

/**
 * @param {Core} core
 * @param {WidgetConfig} config
 * @param {Ui} ui
 * @param {() => void} activate
 */
export function createApi(core, config, ui, activate) {
  const { prefix, mode, sale } = core.policy;
  /**
   * @param {string} path
   * @param {object} [body]
   * @returns {Promise<any>}
   */
  // (fetch sends the site's cookies by default: credentials "same-origin".)
  const call = (path, body) => fetch(prefix + path, body
    && { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
    .then((response) => (response.ok
      ? response.json().catch(() => ({}))
      : Promise.reject(new Error(String(response.status)))));

  /** @param {State} state */
  function update(state) {
    core.set(state);
    activate();
    ui.render();
    document.dispatchEvent(new CustomEvent("consentkit:change", { detail: state }));
    for (const subscriber of core.subscribers) attempt(() => subscriber(state));
    return state;
  }

  /** @type {string} */
  let pendingToken = "";

  /**
   * A decision; a grant that needs confirming (202) shows its second step and
   * resolves null, its token kept for the "confirm" action.
   * @param {object} body
   * @returns {Promise<State | null>}
   */
  const send = (body) => call("/consent", body).then((answer) => {
    if (!answer.confirm) return update(answer);
    pendingToken = answer.confirm.token;
    ui.showConfirmation(answer.confirm.categories);
    return null;
  });

  /**
   * Every optional category at once; sale or sharing stays as it is where the rules
   * keep it off.
   * @param {boolean} grant
   * @param {string} source
   */
  function decideAll(grant, source) {
    /** @type {Record<string, boolean>} */
    const choices = {};
    const saleKept = grant && keepsSaleOff(core);
    for (const category of config.categories) {
      if (category.required || (saleKept && category.sale_or_sharing)) continue;
      choices[category.id] = grant;
    }
    return send({ choices, source }).then((state) => {
      if (state) ui.closePreferences();
      return state;
    });
  }

  function saveDialog() {
    const { choices, services } = ui.dialogChoices();
    // A 13-15-year-old who ticks sale or sharing opts in by doing so.
    const optIn = core.state.age_band === BAND_TEEN && sale.some((id) => choices[id]);
    return send({ choices, services, source: "preferences", ...(optIn && { sale_opt_in: true }) }).then((state) => {
      if (!state) return;
      ui.closePreferences();
      ui.say("saved");
    });
  }

  /** The second step: the token back, then what it did. */
  const confirm = () => call("/consent", { confirm: pendingToken }).then(update).then((state) => {
    ui.closeConfirmation();
    ui.closePreferences();
    ui.say(state.age_band === BAND_TEEN ? "minor.confirm" : "saved");
  });

  /** @type {Record<string, (element: HTMLElement) => unknown>} */
  const actions = {
    "accept-all": (element) => decideAll(true, sourceOf(element)),
    "reject-all": (element) => decideAll(false, sourceOf(element)),
    preferences: ui.showPreferences,
    open: ui.showPreferences,
    save: saveDialog,
    cancel: ui.closePreferences,
    // Closing is no consent: in opt_in mode it rejects, in opt_out mode it takes note of the notice.
    close: () => (mode === "opt_in" ? decideAll(false, "banner") : send({ choices: {}, source: "banner" })),
    // A placeholder's button grants its category, a click-to-load placeholder's its service.
    allow: ({ dataset }) => send({
      [dataset.service ? "services" : "choices"]: { [dataset.service || dataset.category || ""]: true },
      source: "preferences",
    }),
    once: loadOnce,
    "sale-opt-in": (element) => send({
      choices: Object.fromEntries(sale.map((id) => [id, true])), sale_opt_in: true, source: sourceOf(element),
    }),
    confirm,
    "confirm-cancel": ui.closeConfirmation,
  };
  const fail = () => ui.say("error");

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest(`[${ACTION}]`) : null;
    const run = target instanceof HTMLElement ? own(actions, target.getAttribute(ACTION) || "") : undefined;
    if (!target || !run) return;
    event.preventDefault();
    ui.say("");
    Promise.resolve(run(/** @type {HTMLElement} */ (target))).catch(fail);
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const field = (/** @type {string} */ name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name)).value;
    if (form.id === "consentkit-age") {
      event.preventDefault();
      const band = ageBand(Number(field("birth_year")), Number(field("birth_month")));
      if (band) send({ age_band: band, source: sourceOf(form) }).catch(fail);
      else ui.say("age.invalid");
    } else if (form.id === "consentkit-parental") {
      event.preventDefault();
      call("/parental/request", { parent_email: field("parent_email") }).then(
        () => {
          ui.say("parent.sent");
          return call("/state").then(update);
        },
        (/** @type {Error} */ error) => ui.say(error.message === NOT_FOUND ? "parent.unavailable" : "error"),
      );
    }
  });

  Object.assign(/** @type {any} */ (window).consentkit, {
    acceptAll: () => decideAll(true, "api"),
    rejectAll: () => decideAll(false, "api"),
    save: (/** @type {Record<string, boolean>} */ choices) => send({ choices, source: "api" }),
    optOut: () => call("/opt-out", {}).then(update),
    showPreferences: ui.showPreferences,
  });

  // The navigator's signal, which the server may not have seen: record it once.
  if (core.gpc && !core.state.gpc) send({ gpc: true, source: "gpc" }).catch(() => {});

  return { update };
}
