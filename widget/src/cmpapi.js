// The IAB Global Privacy Platform's CMP API (GPP CMP API 1.1) once widget.js has loaded:
// it takes `__gpp` over from the stub in boot.js (gpp.js) and answers the calls the stub
// queued, in order. Every command answers at once, as the specification requires: the
// sections are decoded here from the state's `gpp` string, with the field layouts the
// server sends in the widget's configuration (consentkit/gpp.py `layouts`), so no call
// waits for the network and no byte is added to the page.
import { CMP_ID } from "./constants.js";
import { own } from "./own.js";
import { attempt } from "./page.js";

/** @typedef {import("./types").Core} Core */
/** @typedef {import("./types").GppLayout} GppLayout */
/** @typedef {(data: unknown, success: boolean) => void} Callback */

/**
 * The bits of a base64url segment (the writer pads them to whole bytes, so atob reads them).
 * @param {string} segment
 */
const bitsOf = (segment) => [...atob(segment.replace(/-/g, "+").replace(/_/g, "/"))]
  .map((char) => char.charCodeAt(0).toString(2).padStart(8, "0")).join("");

/**
 * One section's fields, as the IAB's reference library (@iabgpp/cmpapi) names and types
 * them: integers, lists of integers, and the GPC sub-section's type and flag.
 * @param {string} text the core segment, then the sub-section after a "."
 * @param {GppLayout} layout
 */
function decode(text, [, gpc, fields]) {
  const [core, sub = ""] = text.split(".");
  const bits = bitsOf(core);
  let at = 0;
  const read = (/** @type {number} */ width) => parseInt(bits.slice(at, (at += width)), 2);
  /** @type {Record<string, unknown>} */
  const section = {};
  for (const [name, width, count] of fields) {
    section[name] = count > 1 ? Array.from({ length: count }, () => read(width)) : read(width);
  }
  // The GPC sub-section: a 2-bit type (1), then the flag.
  if (gpc) Object.assign(section, { GpcSegmentType: 1, Gpc: bitsOf(sub)[2] === "1" });
  return section;
}

/**
 * @param {Core} core
 * @param {Record<string, GppLayout>} layouts the sections this policy's strings may hold, by id
 */
export function installCmpApi(core, layouts) {
  const page = /** @type {any} */ (window);
  /** @type {unknown[][]} */
  const queued = page.__gpp?.queue || [];
  /** Each listener at its id - 1; a hole once removed (which forEach skips). @type {Callback[]} */
  const listeners = [];
  /** @type {Record<string, Record<string, unknown>>} */
  let sections = {};
  /** @type {string[]} */
  let parts = [];

  /** The state's sections, decoded; the names of those that changed. */
  function read() {
    const before = parts;
    /** @type {string[]} */
    const changed = [];
    parts = (core.state.gpp || "").split("~").slice(1);
    sections = {};
    (core.state.gpp_sid || []).forEach((id, index) => {
      const layout = own(layouts, String(id));
      if (!layout) return;
      sections[layout[0]] = decode(parts[index], layout);
      if (parts[index] !== before[index]) changed.push(layout[0]);
    });
    return changed;
  }

  /**
   * The statuses a ping reports, by the name of the event that tells their change.
   * @returns {Record<string, string>}
   */
  const statuses = () => ({
    // Not ready while the navigator's GPC signal is on its way to the server (api.js):
    // until then the string does not reflect it.
    signalStatus: core.gpc && !core.state.gpc ? "not ready" : "ready",
    // Visible while the banner, a confirmation or the dialog is in the page.
    cmpDisplayStatus: document.querySelector(".ck-ban,.ck-dlg") ? "visible" : "hidden",
  });
  const ping = () => {
    const sectionList = core.state.gpp_sid || [];
    return {
      gppVersion: "1.1",
      cmpStatus: "loaded",
      ...statuses(),
      supportedAPIs: Object.entries(layouts).map(([id, [name]]) => `${id}:${name}`),
      cmpId: CMP_ID,
      sectionList,
      // The state's own section where it has one, else the national one (listed last).
      applicableSections: sectionList.length ? sectionList.slice(-1) : [-1],
      gppString: core.state.gpp || "",
      parsedSections: sections,
    };
  };

  /**
   * An EventListener object.
   * @param {string} eventName
   * @param {number} listenerId
   * @param {unknown} data
   */
  const event = (eventName, listenerId, data) => ({ eventName, listenerId, data, pingData: ping() });
  /**
   * @param {string} eventName
   * @param {unknown} data
   */
  const emit = (eventName, data) =>
    listeners.forEach((listener, index) => attempt(() => listener(event(eventName, index + 1, data), true)));

  /** @type {Record<string, (parameter: any, callback: Callback) => any>} */
  const answers = {
    ping,
    addEventListener: (_, callback) => event("listenerRegistered", listeners.push(callback), true),
    removeEventListener: (id) => {
      const removed = Boolean(listeners[id - 1]);
      delete listeners[id - 1];
      return event("listenerRemoved", id, removed);
    },
    hasSection: (name) => Boolean(own(sections, name)),
    getSection: (name) => own(sections, name) ?? null,
    getField: (path) => {
      const [name, field] = String(path).split(".");
      return own(own(sections, name), field) ?? null;
    },
  };

  /**
   * `__gpp(command, callback, parameter)`: the answer at once; null and success false for
   * a command, section or field it does not know, or a listener it could not remove.
   * @param {unknown} command
   * @param {unknown} callback
   * @param {unknown} parameter
   */
  page.__gpp = (command, callback, parameter) => {
    if (typeof callback !== "function") return;
    const answer = own(answers, String(command));
    const data = answer ? answer(parameter, /** @type {Callback} */ (callback)) : null;
    callback(data, data !== null && data.data !== false);
  };

  read();
  let told = statuses();
  // After a choice the banner is gone and the sections may have changed.
  document.addEventListener("consentkit:change", () => {
    for (const name of read()) emit("sectionChange", name);
    const now = statuses();
    for (const [name, status] of Object.entries(now)) if (status !== told[name]) emit(name, status);
    told = now;
  });
  for (const call of queued) attempt(() => page.__gpp(...call));
}
