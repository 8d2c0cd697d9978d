// Builds the widget's assets with esbuild: `node build.mjs [OUTDIR]` (default: the
// package's consentkit/widget/, where the Python package serves them from).
//
//   boot.js    the synchronous part, first in <head>: state, signals, the guard
//   widget.js  the rest, loaded `defer`: banner, dialog, activation, API
//   widget.css the styles of the widget and of consentkit's own pages
//   widget.d.ts the TypeScript declarations of the page-facing API (public/widget.d.ts, copied)
//
// The output is committed: users of the Python package never need Node. The test
// suite builds again into a temporary folder and fails if anything differs.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(process.argv[2] ?? join(here, "..", "consentkit", "widget"));
// The browsers consentkit supports (consentkit/useragent.py): others get a notice.
const target = ["chrome115", "edge115", "firefox115", "safari16"];

mkdirSync(outdir, { recursive: true });
await esbuild.build({
  entryPoints: { boot: join(here, "src", "boot.js"), widget: join(here, "src", "main.js") },
  outdir,
  bundle: true,
  minify: true,
  format: "iife",
  target,
  charset: "utf8",
  legalComments: "none",
  logLevel: "warning",
});
await esbuild.build({
  entryPoints: { widget: join(here, "src", "widget.css") },
  outdir,
  bundle: true,
  minify: true,
  target,
  charset: "utf8",
  legalComments: "none",
  logLevel: "warning",
});
copyFileSync(join(here, "public", "widget.d.ts"), join(outdir, "widget.d.ts"));
