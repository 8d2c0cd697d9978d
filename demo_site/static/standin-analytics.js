/* Stand-in for Google Analytics, served by the consentkit demo from
   analytics.localhost so that the effect of consent is visible offline.
   Like the real thing it sets a first-party _ga cookie from script and
   sends a page-view beacon to its own origin. It never runs unless the
   visitor allows analytics: consentkit serves its tag inert until then. */
(function () {
  "use strict";
  var hasGa = document.cookie.split("; ").some(function (c) { return c.indexOf("_ga=") === 0; });
  if (!hasGa) {
    var id = "GA1.1." + Math.floor(Math.random() * 1e9) + "." + Math.floor(Date.now() / 1000);
    document.cookie = "_ga=" + id + "; path=/; max-age=63072000; SameSite=Lax";
  }
  document.documentElement.setAttribute("data-demo-analytics", "loaded");
  var script = document.currentScript;
  if (script && script.src && navigator.sendBeacon) {
    var origin = new URL(script.src).origin;
    navigator.sendBeacon(origin + "/collect?page=" + encodeURIComponent(location.pathname));
  }
})();
