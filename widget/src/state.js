// The visitor's state in the page: one object, changed only through `set`, and the
// rules the widget applies to it on its own (GPC, the 12-month window).
import { BAND_TEEN, USP_OPTED_OUT } from "./constants.js";
import { own } from "./own.js";
import { attempt } from "./page.js";

/** @typedef {import("./types").State} State */
/** @typedef {import("./types").BootConfig} BootConfig */
/** @typedef {import("./types").Core} Core */
/** @typedef {import("./types").Listener} Listener */

/**
 * The runtime around the state the server wrote. A Global Privacy Control signal is
 * applied at once, before any other script runs: the header may have been stripped
 * on the way, so the state the server wrote may not know of it yet.
 * @param {State | null} written
 * @param {BootConfig} policy
 * @returns {Core}
 */
export function createCore(written, policy) {
  /** @type {State} */
  let state = written && typeof written.categories === "object" ? written : { categories: {} };
  const gpc = navigator.globalPrivacyControl === true;
  if (gpc && !state.gpc && policy.sale.length > 0) {
    for (const id of policy.sale) state.categories[id] = false;
    for (const [, , category, service] of policy.hosts) {
      if (state.services && policy.sale.includes(category)) state.services[service] = false;
    }
    state.usprivacy = USP_OPTED_OUT;
  }
  /** @type {Listener[]} */
  const listeners = [];
  return {
    policy,
    subscribers: [],
    gpc,
    get state() {
      return state;
    },
    allows: (id) => own(state.categories, id) === true || own(state.services, id) === true,
    set(next) {
      state = next;
      for (const listener of listeners) attempt(() => listener(next));
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}

/**
 * Whether the 12 months after an opt-out of sale are still running (rule 5); never
 * without a date (1970 then, or an invalid date, is not after now).
 * @param {State} state
 */
export const inRepromptWindow = (state) => new Date(state.reprompt_not_before ?? 0) > new Date();

/**
 * Sale or sharing that "accept all" leaves off: an opt-out is not undone by the banner
 * for 12 months (rule 5), and a 13-15-year-old opts in only through its own control.
 * @param {Core} core
 */
export const keepsSaleOff = (core) => {
  const state = core.state;
  return core.gpc || Boolean(state.gpc) || inRepromptWindow(state)
    || (state.age_band === BAND_TEEN && !state.sale_opt_in);
};
