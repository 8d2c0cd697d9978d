/* consentkit widget: signals, banner, preferences and in-place activation of gated tags.
   Plain ES2020, no build step. No markup parsed from strings, no code built from strings,
   no inline style: text goes in as text nodes, so config and state strings cannot inject
   markup, and a strict CSP passes. */
(() => {
"use strict";
// -- constants
const D = document, W = window, N = navigator, A = "data-consentkit-action";
const GCM = ["ad_storage", "ad_user_data", "ad_personalization", "analytics_storage",
  "functionality_storage", "personalization_storage", "security_storage"];
const FOCUSABLE = "a[href],button,input,summary", YEAR = 31536e3;
const NONCE = (D.currentScript || {}).nonce || "";

// -- what the middleware wrote into the page
const guard = (f, d) => { try { return f() } catch (e) { return d } };
const read = id => guard(() => JSON.parse(D.getElementById(id).textContent));
const C = read("consentkit-config") || {}, CATS = C.categories || [], P = C.prefix || "/consentkit";
let S = read("consentkit-state") || {categories: {}};
const SALE = CATS.filter(c => c.sale_or_sharing).map(c => c.id);
const GPC = N.globalPrivacyControl === true;
// The header may have been stripped on the way: apply the signal before anything runs.
if (GPC && !S.gpc && SALE.length) { SALE.forEach(c => S.categories[c] = false); S.usprivacy = "1YYN" }

// -- i18n: the server sends every string per language; the page's language wins
const TX = C.texts || {};
const pick = l => (l = (l || "").toLowerCase(), TX[l] ? l : TX[l = l.split("-")[0]] && l);
const L = TX[pick(D.documentElement.lang) || pick(N.language) || "en"] || {};
const t = k => L[k] || k;

// -- state
const allows = c => !!S.categories[c];
const inWindow = () => !!S.reprompt_not_before && new Date(S.reprompt_not_before) > new Date;
// Sale or sharing that "accept all" leaves off: an opt-out is not undone by the banner
// for 12 months (rule 5), and a 13-15-year-old opts in only through its own control.
const saleKept = () => GPC || S.gpc || inWindow() || S.age_band == "13_15" && !S.sale_opt_in;

// -- signals: US Privacy and Google Consent Mode, defined before any other script runs
const cookie = v => guard(() => { D.cookie = v });
const usp = () => S.usprivacy && cookie(`usprivacy=${S.usprivacy};path=/;max-age=${YEAR};samesite=lax`
  + (location.protocol == "https:" ? ";secure" : ""));
W.__uspapi = (cmd, v, cb) => {
  const ok = cmd == "getUSPData" && v == 1;
  typeof cb == "function" && cb(ok ? {version: 1, uspString: S.usprivacy} : null, ok);
};
W.dataLayer = W.dataLayer || [];
W.gtag = W.gtag || function () { W.dataLayer.push(arguments) };
const MAP = {};
for (const c of CATS) MAP[c.id] = c.required ? [GCM[6], GCM[4]] : c.sale_or_sharing ? GCM.slice(0, 3)
  : c.id == "analytics" ? [GCM[3]] : [];
Object.assign(MAP, C.consent_mode);
const signal = how => {
  const o = {};
  for (const k of GCM) o[k] = "denied";
  for (const c in MAP) allows(c) && MAP[c].forEach(k => o[k] = "granted");
  W.gtag("consent", how, o);
};
signal("default");
usp();

// -- withdrawal: the cookies and storage keys of a denied category that script can reach
const like = (p, n) => p.endsWith("*") ? n.startsWith(p.slice(0, -1)) : n == p;
const forget = c => {
  const names = guard(() => D.cookie.split(";").map(x => x.split("=")[0].trim()), []);
  const host = location.hostname.split(".");
  for (const s of c.services) {
    for (const k of s.cookies) for (const n of names) if (like(k.name, n)) {
      for (let i = 0; i <= host.length; i++) {
        cookie(`${n}=;path=/;max-age=0` + (i < host.length ? ";domain=" + host.slice(i).join(".") : ""));
      }
    }
    for (const k of s.local_storage) {
      guard(() => Object.keys(localStorage).forEach(n => like(k, n) && localStorage.removeItem(n)));
    }
  }
};

// -- activation in place, in document order: a script waits for the one before it
const seen = new WeakSet;
let queue = Promise.resolve();
const live = el => {
  const d = el.dataset;
  if (el.tagName == "SCRIPT") {
    if (el.type != "text/plain") return;
    // A script element runs only if created anew.
    const s = D.createElement("script");
    for (const a of el.attributes) /^(type|nonce|data-src|data-type)$/.test(a.name) || s.setAttribute(a.name, a.value);
    if (d.type) s.type = d.type;
    s.nonce = el.nonce || NONCE;
    let done;
    if (d.src) {
      s.async = el.hasAttribute("async");
      s.async || (done = new Promise(r => { s.onload = s.onerror = r }));
      s.src = d.src;
    } else s.text = el.text;
    el.replaceWith(s);
    return done;
  }
  for (const k of ["srcset", "imagesrcset", "src", "href", "poster", "data"]) if (d[k] != null) { el.setAttribute(k, d[k]); delete d[k] }
  el.tagName == "SOURCE" && guard(() => el.parentNode.load());
};
const activate = () => {
  D.querySelectorAll("[data-consent]").forEach(el => {
    if (seen.has(el) || !allows(el.dataset.consent)) return;
    seen.add(el);
    queue = queue.then(() => live(el));
  });
  D.querySelectorAll("[data-consentkit-placeholder]").forEach(el => { el.hidden = allows(el.dataset.consentkitPlaceholder) });
};

// -- network: every call answers a Promise
const subs = [];
const call = (path, body) => fetch(P + path, body ? {method: "POST", credentials: "same-origin",
  headers: {"content-type": "application/json"}, body: JSON.stringify(body)} : {credentials: "same-origin"})
  .then(r => r.ok ? r.json().catch(() => ({})) : Promise.reject(Error(r.status)));
const update = s => {
  S = s;
  usp();
  signal("update");
  CATS.forEach(c => allows(c.id) || forget(c));
  activate();
  render();
  D.dispatchEvent(new CustomEvent("consentkit:change", {detail: s}));
  subs.forEach(f => guard(() => f(s)));
  return s;
};
const send = body => call("/consent", body).then(update);
const all = (v, source) => {
  const choices = {};
  for (const c of CATS) c.required || v && c.sale_or_sharing && saleKept() || (choices[c.id] = !!v);
  return send({choices, source});
};

// -- DOM
const h = (tag, at, ...kids) => {
  const e = D.createElement(tag);
  for (const k in at) at[k] === false || at[k] == null || e.setAttribute(k, at[k] === true ? "" : at[k]);
  e.append(...kids.flat().filter(Boolean));
  return e;
};
const btn = (act, key, cls = "ck-b", type = "button") => h("button", {type, class: cls, [A]: act}, t(key));
const field = (name, key, type, at) => h("label", 0, t(key), h("input", {name, type, required: true, ...at}));
const where = el => el.closest("dialog") ? "preferences" : "banner";
let root, bar, toast, hon, par, banner, dlg, opener;
const say = m => { if (toast) toast.textContent = m };

// Age, parent and minor opt-in: in the banner while it shows, else in the dialog.
const extras = inDialog => [
  C.age_gate && S.age_band == "unknown" && h("form", {id: "consentkit-age", class: "ck-f"},
    h("p", 0, t("age.question")),
    field("birth_year", "age.year", "number", {min: 1900, max: new Date().getFullYear()}),
    field("birth_month", "age.month", "number", {min: 1, max: 12}),
    btn("age-submit", "age.submit", "ck-b", "submit")),
  S.age_band == "under_13" && !S.parental_consent && h("form", {id: "consentkit-parental", class: "ck-f"},
    h("p", 0, t("parent.text")),
    field("parent_email", "parent.email", "email", {autocomplete: "email"}),
    btn("parental-submit", "parent.submit", "ck-b", "submit")),
  S.age_band == "13_15" && SALE.length && !S.sale_opt_in && (inDialog || !inWindow())
    && btn("sale-opt-in", "minor.opt_in"),
];

const makeBanner = () => h("section", {id: "consentkit-banner", class: "ck-ban", "aria-labelledby": "ck-bt"},
  h("h2", {id: "ck-bt"}, t("banner.title")),
  S.gpc && h("p", {class: "ck-hon"}, t("gpc.honored")),
  h("p", 0, t(C.mode == "opt_in" ? "banner.opt_in" : "banner.opt_out")),
  SALE.length && inWindow() && h("p", 0, t("banner.kept")),
  extras(),
  h("div", {class: "ck-btns"}, btn("accept-all", "action.accept"), btn("reject-all", "action.reject"),
    btn("preferences", "action.preferences")),
  h("button", {type: "button", class: "ck-x", [A]: "close", "aria-label": t("action.close")}, "\u00d7"));

const render = () => {
  if (!root) return;
  const focused = banner && banner.contains(D.activeElement);
  banner && banner.remove();
  banner = S.prompt ? makeBanner() : null;
  banner && bar.before(banner);
  hon.hidden = !S.gpc || !!banner;
  const ps = S.age_band == "under_13" && /^(pending|denied)$/.test(S.parental_consent) && S.parental_consent;
  par.hidden = !ps;
  if (ps) { par.dataset.status = ps; par.textContent = t("parent." + ps); }
  if (focused) (banner || bar).querySelector(FOCUSABLE).focus();
};

const service = s => h("li", 0, h("b", 0, s.vendor || s.id), s.description && ": " + s.description,
  [["prefs.cookies", s.cookies.map(k => `${k.name} (${k.lifetime})`)], ["prefs.storage", s.local_storage]]
    .map(([k, v]) => v.length && h("div", 0, `${t(k)}: ${v.join(", ")}`)));

const showPreferences = () => {
  if (dlg || !root) return;
  opener = D.activeElement;
  dlg = h("dialog", {id: "consentkit-preferences", class: "ck ck-dlg", role: "dialog", "aria-modal": "true",
    "aria-labelledby": "ck-pt"},
  h("h2", {id: "ck-pt"}, t("prefs.title")),
  S.gpc && h("p", {class: "ck-hon"}, t("gpc.honored")),
  h("p", 0, t("prefs.text")),
  CATS.map(c => h("div", {class: "ck-cat"},
    h("label", 0, h("input", {type: "checkbox", name: c.id, checked: c.required || allows(c.id), disabled: c.required}),
      c.label, c.required && ` (${t("prefs.required")})`, c.sale_or_sharing && ` (${t("prefs.sale")})`),
    c.description && h("p", 0, c.description),
    c.services.length && h("details", 0, h("summary", 0, t("prefs.services")), h("ul", 0, c.services.map(service))))),
  !S.prompt && extras(1),
  h("div", {class: "ck-btns"}, btn("save", "action.save"), btn("cancel", "action.close")));
  dlg.addEventListener("keydown", e => {
    if (e.key != "Tab") return;
    // Keep focus in the dialog (a modal dialog alone lets it escape to the browser).
    const f = [...dlg.querySelectorAll(FOCUSABLE)].filter(x => !x.disabled && x.getClientRects().length);
    const edge = e.shiftKey ? f[0] : f[f.length - 1];
    if (D.activeElement == edge || !dlg.contains(D.activeElement)) {
      e.preventDefault();
      (e.shiftKey ? f[f.length - 1] : f[0]).focus();
    }
  });
  dlg.addEventListener("close", () => {
    dlg.remove();
    dlg = null;
    (opener && opener.isConnected && opener != D.body ? opener : bar.firstChild).focus();
  });
  D.body.append(dlg);
  dlg.showModal();
};

const saveDialog = () => {
  const choices = {};
  for (const c of CATS) c.required || (choices[c.id] = dlg.querySelector(`[name="${c.id}"]`).checked);
  // A 13-15-year-old who ticks sale or sharing opts in by doing so.
  const optIn = S.age_band == "13_15" && SALE.some(c => choices[c]);
  return send({choices, source: "preferences", ...optIn && {sale_opt_in: true}})
    .then(() => { dlg && dlg.close(); say(t(optIn ? "minor.confirm" : "saved")) });
};

const band = (y, m) => {
  const d = new Date, age = ((d.getFullYear() - y) * 12 + d.getMonth() - m) / 12;
  // Only the band leaves the page; without the day, the birthday month counts as not yet reached.
  return y >= 1900 && m >= 1 && m <= 12 && age >= 0
    ? age < 13 ? "under_13" : age < 16 ? "13_15" : "16_plus" : null;
};

const ACTIONS = {
  "accept-all": () => all(1, "banner"),
  "reject-all": () => all(0, "banner"),
  preferences: showPreferences,
  open: showPreferences,
  save: saveDialog,
  cancel: () => dlg.close(),
  // Closing is no consent: in opt_in mode it rejects, in opt_out mode it takes note of the notice.
  close: () => C.mode == "opt_in" ? all(0, "banner") : send({choices: {}, source: "banner"}),
  allow: el => send({choices: {[el.dataset.category]: true}, source: "preferences"}),
  "sale-opt-in": el => send({choices: Object.fromEntries(SALE.map(c => [c, true])), sale_opt_in: true,
    source: where(el)}).then(() => say(t("minor.confirm"))),
};
const fail = () => say(t("error"));
D.addEventListener("click", e => {
  const el = e.target.closest && e.target.closest(`[${A}]`), f = el && ACTIONS[el.getAttribute(A)];
  if (!f) return;
  e.preventDefault();
  say("");
  Promise.resolve(f(el)).catch(fail);
});
D.addEventListener("submit", e => {
  const f = e.target, d = f.elements;
  if (f.id == "consentkit-age") {
    e.preventDefault();
    const b = band(+d.birth_year.value, +d.birth_month.value);
    b ? send({age_band: b, source: where(f)}).catch(fail) : say(t("age.invalid"));
  } else if (f.id == "consentkit-parental") {
    e.preventDefault();
    call("/parental/request", {parent_email: d.parent_email.value})
      .then(() => { say(t("parent.sent")); return call("/state").then(update) },
        r => say(t(r.message == 404 ? "parent.unavailable" : "error")));
  }
});

W.consentkit = {
  get state() { return S },
  allows,
  acceptAll: () => all(1, "api"),
  rejectAll: () => all(0, "api"),
  save: choices => send({choices, source: "api"}),
  optOut: () => call("/opt-out", {}).then(update),
  showPreferences,
  on: (ev, f) => { ev == "change" && subs.push(f) },
};

GPC && !S.gpc && send({gpc: true, source: "gpc"}).catch(() => {});

// The banner goes in as soon as <body> exists, so it is in the page's first paint (a
// fixed overlay: nothing moves); tags are activated once the document is parsed.
let dns;
const start = () => {
  if (root || !D.body) return;
  toast = h("p", {class: "ck-t", role: "status"});
  hon = h("span", {class: "ck-o"}, t("gpc.honored"));
  par = h("span", {class: "ck-o", id: "consentkit-parental-status", role: "status"});
  dns = SALE.length && h("a", {class: "ck-o", href: P + "/do-not-sell", title: t("dns"), [A]: "do-not-sell"}, t("dns"));
  bar = h("div", {class: "ck-bar"}, btn("open", "action.open", "ck-o"), hon, par, dns);
  root = h("div", {id: "consentkit", class: "ck"}, toast, bar);
  D.body.prepend(root);
  render();
};
const ready = () => {
  start();
  // The page has its own link: no second one.
  dns && D.querySelectorAll(`a[${A}=do-not-sell]`).length > 1 && dns.remove();
  activate();
  D.dispatchEvent(new CustomEvent("consentkit:ready", {detail: S}));
};
if (!D.body) new MutationObserver((_, o) => { D.body && (o.disconnect(), start()) }).observe(D.documentElement, {childList: true});
start();
D.readyState == "loading" ? D.addEventListener("DOMContentLoaded", ready) : ready();
})();
