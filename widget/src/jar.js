// The cookies and storage keys a category declares, removed when it is not granted.
// Only what script can reach: HttpOnly cookies are the server's to expire.
import { matchesName } from "./names.js";
import { attempt } from "./page.js";

/** @typedef {import("./types").CategoryConfig} CategoryConfig */

/** @returns {string[]} the names of the cookies script can see */
const cookieNames = () =>
  /** @type {string[]} */ (attempt(() => document.cookie.split(";").map((pair) => pair.split("=")[0].trim()), []));

/**
 * Expire a cookie on the path "/" of this host and of every parent domain, since a
 * tracker may have set it on any of them.
 * @param {string} name
 */
function expireCookie(name) {
  const labels = location.hostname.split(".");
  for (let i = 0; i <= labels.length; i++) {
    const domain = i < labels.length ? `;domain=${labels.slice(i).join(".")}` : "";
    attempt(() => {
      document.cookie = `${name}=;path=/;max-age=0${domain}`;
    });
  }
}

/**
 * Remove what a category's services keep in the browser.
 * @param {CategoryConfig} category
 */
export function forget(category) {
  const names = cookieNames();
  for (const service of category.services) {
    for (const cookie of service.cookies) {
      for (const name of names) if (matchesName(cookie.name, name)) expireCookie(name);
    }
    for (const pattern of service.local_storage) {
      attempt(() => {
        for (const key of Object.keys(localStorage)) if (matchesName(pattern, key)) localStorage.removeItem(key);
      });
    }
  }
}
