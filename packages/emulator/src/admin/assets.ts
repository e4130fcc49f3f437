// The dashboard's files, as the package's build leaves them in dist/dashboard/ (src/dashboard/: the page
// and its style copied, the script compiled with the dashboard's own tsconfig). The page is `GET /`; its
// style and its script's modules are under ADMIN_PREFIX (`dashboard.css`, `dashboard.js` and the modules
// it imports), so the page loads only files of its own origin. Each file is read once.
import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { type Reply, writeReply } from "../api/http.js";
import { ADMIN_PREFIX, notFound } from "./endpoints.js";

/**
 * The folder the build writes the dashboard to. The path goes through the package root so that it is the
 * same from dist/admin/ and from src/admin/ (tests).
 */
const DASHBOARD_DIR = new URL("../../dist/dashboard/", import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
};

/** A module of the dashboard's script: a plain name (no path), compiled to `<name>.js`. */
const MODULE_PATH = new RegExp(`^${ADMIN_PREFIX}/([a-z][a-z-]*\\.js)$`);

/** The dashboard file served at `path`, if `path` is one of the dashboard's. */
export function dashboardFile(path: string): string | undefined {
  if (path === "/") return "index.html";
  if (path === `${ADMIN_PREFIX}/dashboard.css`) return "style.css";
  return MODULE_PATH.exec(path)?.[1];
}

const read = new Map<string, Buffer>();

/** Answers with one of the dashboard's files; a 404 when the build did not write it. */
export function serveDashboardFile(res: ServerResponse, name: string, headers: Record<string, string>): void {
  let bytes = read.get(name);
  if (bytes === undefined) {
    try {
      bytes = readFileSync(new URL(name, DASHBOARD_DIR));
    } catch {
      const missing: Reply = notFound(`The dashboard has no file ${name} (is the package built?).`);
      writeReply(res, missing, headers);
      return;
    }
    read.set(name, bytes);
  }
  res.writeHead(200, {
    "content-type": CONTENT_TYPES[name.slice(name.lastIndexOf(".") + 1)]!,
    "content-length": String(bytes.length),
    "cache-control": "no-cache",
    // The page loads only its own script and style and talks only to its own origin.
    "content-security-policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
  });
  res.end(bytes);
}
