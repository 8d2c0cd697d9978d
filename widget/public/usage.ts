// How a site's TypeScript uses widget.d.ts: type-checked by tests/test_widget_types.py
// (`tsc --strict`), with the mistakes below each expected to fail.
/// <reference path="./widget.d.ts" />

const state: ConsentKit.State = window.consentkit.state;
const analytics: boolean = consentkit.allows("analytics") && state.categories["analytics"] === true;
consentkit.on("change", (next) => console.log(next.categories, next.gpc, next.usprivacy));
document.addEventListener("consentkit:change", (event) => {
  const granted: Record<string, boolean> = event.detail.categories;
  console.log(granted, analytics);
});
document.addEventListener("consentkit:ready", (event) => console.log(event.detail.prompt));
consentkit.save({ analytics: true }).then((saved) => saved?.categories);
consentkit.acceptAll().then(() => consentkit.rejectAll()).then(() => consentkit.optOut());
consentkit.showPreferences();
consentkit.shim("grecaptcha", "captcha", { ready: (callback: () => void) => callback() });
window.__uspapi("getUSPData", 1, (data, success) => console.log(success && data?.uspString));
window.__gpp("ping", (data, success) => console.log(success && data.signalStatus === "ready" && data.gppString));
window.__gpp("addEventListener", (event) => {
  if (event.eventName === "sectionChange") console.log(event.pingData.parsedSections[String(event.data)]);
});
window.__gpp("getField", (value: number | null) => console.log(value === 1), "usnat.SaleOptOut");
