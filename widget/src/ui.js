// The banner, the preferences dialog and the always-present bar (contract section 5).
// A fixed overlay: it never moves the page's content.
import { ACTION, BAND_CHILD, BAND_TEEN, BAND_UNKNOWN, FOCUSABLE } from "./constants.js";
import { h } from "./dom.js";
import { inRepromptWindow } from "./state.js";

/** @typedef {import("./types").Core} Core */
/** @typedef {import("./types").ServiceConfig} ServiceConfig */
/** @typedef {import("./types").CategoryConfig} CategoryConfig */
/** @typedef {import("./types").WidgetConfig} WidgetConfig */
/** @typedef {import("./types").Child} Child */

const PARENTAL_NOTICES = ["pending", "denied"];
const CLOSE_SIGN = "\u00d7";

/**
 * @param {Core} core
 * @param {WidgetConfig} config
 * @param {(key: string) => string} t
 */
export function createUi(core, config, t) {
  const { prefix, mode, sale } = core.policy;
  /** @type {HTMLElement | null} */
  let root = null;
  /** @type {HTMLElement} */
  let bar;
  /** @type {HTMLElement} */
  let toast;
  /** @type {HTMLElement} */
  let honored;
  /** @type {HTMLElement} */
  let parentalStatus;
  /** @type {HTMLElement | null} */
  let doNotSell = null;
  /** @type {HTMLElement | null} */
  let banner = null;
  /** @type {HTMLDialogElement | null} */
  let dialog = null;
  /** @type {Element | null} */
  let opener = null;
  /** @type {HTMLElement | null} */
  let confirmation = null;

  /**
   * @param {string} action
   * @param {string} key
   * @param {string} [className]
   * @param {string} [type]
   */
  const button = (action, key, className = "ck-b", type = "button") =>
    h("button", { type, class: className, [ACTION]: action }, t(key));

  /**
   * @param {string} name
   * @param {string} key
   * @param {string} type
   * @param {Record<string, string | number>} attributes
   */
  const field = (name, key, type, attributes) =>
    h("label", null, t(key), h("input", { name, type, required: true, ...attributes }));

  /**
   * The age question, the parent's form and a minor's opt-in: in the banner while it
   * shows, else in the dialog.
   * @param {boolean} inDialog
   * @returns {Child[]}
   */
  function minorsForms(inDialog) {
    const state = core.state;
    return [
      config.age_gate && state.age_band === BAND_UNKNOWN && h("form", { id: "consentkit-age", class: "ck-f" },
        h("p", null, t("age.question")),
        field("birth_year", "age.year", "number", { min: 1900, max: new Date().getFullYear() }),
        field("birth_month", "age.month", "number", { min: 1, max: 12 }),
        button("age-submit", "age.submit", "ck-b", "submit")),
      state.age_band === BAND_CHILD && !state.parental_consent && h("form", { id: "consentkit-parental", class: "ck-f" },
        h("p", null, t("parent.text")),
        field("parent_email", "parent.email", "email", { autocomplete: "email" }),
        button("parental-submit", "parent.submit", "ck-b", "submit")),
      state.age_band === BAND_TEEN && sale.length > 0 && !state.sale_opt_in
        && (inDialog || !inRepromptWindow(state)) && button("sale-opt-in", "minor.opt_in"),
    ];
  }

  function makeBanner() {
    const state = core.state;
    const kept = inRepromptWindow(state);
    return h("section", { id: "consentkit-banner", class: "ck-ban", "aria-labelledby": "ck-bt" },
      h("h2", { id: "ck-bt" }, t("banner.title")),
      state.gpc && h("p", { class: "ck-hon" }, t("gpc.honored")),
      h("p", null, t(mode === "opt_in" ? "banner.opt_in" : "banner.opt_out")),
      // The notice at collection (R41): what is collected, each purpose, sale, retention, the policy.
      h("p", null, t("notice.pi"), config.privacy_url && [" ", h("a", { href: config.privacy_url }, t("notice.privacy"))]),
      h("ul", null, config.notice.map((line) => h("li", null, line))),
      sale.length > 0 && kept && h("p", null, t("banner.kept")),
      // A new policy version: what it added, off until the visitor answers (R37).
      state.changes?.length && h("p", null, `${t("banner.changed")} ${state.changes.join("; ")}`),
      minorsForms(false),
      // After an opt-out the banner asks only what is still unanswered (R8): the age
      // question alone, or opt_in's categories; never sale or sharing again.
      (!kept || (mode === "opt_in" && !state.decided)) && h("div", { class: "ck-btns" },
        button("accept-all", "action.accept"), button("reject-all", "action.reject"),
        button("preferences", "action.preferences")),
      h("button", { type: "button", class: "ck-x", [ACTION]: "close", "aria-label": t("action.close") }, CLOSE_SIGN));
  }

  /** Redraws what depends on the state; keeps the keyboard focus in the widget. */
  function render() {
    if (!root) return;
    const state = core.state;
    const hadFocus = banner !== null && banner.contains(document.activeElement);
    banner?.remove();
    banner = state.prompt ? makeBanner() : null;
    if (banner) bar.before(banner);
    honored.hidden = !state.gpc || banner !== null;
    const parental = state.age_band === BAND_CHILD
      && PARENTAL_NOTICES.find((status) => status === state.parental_consent);
    parentalStatus.hidden = !parental;
    if (parental) {
      parentalStatus.dataset.status = parental;
      parentalStatus.textContent = t(`parent.${parental}`);
    }
    if (hadFocus) /** @type {HTMLElement | null} */ ((banner || bar).querySelector(FOCUSABLE))?.focus();
  }

  /** Inserts the widget, in the page's first paint (a document without a body gets none). */
  function mount() {
    if (!document.body) return;
    toast = h("p", { class: "ck-t", role: "status" });
    honored = h("span", { class: "ck-o" }, t("gpc.honored"));
    parentalStatus = h("span", { class: "ck-o", id: "consentkit-parental-status", role: "status" });
    if (sale.length > 0) {
      doNotSell = h("a", { class: "ck-o", href: `${prefix}/do-not-sell`, title: t("dns"), [ACTION]: "do-not-sell" },
        t("dns"));
    }
    bar = h("div", { class: "ck-bar" }, button("open", "action.open", "ck-o"), honored, parentalStatus, doNotSell);
    root = h("div", { id: "consentkit", class: config.classes }, toast, bar);
    document.body.prepend(root);
    render();
  }

  /** A page with its own "Do Not Sell" link gets no second one. */
  function dropSecondLink() {
    if (doNotSell && document.querySelectorAll(`a[${ACTION}="do-not-sell"]`).length > 1) doNotSell.remove();
  }

  /**
   * A service, with its own box where its category is optional ("<category>/<service>").
   * @param {CategoryConfig} category
   */
  const describeService = (category) => (/** @type {ServiceConfig} */ service) => {
    /** @type {[string, string[]][]} */
    const kept = [
      ["prefs.cookies", service.cookies.map((cookie) => `${cookie.name} (${cookie.lifetime})`)],
      ["prefs.storage", service.local_storage],
    ];
    return h("li", null, h("label", null, !category.required && h("input", { type: "checkbox",
      name: `${category.id}/${service.id}`, checked: core.allows(service.id) }),
    h("b", null, service.name)), service.description,
    kept.map(([key, names]) => names.length > 0 && h("div", null, `${t(key)}: ${names.join(", ")}`)));
  };

  /** @param {KeyboardEvent} event */
  function keepFocusInside(event) {
    if (event.key !== "Tab" || !dialog) return;
    // A modal dialog alone lets the focus escape to the browser's own controls.
    const focusable = [...dialog.querySelectorAll(FOCUSABLE)].filter((element) =>
      !(/** @type {HTMLInputElement} */ (element).disabled) && element.getClientRects().length > 0);
    const first = /** @type {HTMLElement} */ (focusable[0]);
    const last = /** @type {HTMLElement} */ (focusable.at(-1));
    const edge = event.shiftKey ? first : last;
    if (document.activeElement === edge || !dialog.contains(document.activeElement)) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
  }

  function showPreferences() {
    if (dialog || !root) return;
    const state = core.state;
    opener = document.activeElement;
    const opened = h("dialog", { id: "consentkit-preferences", class: "ck ck-dlg", role: "dialog", "aria-modal": "true",
      "aria-labelledby": "ck-pt" },
    h("h2", { id: "ck-pt" }, t("prefs.title")),
    state.gpc && h("p", { class: "ck-hon" }, t("gpc.honored")),
    h("p", null, t("prefs.text")),
    config.categories.map((category) => h("div", { class: "ck-cat" },
      h("label", null,
        h("input", { type: "checkbox", name: category.id, checked: category.required || core.allows(category.id),
          disabled: category.required }),
        category.label, category.required && ` (${t("prefs.required")})`,
        category.sale_or_sharing && ` (${t("prefs.sale")})`),
      category.description && h("p", null, category.description),
      category.services.length > 0 && h("details", null, h("summary", null, t("prefs.services")),
        h("ul", null, category.services.map(describeService(category)))))),
    !state.prompt && minorsForms(true),
    // Withdrawing is as easy as consenting (R26): all or nothing in one click, beside
    // "Save", the same buttons as the banner's.
    h("div", { class: "ck-btns" }, button("accept-all", "action.accept"), button("reject-all", "action.reject"),
      button("save", "action.save"), button("cancel", "action.close")));
    opened.addEventListener("keydown", keepFocusInside);
    opened.addEventListener("close", () => {
      opened.remove();
      dialog = null;
      const back = opener instanceof HTMLElement && opener.isConnected && opener !== document.body
        ? opener : /** @type {HTMLElement} */ (bar.firstChild);
      back.focus();
    });
    dialog = opened;
    document.body.append(opened);
    opened.showModal();
  }

  /**
   * The second step of an opt-in to sale or sharing (contract section 8): what it turns
   * on, and for a 13-15-year-old how to opt out later. In the dialog when it is open
   * (the rest of the page is inert then), else above the bar.
   * @param {string[]} categories
   */
  function showConfirmation(categories) {
    if (!root) return;
    confirmation?.remove();
    confirmation = h("section", { id: "consentkit-confirm", class: "ck-ban", role: "alertdialog",
      "aria-labelledby": "ck-ct" },
    h("h2", { id: "ck-ct" }, t("confirm.title")),
    h("p", null, t("confirm.text")),
    h("ul", null, config.categories.filter((category) => categories.includes(category.id))
      .map((category) => h("li", null, category.label))),
    core.state.age_band === BAND_TEEN && h("p", null, t("confirm.teen")),
    h("div", { class: "ck-btns" }, button("confirm", "action.confirm"), button("confirm-cancel", "action.cancel")));
    if (dialog) dialog.append(confirmation);
    else bar.before(confirmation);
    /** @type {HTMLElement} */ (confirmation.querySelector("button")).focus();
  }

  return {
    mount,
    showConfirmation,
    closeConfirmation() {
      confirmation?.remove();
      confirmation = null;
    },
    render,
    dropSecondLink,
    showPreferences,
    closePreferences: () => dialog?.close(),
    /**
     * The dialog's boxes: every category the visitor may change, and each service whose
     * box the visitor changed (its own value; the others follow their category).
     */
    dialogChoices() {
      /** @type {Record<string, boolean>} */
      const choices = {};
      /** @type {Record<string, boolean>} */
      const services = {};
      for (const box of /** @type {NodeListOf<HTMLInputElement>} */ (
        dialog?.querySelectorAll("[type=checkbox]:enabled") || [])) {
        const [id, service] = box.name.split("/");
        if (!service) choices[id] = box.checked;
        else if (box.checked !== box.defaultChecked) services[service] = box.checked;
      }
      return { choices, services };
    },
    /** @param {string} key the text's key; "" clears the toast */
    say(key) {
      if (root) toast.textContent = t(key);
    },
  };
}
