// A headless Chromium (Debian's `chromium` package) driven through playwright-core, with a fresh
// profile per run. A machine without Chromium gets it installed first (apt-get, as root), so the tests
// pass on a fresh machine too.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Quiet and offline: no sandbox (containers), no GPU, no QUIC, and no calls home of any kind. */
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function aptGet(args: string[]): boolean {
  const run = spawnSync("apt-get", args, {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return run.status === 0;
}

/** Installs Debian's chromium when it is missing (needs root); throws saying what to do otherwise. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}; as root, run: apt-get install -y chromium`,
    );
  }
  // A fresh machine may have no package lists yet: fetch them once and try again.
  if (
    !aptGet(["install", "-y", "chromium"]) &&
    !(aptGet(["update"]) && aptGet(["install", "-y", "chromium"]))
  ) {
    throw new Error("apt-get install -y chromium failed");
  }
}

export interface Chromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Chromium headless with a new, empty profile (removed again by `close`). */
export async function startChromium(): Promise<Chromium> {
  ensureChromium();
  const profile = mkdtempSync(join(tmpdir(), "chromium-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 1000 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
