// Elements built as nodes, never from markup: texts from the policy and the server go
// in as text nodes, so they cannot inject markup, and a strict CSP passes.

/** @typedef {string | number | boolean | null | undefined} AttributeValue */
/** @typedef {import("./types").Child} Child */

/**
 * `h("button", {type: "button"}, "Save")`: an element with attributes (true is a bare
 * attribute; false, null and undefined leave it out) and children (falsy ones skipped).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttributeValue> | null} [attributes]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  const nodes = /** @type {(Node | string)[]} */ (/** @type {unknown[]} */ (children).flat(Infinity).filter(Boolean));
  element.append(...nodes);
  return element;
}
