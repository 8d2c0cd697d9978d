// Builds the widget's assets with esbuild, then terser, and the styles with lightningcss:
// `node build.mjs [OUTDIR]` (default: the package's consentkit/widget/, where the Python
// package serves them from).
//
//   boot.js    the synchronous part, first in <head>: state, signals, the guard
//   widget.js  the rest, loaded `defer`: banner, dialog, activation, API
//   widget.css the styles of the widget and of consentkit's own pages
//   widget.d.ts the TypeScript declarations of the page-facing API (public/widget.d.ts, copied)
//
// The output is committed: users of the Python package never need Node. The test
// suite builds again into a temporary folder and fails if anything differs.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { transform as transformCss } from "lightningcss";
import { minify } from "terser";
import { CORE_KEY } from "./src/constants.js";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(process.argv[2] ?? join(here, "..", "consentkit", "widget"));
// The browsers consentkit supports (consentkit/useragent.py): others get a notice.
const target = ["chrome115", "edge115", "firefox115", "safari16"];

// Terser's passes after esbuild's minifier save some 5% gzipped (it inlines and folds
// more); both are deterministic, so the build stays byte for byte the same. Function
// declarations go first in their scope (hoist_funs): 24 B less gzipped.
//
// The property names that only the widget's own modules use (the runtime that boot.js
// hands widget.js, the UI's methods, the guard's queue) are mangled as well: 83 B less
// gzipped. Each is named here, none by a pattern, because everything else is read or
// written by someone else: the page (window.consentkit, __gpp, __uspapi), the server's
// JSON (the state, the policy and config preludes), the DOM, and `consentkit scan`
// (consentkit/scan/visits.py reads the runtime's `policy` and `details`). One name cache
// for both files: boot.js and widget.js share the runtime's names.
const INTERNAL_PROPERTIES = [
  "subscribers", "onChange", "owner", "grants", "release", // the runtime (state.js, guard.js)
  "mount", "render", "showConfirmation", "closeConfirmation", "closePreferences", "dialogChoices", "dropSecondLink",
  "say", "update", // the UI and the API's (ui.js, api.js)
  "shared", "own", "attempt", "matchesName", "webUrl", "URL_ATTRIBUTE_NAMES", "srcsetUrls", // the helpers boot.js shares (below)
];
const nameCache = {};
const TERSER = {
  ecma: 2020,
  compress: { passes: 3, hoist_funs: true },
  // (builtins: terser keeps names some browser API has, such as "update", unless told.)
  mangle: { properties: { regex: new RegExp(`^(${INTERNAL_PROPERTIES.join("|")})$`), builtins: true } },
  nameCache,
};
// widget.js calls none of its functions with `new` nor reads their `prototype`, so its
// function expressions may become arrows (terser leaves those that read `this` or
// `arguments`): 14 B less gzipped. boot.js, which hooks browser functions, keeps them.
const TERSER_FOR = {
  "widget.js": { ...TERSER, compress: { ...TERSER.compress, unsafe_arrows: true } },
};

// widget.js runs only after boot.js, in the same page, and uses some of the same helpers:
// it takes boot.js's, which boot.js hands over on the runtime (`core.shared`, boot.js),
// instead of carrying copies. These modules are that in widget.js, by the names boot.js
// gives them (types.d.ts `Shared`): 75 B less gzipped.
const SHARED = {
  "own.js": ["own"], "page.js": ["attempt"], "names.js": ["matchesName"], "url.js": ["webUrl", "URL_ATTRIBUTE_NAMES", "srcsetUrls"],
};
const fromBoot = {
  name: "from-boot",
  /** @param {import("esbuild").PluginBuild} build */
  setup(build) {
    const modules = new RegExp(`[\\\\/]src[\\\\/](${Object.keys(SHARED).join("|").replaceAll(".", "\\.")})$`);
    build.onLoad({ filter: modules }, ({ path }) => ({
      contents: `import shared from "shared"; export const { ${SHARED[basename(path)].join(", ")} } = shared;`,
      loader: "js",
    }));
    build.onResolve({ filter: /^shared$/ }, () => ({ path: "shared", namespace: "from-boot" }));
    build.onLoad({ filter: /.*/, namespace: "from-boot" }, () => ({
      contents: `export default window.${CORE_KEY}?.shared ?? {};`,
      loader: "js",
    }));
  },
};

mkdirSync(outdir, { recursive: true });
// (esbuild's syntax minification before terser's makes boot.js 6 B larger gzipped.)
for (const [name, entry, plugins, minifySyntax] of [["boot", "boot.js", [], false], ["widget", "main.js", [fromBoot], true]]) {
  const [file] = (await esbuild.build({
    entryPoints: { [name]: join(here, "src", entry) },
    outdir,
    bundle: true,
    minifyWhitespace: true,
    minifyIdentifiers: true,
    minifySyntax,
    format: "iife",
    target,
    charset: "utf8",
    legalComments: "none",
    logLevel: "warning",
    write: false,
    plugins,
  })).outputFiles;
  const { code } = await minify(file.text, TERSER_FOR[basename(file.path)] ?? TERSER);
  // As the minifiers leave it, with no newline at the end (which costs gzip 3 or 4 B a file).
  writeFileSync(file.path, code);
}
// The styles: lightningcss minifies them 6 B smaller gzipped than esbuild (it drops what
// a value need not spell out, such as a calc() inside max()), for the same browsers.
const version = (major) => major << 16;
const { code: css } = transformCss({
  filename: "widget.css",
  code: readFileSync(join(here, "src", "widget.css")),
  minify: true,
  targets: { chrome: version(115), edge: version(115), firefox: version(115), safari: version(16) },
});
writeFileSync(join(outdir, "widget.css"), css);
copyFileSync(join(here, "public", "widget.d.ts"), join(outdir, "widget.d.ts"));
