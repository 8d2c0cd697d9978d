/* Example Health: the little the demo site does in the browser. Loaded from
   'self' (no inline script), and it needs nothing but consentkit's own API. */
(function () {
  "use strict";

  // The reCAPTCHA notice follows the visitor's choice without a reload.
  function showCaptchaNotice(state) {
    var allowed = !!(state && state.categories && state.categories.captcha);
    document.querySelectorAll("[data-captcha-notice]").forEach(function (el) { el.hidden = !allowed; });
  }
  document.addEventListener("consentkit:change", function (event) { showCaptchaNotice(event.detail); });

  // The sign-up age question: the birth date stays in the browser; consentkit gets the band.
  function ageBand(year, month, today) {
    var age = today.getFullYear() - year - ((today.getMonth() + 1) < month ? 1 : 0);
    if (age < 13) { return "under_13"; }
    if (age < 16) { return "13_15"; }
    // The precise band: consentkit shows it as 16_plus where the region does not tell them apart.
    return age < 18 ? "16_17" : "18_plus";
  }

  function sendBand(band) {
    return fetch("/consentkit/consent", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ age_band: band, source: "api" })
    }).then(function (response) {
      if (!response.ok) { throw new Error("consentkit answered " + response.status); }
      return response.json();
    });
  }

  function wireSignup(form) {
    var monthField = form.querySelector("[data-birth=month]");
    var yearField = form.querySelector("[data-birth=year]");
    var bandField = form.querySelector("input[name=age_band]");
    if (!monthField || !yearField || !bandField) { return; }
    form.addEventListener("submit", function (event) {
      var month = parseInt(monthField.value, 10);
      var year = parseInt(yearField.value, 10);
      var thisYear = new Date().getFullYear();
      if (!(month >= 1 && month <= 12 && year >= thisYear - 120 && year <= thisYear)) {
        return;  // The server asks again; nothing is sent about the age.
      }
      event.preventDefault();
      var band = ageBand(year, month, new Date());
      // Clear the fields: the birth date is never submitted, kept or logged.
      monthField.value = "";
      yearField.value = "";
      sendBand(band).then(function () {
        bandField.value = band;
        form.submit();
      }, function () {
        bandField.value = "";
        form.submit();
      });
    });
  }

  function wireParental(form) {
    var status = form.querySelector("#signup-parental-status");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = new URLSearchParams(new FormData(form));
      fetch(form.action, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: body
      }).then(function (response) {
        status.hidden = false;
        status.textContent = response.status === 202
          ? "We sent your parent an e-mail. Ask them to open the link in it."
          : "We could not send the e-mail. Please check the address and try again.";
      });
    });
  }

  function start() {
    if (window.consentkit && window.consentkit.state) { showCaptchaNotice(window.consentkit.state); }
    var signup = document.getElementById("signup-form");
    if (signup) { wireSignup(signup); }
    var parental = document.getElementById("signup-parental");
    if (parental) { wireParental(parental); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
