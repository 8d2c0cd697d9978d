// The console's one script (loaded with the page's CSP nonce): a Print button on a
// receipt, shown only where it works; the browser's own print does the same.
"use strict";
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
