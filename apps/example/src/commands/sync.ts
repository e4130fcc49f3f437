// `customers sync --db mirror.sqlite`: keeps a SQLite mirror of the merchant's customers in sync. It starts
// its webhook listener, makes sure a subscription points at it, brings the mirror up to date (a full load
// the first time, a reconcile pass from the checkpoint after), then applies events as they are delivered
// and runs a reconcile pass every `--reconcile-every` seconds, until Ctrl-C.
//
// Ctrl-C (or SIGTERM) stops taking deliveries, lets those being applied finish, and closes the database;
// the subscription is kept. That is the choice that loses nothing: deliveries that fail while the mirror
// is stopped are retried by Square for up to 72 hours and arrive when it runs again; the next run reuses
// the subscription (pointing it at the new listener if the address changed) and resumes from the
// checkpoint without a full load. A mirror stopped for longer than that, or whose subscription is gone or
// was disabled, loads in full again. Delete the subscription through the API to stop deliveries for good.
import { createHash } from "node:crypto";
import { createSquareClient } from "@square-customers/client";
import { CliError, EXIT_USAGE } from "../errors.js";
import { type MirrorSession, startMirrorSession } from "../mirror-session.js";
import { type MirrorTarget, SqliteMirrorStore } from "../mirror-store.js";
import { createSyncOutput, type SyncOutput } from "../sync-output.js";
import { openTarget, type Target } from "../target.js";

/** `--listen HOST:PORT`. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export interface SyncOptions {
  readonly db: string;
  readonly listen: ListenAddress;
  readonly notificationUrl?: string;
  readonly json?: boolean;
  readonly full?: boolean;
  /** Seconds between reconcile passes; 0: none. */
  readonly reconcileEvery: number;
  readonly url?: string;
  readonly environment?: "sandbox" | "production";
}

export async function syncCommand(options: SyncOptions): Promise<void> {
  if (!options.url && !options.environment) {
    throw new CliError(
      "customers sync needs --url (a running emulator) or --environment: the embedded emulator ends with " +
        "the command, so there would be nothing to resume",
      EXIT_USAGE,
    );
  }
  const stop = stopSignal();
  const store = openStore(options.db);
  let target: Target | undefined;
  try {
    target = await openTarget(options);
    checkTarget(store, target, options.db);
    const output = createSyncOutput({ json: options.json ?? false, customers: () => store.counts().live });
    const square = createSquareClient({ accessToken: target.accessToken, environment: target.environment });
    const session = await startMirrorSession({
      square,
      store,
      listen: options.listen,
      notificationUrl: options.notificationUrl,
      subscription: store.subscription(),
      onProgress: (progress) => output.progress(progress),
    });
    try {
      store.saveSubscription(session.subscription);
      await runUntilStopped(session, output, options, stop.signal);
    } finally {
      await session.close();
    }
  } finally {
    stop.dispose();
    store.close();
    await target?.close();
  }
}

/** The initial sync, then live events and periodic reconcile passes until `signal` aborts. */
async function runUntilStopped(
  session: MirrorSession,
  output: SyncOutput,
  options: SyncOptions,
  signal: AbortSignal,
): Promise<void> {
  let start: "full-load" | "reconcile";
  try {
    const full = options.full === true || session.eventsMayBeLost;
    if (session.eventsMayBeLost)
      output.note("the webhook subscription was gone or disabled: loading in full");
    start = (await session.mirror.sync({ full, signal })).kind;
  } catch (error) {
    if (!signal.aborted) throw error;
    output.stopped("stopped before the mirror was up to date (the next run starts that over)");
    return;
  }
  output.ready({
    listening: session.listening,
    notificationUrl: session.subscription.notificationUrl,
    subscriptionId: session.subscription.id,
    start,
  });
  const reconciler = periodically(options.reconcileEvery, async () => {
    try {
      await session.mirror.reconcile({ signal });
    } catch (error) {
      if (!signal.aborted)
        output.note(`reconcile pass failed (the next one tries again): ${(error as Error).message}`);
    }
  });
  await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
  await reconciler.stop();
  output.stopped("stopped");
}

/** Runs `task` every `seconds` (never two at once); `stop` waits for one in progress. */
function periodically(seconds: number, task: () => Promise<void>): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer =
    seconds > 0
      ? setInterval(() => {
          running ??= task().finally(() => {
            running = undefined;
          });
        }, seconds * 1000)
      : undefined;
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** Aborts on the first SIGINT or SIGTERM; a second one ends the process at once. */
function stopSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error("stopped"));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

function openStore(file: string): SqliteMirrorStore {
  try {
    return new SqliteMirrorStore(file);
  } catch (error) {
    throw new CliError(`cannot open ${file} as a mirror: ${(error as Error).message}`, EXIT_USAGE);
  }
}

/**
 * A mirror belongs to one merchant: the first run records where it points and a fingerprint of the token
 * (never the token); a later run with another target is refused rather than mixing two accounts.
 */
function checkTarget(store: SqliteMirrorStore, target: Target, file: string): void {
  const current: MirrorTarget = {
    environment: target.environment,
    tokenFingerprint: createHash("sha256").update(target.accessToken).digest("hex").slice(0, 16),
  };
  const recorded = store.target();
  if (recorded === undefined) {
    store.saveTarget(current);
    return;
  }
  if (
    recorded.environment !== current.environment ||
    recorded.tokenFingerprint !== current.tokenFingerprint
  ) {
    throw new CliError(
      `${file} mirrors another account (${recorded.environment}, another access token or server): use another --db`,
      EXIT_USAGE,
    );
  }
}
